"""The `tickets_analytics` action group's function schema in Bedrock's `functionSchema` format."""

from __future__ import annotations

from typing import Any

from cschat.tickets.tools import ACTION_GROUP, function_schemas

_TYPES = {"string", "number", "integer", "boolean", "array"}


def _type(spec: dict[str, Any]) -> str:
    # Optional fields arrive as anyOf [X, null]; enums and dates are strings to Bedrock.
    for option in spec.get("anyOf", [spec]):
        kind = option.get("type")
        if kind in _TYPES:
            return str(kind)
    return "string"


def _description(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    text = spec.get("description") or spec.get("title") or ""
    choices = spec.get("enum")
    ref = spec.get("$ref") or next(
        (o.get("$ref") for o in spec.get("anyOf", []) if "$ref" in o), None
    )
    if ref:
        choices = defs.get(ref.rsplit("/", 1)[-1], {}).get("enum")
    if not choices:
        choices = next((o.get("enum") for o in spec.get("anyOf", []) if "enum" in o), None)
    if choices:
        text = f"{text}; one of: {', '.join(map(str, choices))}" if text else (
            "One of: " + ", ".join(map(str, choices)))  # fmt: skip
    if "default" in spec and spec["default"] is not None:
        text += f" (default {spec['default']})"
    return text.strip() or "Value"


def bedrock_functions() -> list[dict[str, Any]]:
    """Every tool as a Bedrock function: name, description, typed parameters."""
    functions = []
    for tool in function_schemas():
        schema = tool["parameters"]
        required = set(schema.get("required", []))
        defs = schema.get("$defs", {})
        parameters = {
            name: {
                "description": _description(spec, defs),
                "type": _type(spec),
                "required": name in required,
            }
            for name, spec in schema.get("properties", {}).items()
        }
        functions.append(
            {
                "name": tool["name"],
                "description": tool["description"],
                "parameters": parameters,
                "requireConfirmation": "DISABLED",
            }
        )
    return functions


def action_group_schema() -> dict[str, Any]:
    """What `CreateAgentActionGroup` takes as `actionGroupName` and `functionSchema`."""
    return {"actionGroupName": ACTION_GROUP, "functionSchema": {"functions": bedrock_functions()}}
