"""The Lambda action group handler: function-details events in, the tools' results out."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from cschat import lambda_handler
from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.core.logging import configure_logging
from tests.chat.agents.bedrock.conftest import SUPERVISOR
from tests.tickets.data import Reference, all_tickets


def event(function: str, params: dict[str, tuple[str, str]], **attributes: str) -> dict[str, Any]:
    return {
        "messageVersion": "1.0",
        "agent": {"name": "cschat", "id": "AGENT12345", "alias": "ALIAS12345", "version": "1"},
        "inputText": "How many tickets?",
        "sessionId": "sess-1",
        "actionGroup": "tickets_analytics",
        "function": function,
        "parameters": [{"name": k, "type": t, "value": v} for k, (t, v) in params.items()],
        "sessionAttributes": attributes,
        "promptSessionAttributes": {"current_date": "2024-11-10"},
    }


@pytest.fixture
def runtime(seeded: Settings) -> Iterator[Any]:
    rt = lambda_handler._Runtime(seeded)
    previous, lambda_handler._runtime = lambda_handler._runtime, rt
    yield rt
    lambda_handler._runtime = previous
    rt.loop.run_until_complete(rt.db.dispose())
    rt.loop.close()


WINDOW = {"start_date": ("string", "2024-10-01"), "end_date": ("string", "2024-10-31")}


def resolved_in_october_by_agent(settings: Settings) -> Counter[str | None]:
    """Tickets resolved in the window, per agent, counted in Python over the stored rows."""

    async def read() -> Reference:
        db = Database(settings.db)
        try:
            return Reference(await all_tickets(db.engine), settings.app.tz)
        finally:
            await db.dispose()

    ref = asyncio.run(read())
    return Counter(t.agent for t in ref.select(start=date(2024, 10, 1), end=date(2024, 10, 31)))


def body_of(out: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(
        out["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
    )
    return body


def test_runs_the_tool_as_the_session_caller(runtime: Any, seeded: Settings) -> None:
    ev = event(
        "breakdown_tickets",
        {**WINDOW, "dimension": ("string", "agent"), "limit": ("integer", "3")},
        role="Supervisor",
        user_email=SUPERVISOR.email,
    )
    out = lambda_handler.handler(ev, None)
    assert out["messageVersion"] == "1.0"
    assert out["sessionAttributes"] == ev["sessionAttributes"]
    assert out["promptSessionAttributes"] == ev["promptSessionAttributes"]
    response = out["response"]
    assert (response["actionGroup"], response["function"]) == (
        "tickets_analytics",
        "breakdown_tickets",
    )
    assert "responseState" not in response["functionResponse"]
    body = body_of(out)
    # The three busiest agents of the window, with their counts.
    per_agent = resolved_in_october_by_agent(seeded)
    assert len(per_agent) > 3
    rows = [(row["key"], row["count"]) for row in body["rows"]]
    assert len(rows) == 3 and all(per_agent[key] == count for key, count in rows)
    assert [count for _, count in rows] == sorted(per_agent.values(), reverse=True)[:3]
    # Warm container: the second call reuses the loop and the pool.
    again = lambda_handler.handler(ev, None)
    assert body_of(again)["rows"] == body["rows"]


def test_agent_role_is_scoped(runtime: Any, seeded: Settings) -> None:
    email = "lucia.fernandez@demo.cschat.dev"
    ev = event(
        "breakdown_tickets",
        {**WINDOW, "dimension": ("string", "agent")},
        role="Agent",
        user_email=email,
    )
    body = body_of(lambda_handler.handler(ev, None))
    own = resolved_in_october_by_agent(seeded)[email]
    assert [(row["key"], row["count"]) for row in body["rows"]] == [(email, own)]
    assert own > 0


def test_bad_parameter_and_unknown_function_fail_with_a_reason(runtime: Any) -> None:
    bad = lambda_handler.handler(
        event(
            "count_tickets",
            {"start_date": ("string", "yesterday")},
            role="Supervisor",
            user_email="s@x.com",
        ),
        None,
    )
    assert bad["response"]["functionResponse"]["responseState"] == "FAILURE"
    assert "start_date" in bad["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
    unknown = lambda_handler.handler(
        event("drop_everything", {}, role="Supervisor", user_email="s@x.com"), None
    )
    assert unknown["response"]["functionResponse"]["responseState"] == "FAILURE"
    assert (
        "drop_everything" in unknown["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
    )


def test_missing_caller_is_refused(runtime: Any) -> None:
    out = lambda_handler.handler(event("count_tickets", {}), None)
    assert out["response"]["functionResponse"]["responseState"] == "FAILURE"
    assert "user_email" in out["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]


@pytest.mark.parametrize("level", ["INFO", "WARNING"])
def test_the_runtime_logs_at_the_configured_level(
    seeded: Settings, level: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = seeded.model_copy(update={"app": seeded.app.model_copy(update={"log_level": level})})
    logging.getLogger("botocore").setLevel(logging.DEBUG)
    rt = lambda_handler._Runtime(settings)
    previous, lambda_handler._runtime = lambda_handler._runtime, rt
    try:
        capsys.readouterr()
        lambda_handler.handler(event("count_tickets", {}), None)
        logged = capsys.readouterr().err
    finally:
        lambda_handler._runtime = previous
        rt.loop.run_until_complete(rt.db.dispose())
        rt.loop.close()
        configure_logging(json=False)  # the tests' own set-up, for the tests after this one
    assert ("lambda.invoke" in logged) is (level == "INFO")
    assert logging.getLogger("botocore").level == logging.WARNING  # held, as in the app
