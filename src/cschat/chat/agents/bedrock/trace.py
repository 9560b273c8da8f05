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


class TraceReader:
    """The steps in `trace` events: rationale, invocation input, observation, failure.

    A function Bedrock returns to us is traced twice by Bedrock: its call before it returns
    control (`executionType` RETURN_CONTROL), its result (what we sent back) at the start of the
    next round. The agent records both steps itself, with the parameters and the result it
    really ran, so Bedrock's copies are left out. One reader per InvokeAgent call: `echoes` is
    the number of results that call sends back.
    """

    def __init__(self, echoes: int = 0) -> None:
        self._echoes = echoes

    def steps(self, part: Mapping[str, Any]) -> list[TraceStep]:
        trace = part.get("trace") or {}
        steps: list[TraceStep] = []
        if failure := trace.get("failureTrace"):
            reason = str(failure.get("failureReason") or "unknown failure")
            steps.append(TraceStep("failure", rationale=reason))
        orchestration = trace.get("orchestrationTrace") or {}
        if rationale := orchestration.get("rationale"):
            steps.append(TraceStep("rationale", rationale=str(rationale.get("text", ""))))
        invocation = (orchestration.get("invocationInput") or {}).get("actionGroupInvocationInput")
        if invocation and invocation.get("executionType") != "RETURN_CONTROL":
            steps.append(
                TraceStep(
                    "tool_call",
                    tool=str(invocation.get("function") or invocation.get("apiPath") or ""),
                    parameters=_parameters(invocation.get("parameters")),
                )
            )
        observation = orchestration.get("observation") or {}
        if output := observation.get("actionGroupInvocationOutput"):
            if self._echoes:
                self._echoes -= 1
            else:
                text = str(output.get("text", ""))
                steps.append(TraceStep("observation", observation=_observation_text(text)))
        if final := observation.get("finalResponse"):
            steps.append(
                TraceStep("observation", observation={"final_response": final.get("text")})
            )
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
