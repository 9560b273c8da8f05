"""Return of control: run the functions Bedrock hands back with the caller's tools."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from cschat.chat.agents.base import ToolRunner
from cschat.core.errors import AppError
from cschat.tickets.tools import ACTION_GROUP, TOOLS

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One function the agent asked us to run."""

    action_group: str
    function: str  # the apiPath of an API-schema call
    params: dict[str, Any]
    http_method: str | None = None  # only API-schema calls have one; none of them is ours


def _value(kind: str, raw: Any) -> Any:
    # Bedrock sends every value as a string, typed by the function schema.
    if not isinstance(raw, str):
        return raw
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
        if kind == "boolean":
            return raw.strip().lower() == "true"
        if kind == "array":
            return json.loads(raw)
    except ValueError:
        return raw  # the tool's validation names the bad value
    return raw


def invocations(payload: Mapping[str, Any]) -> list[Invocation]:
    """The function invocations of a `returnControl` event."""
    out = []
    for member in payload.get("invocationInputs") or []:
        if api := member.get("apiInvocationInput"):
            method = str(api.get("httpMethod"))
            out.append(Invocation(str(api.get("actionGroup")), str(api.get("apiPath")), {}, method))
            continue
        call = member.get("functionInvocationInput")
        if not call:
            continue
        params = {
            # A nameless parameter stays in, so the tool's validation refuses it by name.
            str(p.get("name")): _value(str(p.get("type", "string")), p.get("value"))
            for p in call.get("parameters") or []
        }
        out.append(Invocation(str(call.get("actionGroup")), str(call.get("function")), params))
    return out


def _result(call: Invocation, body: str, state: str | None = None) -> dict[str, Any]:
    if call.http_method is not None:
        return {
            "apiResult": {
                "actionGroup": call.action_group,
                "apiPath": call.function,
                "httpMethod": call.http_method,
                "httpStatusCode": 404,
                "responseBody": {"application/json": {"body": body}},
                "responseState": state or "FAILURE",
            }
        }
    result: dict[str, Any] = {
        "actionGroup": call.action_group,
        "function": call.function,
        "responseBody": {"TEXT": {"body": body}},
    }
    if state:
        result["responseState"] = state
    return {"functionResult": result}


async def run(call: Invocation, tools: ToolRunner) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the tool's JSON or an error, the `returnControlInvocationResults` member)."""
    if (
        call.http_method is not None
        or call.action_group != ACTION_GROUP
        or call.function not in TOOLS
    ):
        detail = (
            f"Unknown function '{call.function}' in action group '{call.action_group}'; "
            f"known: {', '.join(TOOLS)} in {ACTION_GROUP}."
        )
        return {"error": "UnknownFunction", "detail": detail}, _result(call, detail, "FAILURE")
    try:
        output = await tools(call.function, call.params)
    except AppError as exc:
        # The agent can rephrase or explain a refusal, so it gets the reason, not a crash.
        refused = {"error": exc.code, "detail": exc.detail}
        return refused, _result(call, json.dumps(refused), "FAILURE")
    except Exception as exc:
        log.error("bedrock.tool_failed", tool=call.function, error=type(exc).__name__)
        failed = {"error": "ToolError", "detail": "The tool failed."}
        return failed, _result(call, json.dumps(failed), "FAILURE")
    return output, _result(call, json.dumps(output, default=str, ensure_ascii=False))
