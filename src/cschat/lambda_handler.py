"""An AWS Lambda entry point for the `tickets_analytics` action group (function details format).

Bedrock calls `handler(event, context)` with the function and its string parameters; the caller's
role and email come from `sessionAttributes` (set by this backend on every InvokeAgent). The tools
are the app's own, against the database configured in the Lambda's environment.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import structlog

from cschat.auth.principal import Principal
from cschat.chat.agents.bedrock.control import invocations, run
from cschat.core.config import Settings, load_settings
from cschat.core.db import Database
from cschat.core.logging import configure_logging
from cschat.tickets.tools import run_tool

log = structlog.get_logger(__name__)


class _Runtime:
    """Settings, database and one event loop, reused across warm invocations."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # As the app does: LOG_LEVEL holds, JSON lines in production, and the loggers that print
        # credentials at DEBUG stay at WARNING whatever level the Lambda runtime sets.
        configure_logging(json=settings.app.is_production, level=settings.app.log_level)
        self.db = Database(settings.db)
        # One loop for the container's life: pooled connections belong to their loop.
        self.loop = asyncio.new_event_loop()


_runtime: _Runtime | None = None


def _get_runtime() -> _Runtime:
    global _runtime
    if _runtime is None:
        _runtime = _Runtime(load_settings())
    return _runtime


def principal_of(attributes: dict[str, Any]) -> Principal | None:
    """The caller from the session attributes; None when they do not name one."""
    email = str(attributes.get("user_email") or "").strip()
    role = attributes.get("role")
    if not email or role not in ("Agent", "Supervisor"):
        return None
    groups = tuple(g for g in str(attributes.get("groups") or "").split(",") if g)
    return Principal(
        email=email, role=role, user_id=str(attributes.get("user_id") or email), groups=groups
    )


def _response(event: dict[str, Any], body: str, state: str | None = None) -> dict[str, Any]:
    function_response: dict[str, Any] = {"responseBody": {"TEXT": {"body": body}}}
    if state:
        function_response["responseState"] = state
    return {
        "messageVersion": "1.0",
        "response": {
            "actionGroup": event.get("actionGroup"),
            "function": event.get("function"),
            "functionResponse": function_response,
        },
        "sessionAttributes": event.get("sessionAttributes") or {},
        "promptSessionAttributes": event.get("promptSessionAttributes") or {},
    }


async def handle(event: dict[str, Any], runtime: _Runtime) -> dict[str, Any]:
    """Run the function the event names with the tools, as the caller in the session attributes."""
    principal = principal_of(event.get("sessionAttributes") or {})
    if principal is None:
        detail = "sessionAttributes must carry role (Agent or Supervisor) and user_email."
        return _response(event, json.dumps({"error": "Unauthorized", "detail": detail}), "FAILURE")
    # The event carries the same fields as a returned-control function invocation.
    [call] = invocations({"invocationInputs": [{"functionInvocationInput": event}]})

    async def tools(name: str, params: Any) -> dict[str, Any]:
        async with runtime.db.transaction() as session:
            return await run_tool(
                name,
                params,
                session=session,
                principal=principal,
                tz=runtime.settings.app.tz,
                now=datetime.now(UTC),
            )

    _, result = await run(call, tools)
    function_result = result["functionResult"]
    body = function_result["responseBody"]["TEXT"]["body"]
    return _response(event, body, function_result.get("responseState"))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point (`cschat.lambda_handler.handler`)."""
    runtime = _get_runtime()
    log.info("lambda.invoke", function=event.get("function"), action_group=event.get("actionGroup"))
    return runtime.loop.run_until_complete(handle(event, runtime))
