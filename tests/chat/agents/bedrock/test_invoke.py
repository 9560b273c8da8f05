"""The provider against the emulator through real boto3 clients: request, streaming, citations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from cschat.chat.agents.base import CitationEvent, DoneEvent, ErrorEvent, TextDelta, TraceEvent
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.config import Settings
from cschat.core.db import Database
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request
from tests.tickets.data import Reference, all_tickets

QUESTION = "How many tickets were resolved in October 2024?"


async def test_request_contents_as_the_emulator_sees_them(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    agent = make_agent(BEDROCK_ENABLE_TRACE="true", BEDROCK_STREAM_FINAL_RESPONSE="false")
    await collect(agent, request(QUESTION, session_id="chat-42.a:b_c"), DbTools(app_db, SUPERVISOR))
    [seen] = emulator[1].requests
    assert (seen["agentId"], seen["agentAliasId"], seen["sessionId"]) == (
        "AGENT12345",
        "ALIAS12345",
        "chat-42.a:b_c",
    )
    body = seen["body"]
    assert body["inputText"] == QUESTION
    assert body["enableTrace"] is True
    assert body["streamingConfigurations"] == {"streamFinalResponse": False}
    assert body["sessionState"]["sessionAttributes"] == {
        "role": "Supervisor",
        "user_email": "sara@example.com",
        "user_id": "u-1",
        "groups": "Supervisors",
    }
    # 09:30 UTC on Wednesday 25 November is 10:30 in Madrid.
    assert body["sessionState"]["promptSessionAttributes"] == {
        "current_date": "2026-11-25",
        "current_time": "10:30",
        "current_weekday": "Wednesday",
        "time_zone": "Europe/Madrid",
        "week_start": "Monday",
    }


async def test_streams_chunks_in_order_with_trace_and_citations(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    events = await collect(make_agent(), request(QUESTION), DbTools(app_db, SUPERVISOR))
    kinds = [type(e).__name__ for e in events]
    assert isinstance(events[-1], DoneEvent)
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) >= 1 and "".join(deltas) == events[-1].text
    # The trace (rationale, tool call, observation) arrives before the text it explains.
    assert kinds.index("TraceEvent") < kinds.index("TextDelta")
    steps = [e.step.kind for e in events if isinstance(e, TraceEvent)]
    assert steps[:3] == ["rationale", "tool_call", "observation"]
    assert [s.kind for s in events[-1].trace] == steps
    [citation] = [e for e in events if isinstance(e, CitationEvent)]
    assert citation.tool == "count_tickets" and citation.data_as_of
    # The emulator answered from the same database the app reads: the tickets resolved in
    # October 2024 (UTC, the emulator's zone), counted here in Python.
    ref = Reference(await all_tickets(app_db.engine), ZoneInfo("UTC"))
    resolved = len(ref.select(start=date(2024, 10, 1), end=date(2024, 10, 31)))
    assert resolved > 0
    assert re.search(rf"\b{resolved}\b", events[-1].text), (resolved, events[-1].text)


async def test_final_response_unstreamed_is_one_chunk(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    events = await collect(
        make_agent(BEDROCK_STREAM_FINAL_RESPONSE="false", BEDROCK_ENABLE_TRACE="false"),
        request(QUESTION),
        DbTools(app_db, SUPERVISOR),
    )
    assert len([e for e in events if isinstance(e, TextDelta)]) == 1
    assert not [e for e in events if isinstance(e, TraceEvent)]
    assert isinstance(events[-1], DoneEvent) and events[-1].text


async def test_trace_is_capped_in_events_and_whole_in_done(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    question = "Show the tickets about refund from 2024"
    events = await collect(
        make_agent(BEDROCK_TRACE_MAX_CHARS="100"), request(question), DbTools(app_db, SUPERVISOR)
    )
    done = events[-1]
    assert isinstance(done, DoneEvent)
    streamed = [
        e.step for e in events if isinstance(e, TraceEvent) and e.step.kind == "observation"
    ]
    stored = [s for s in done.trace if s.kind == "observation"]
    assert streamed and streamed[0].observation is not None
    capped = dict(streamed[0].observation)
    whole = stored[0].observation
    assert whole is not None and whole["tool"] == "search_tickets"
    assert capped.keys() == {"truncated", "preview"} and capped["truncated"] is True
    # The preview is the start of the whole observation, within the cap.
    text = json.dumps(dict(whole), ensure_ascii=False, default=str)
    assert len(text) > 100 and len(capped["preview"]) <= 100
    assert text.startswith(capped["preview"].rstrip("…")) and len(capped["preview"]) > 50


async def test_invalid_session_id_is_a_bad_request_before_any_call(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    events = await collect(
        make_agent(), request("hola", session_id="no spaces/allowed"), DbTools(app_db, SUPERVISOR)
    )
    [error] = events
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 400 and "session_id" in error.message
    assert emulator[1].requests == []


def test_missing_agent_id_is_named(make_settings: Callable[..., Settings]) -> None:
    from cschat.chat.agents.local.filters import Vocabulary
    from cschat.chat.agents.registry import create_agent
    from cschat.core.config import ConfigError

    settings = make_settings(AGENT_PROVIDER="bedrock", BEDROCK_AGENT_ID="A1")
    with pytest.raises(ConfigError, match=r"^BEDROCK_AGENT_ALIAS_ID: required"):
        create_agent(settings.agent, vocabulary=Vocabulary(values={}))


async def test_emulator_rejects_bad_input_with_4xx(emulator: tuple[str, Emulator]) -> None:
    import httpx

    url = emulator[0]
    async with httpx.AsyncClient() as client:
        bad_mode = await client.post(f"{url}/_emulator/config", json={"mode": "psychic"})
        assert bad_mode.status_code == 400 and "mode" in bad_mode.json()["error"]
        unknown = await client.post(f"{url}/_emulator/config", json={"latncy": 1})
        assert unknown.status_code == 400 and "latncy" in unknown.json()["error"]
        not_json = await client.post(
            f"{url}/agents/A/agentAliases/B/sessions/s1/text", content=b"{oops"
        )
        assert not_json.status_code == 400
        assert not_json.headers["x-amzn-errortype"] == "ValidationException"
