"""Return of control: the caller's tools run here, results go back with the invocationId."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from cschat.auth.principal import Principal
from cschat.chat.agents.base import DoneEvent, ErrorEvent, ToolCallEvent, ToolResultEvent
from cschat.chat.agents.bedrock import control
from cschat.chat.agents.bedrock.agent import MAX_CONTROL_ROUNDS, BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.db import Database
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request
from tests.tickets.data import Reference, all_tickets

QUESTION = "How many tickets were resolved in October 2024?"
OCTOBER = (date(2024, 10, 1), date(2024, 10, 31))
AGENT = Principal(email="lucia.fernandez@demo.cschat.dev", role="Agent", user_id="u-2")


async def test_tool_results_are_run_tool_on_the_same_database(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"mode": "return_control"})
    tools = DbTools(app_db, SUPERVISOR)
    question = "Tickets resolved by category in October 2024"
    events = await collect(make_agent(), request(question), tools)
    assert isinstance(events[-1], DoneEvent)
    calls = [e for e in events if isinstance(e, ToolCallEvent)]
    results = [e for e in events if isinstance(e, ToolResultEvent)]
    assert [c.name for c in calls] == [name for name, _ in tools.calls] == ["breakdown_tickets"]
    fresh = DbTools(app_db, SUPERVISOR)
    expected = await fresh(calls[0].name, calls[0].params)
    assert {k: v for k, v in results[0].result.items() if k != "data_as_of"} == {
        k: v for k, v in expected.items() if k != "data_as_of"
    }
    # The second request carried the invocation id and our result; it had no inputText.
    _, second = emulator[1].requests
    state = second["body"]["sessionState"]
    assert state["invocationId"] and "inputText" not in second["body"]
    [member] = state["returnControlInvocationResults"]
    assert member["functionResult"]["function"] == "breakdown_tickets"
    assert member["functionResult"]["actionGroup"] == "tickets_analytics"
    assert "responseState" not in member["functionResult"]
    # And those figures are the tickets': resolved in October 2024 by category, in Python.
    ref = Reference(await all_tickets(app_db.engine), ZoneInfo("UTC"))
    want = Counter(t.category for t in ref.select(start=OCTOBER[0], end=OCTOBER[1]))
    assert {r["key"]: r["count"] for r in results[0].result["rows"]} == want and len(want) > 1
    for key, count in want.items():
        assert f"{key}: {count}" in events[-1].text


async def test_each_returned_function_is_traced_once(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    # Bedrock traces a returned function's call and, in the next round, the result we sent; the
    # agent records both itself, so the stored trace holds each once.
    emulator[1].config.update({"mode": "return_control"})
    question = "Compare tickets resolved in October 2024 with September 2024"
    events = await collect(make_agent(), request(question), DbTools(app_db, SUPERVISOR))
    done = events[-1]
    assert isinstance(done, DoneEvent)
    calls = [e for e in events if isinstance(e, ToolCallEvent)]
    results = [e for e in events if isinstance(e, ToolResultEvent)]
    assert len(calls) == 2
    steps = [s for s in done.trace if s.kind in ("tool_call", "observation")]
    assert [(s.kind, s.tool) for s in steps] == [
        (kind, call.name) for call in calls for kind in ("tool_call", "observation")
    ]
    assert [s.parameters for s in steps[::2]] == [dict(c.params) for c in calls]
    assert [s.observation for s in steps[1::2]] == [r.result for r in results]


async def test_tools_run_with_the_callers_role(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"mode": "return_control"})
    events = await collect(
        make_agent(),
        request("Tickets resolved by agent in October 2024", principal=AGENT),
        DbTools(app_db, AGENT),
    )
    assert isinstance(events[-1], DoneEvent)
    [result] = [e.result for e in events if isinstance(e, ToolResultEvent)]
    # An Agent sees only their own row; the Supervisor's view of the same call has every agent.
    ref = Reference(await all_tickets(app_db.engine), ZoneInfo("UTC"))
    own = ref.select(start=OCTOBER[0], end=OCTOBER[1], agent_email=AGENT.email)
    assert [(row["key"], row["count"]) for row in result["rows"]] == [(AGENT.email, len(own))]
    assert own
    [call] = [e for e in events if isinstance(e, ToolCallEvent)]
    everyone = await DbTools(app_db, SUPERVISOR)(call.name, call.params)
    assert len(everyone["rows"]) > 1


async def test_unknown_function_gets_failure_with_a_message() -> None:
    calls = control.invocations(
        {
            "invocationId": "i-1",
            "invocationInputs": [
                {
                    "functionInvocationInput": {
                        "actionGroup": "tickets_analytics",
                        "function": "drop_tables",
                        "parameters": [{"name": "x", "type": "integer", "value": "3"}],
                    }
                }
            ],
        }
    )
    ran: list[str] = []

    async def tools(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        ran.append(name)
        return {}

    output, result = await control.run(calls[0], tools)
    assert ran == [] and output["error"] == "UnknownFunction"
    assert result["functionResult"]["responseState"] == "FAILURE"
    assert "drop_tables" in result["functionResult"]["responseBody"]["TEXT"]["body"]
    assert calls[0].params == {"x": 3}


async def test_control_rounds_are_capped(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"mode": "return_control", "endless_control": True})
    tools = DbTools(app_db, SUPERVISOR)
    events = await collect(make_agent(), request(QUESTION), tools)
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "AgentError"
    assert error.error is not None and error.error.status_code == 502
    assert "more than 5 times" in error.error.detail
    assert len(tools.calls) == MAX_CONTROL_ROUNDS
    assert len(emulator[1].requests) == MAX_CONTROL_ROUNDS + 1
