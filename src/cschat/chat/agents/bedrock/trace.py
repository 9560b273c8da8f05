"""Bedrock trace parts normalised into our trace steps, and capped copies for responses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cschat.chat.agents.base import TraceStep


def _parameters(items: Any) -> dict[str, Any]:
    if isinstance(items, list):
        return {str(p.get("name")): p.get("value") for p in items if isinstance(p, Mapping)}
    return {}


def _observation_text(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"text": text}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def normalise(part: Mapping[str, Any]) -> list[TraceStep]:
    """The steps in one `trace` event: rationale, invocation input, observation, failure."""
    trace = part.get("trace") or {}
    steps: list[TraceStep] = []
    if failure := trace.get("failureTrace"):
        reason = str(failure.get("failureReason") or "unknown failure")
        steps.append(TraceStep("failure", rationale=reason))
    orchestration = trace.get("orchestrationTrace") or {}
    if rationale := orchestration.get("rationale"):
        steps.append(TraceStep("rationale", rationale=str(rationale.get("text", ""))))
    invocation = (orchestration.get("invocationInput") or {}).get("actionGroupInvocationInput")
    if invocation:
        steps.append(
            TraceStep(
                "tool_call",
                tool=str(invocation.get("function") or invocation.get("apiPath") or ""),
                parameters=_parameters(invocation.get("parameters")),
            )
        )
    observation = orchestration.get("observation") or {}
    if output := observation.get("actionGroupInvocationOutput"):
        steps.append(
            TraceStep("observation", observation=_observation_text(str(output.get("text", ""))))
        )
    if final := observation.get("finalResponse"):
        steps.append(TraceStep("observation", observation={"final_response": final.get("text")}))
    return steps


def _cap_text(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def capped(step: TraceStep, limit: int) -> TraceStep:
    """`step` with long text and large observations shortened to about `limit` characters."""
    observation = step.observation
    if observation is not None:
        text = json.dumps(observation, ensure_ascii=False, default=str)
        if len(text) > limit:
            observation = {"truncated": True, "preview": _cap_text(text, limit)}
    parameters = step.parameters
    if parameters is not None and len(json.dumps(parameters, default=str)) > limit:
        parameters = {"truncated": True}
    rationale = _cap_text(step.rationale, limit) if step.rationale is not None else None
    return TraceStep(step.kind, rationale, step.tool, parameters, observation)
