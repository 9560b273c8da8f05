"""The provider against the emulator through real boto3 clients: request, streaming, citations."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cschat.auth.principal import Principal
from cschat.chat.agents.base import (
    CitationEvent,
    DoneEvent,
    ErrorEvent,
    TextDelta,
    ToolResultEvent,
    TraceEvent,
)
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.tickets.models import ROW_COLUMNS
from cschat.tickets.upsert import upsert_tickets
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request
from tests.tickets.data import Reference, all_tickets

QUESTION = "How many tickets were resolved in October 2024?"
AGENT = Principal(email="lucia.fernandez@demo.cschat.dev", role="Agent", user_id="u-2")


async def test_request_contents_as_the_emulator_sees_them(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    agent = make_agent(BEDROCK_ENABLE_TRACE="true", BEDROCK_STREAM_FINAL_RESPONSE="false")
    await collect(agent, request(QUESTION, session_id="chat-42.a:b_c"), DbTools(app_db, SUPERVISOR))
    [seen] = emulator[1].requests
    # The chat session's Bedrock session is its owner's: the email and the chat id, hashed.
    owned = hashlib.sha256(b"sara@example.com\nchat-42.a:b_c").hexdigest()
    assert (seen["agentId"], seen["agentAliasId"], seen["sessionId"]) == (
        "AGENT12345",
        "ALIAS12345",
        owned,
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


async def test_a_follow_up_in_the_same_session_keeps_its_context(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    # Bedrock keeps a session's conversation by sessionId (the app sends no history), so the
    # emulator must too: "¿Y en septiembre?" keeps the first question's category.
    emulator[1].config.update({"mode": "return_control"})
    agent, tools = make_agent(), DbTools(app_db, SUPERVISOR)
    first = "¿Cuántos tickets de Billing se resolvieron en octubre de 2024?"
    await collect(agent, request(first, session_id="chat-ctx"), tools)
    await collect(agent, request("¿Y en septiembre de 2024?", session_id="chat-ctx"), tools)
    await collect(agent, request("¿Y en septiembre de 2024?", session_id="chat-other"), tools)
    [(_, october), (_, september), (_, elsewhere)] = tools.calls
    assert october["category"] == "Billing" and october["start_date"] == "2024-10-01"
    assert september["category"] == "Billing" and september["start_date"] == "2024-09-01"
    # Another session has no such context.
    assert "category" not in elsewhere and elsewhere["start_date"] == "2024-09-01"


async def test_the_emulator_sees_values_added_after_its_first_answer(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    # Data changes under a running emulator (a HubSpot sync, an ingest): a category it had not
    # seen must be matched as itself, not as the nearest old one or no filter at all.
    emulator[1].config.update({"mode": "return_control"})
    agent, tools = make_agent(), DbTools(app_db, SUPERVISOR)
    await collect(agent, request(QUESTION), tools)
    resolved = datetime(2024, 10, 15, 12, tzinfo=UTC)
    row = {c: None for c in ROW_COLUMNS} | {
        "source": "hubspot",
        "category": "BILLING_ISSUE",
        "status": "resolved",
        "created_at": resolved - timedelta(hours=3),
        "resolved_at": resolved,
        "resolution_minutes": 180.0,
    }
    async with app_db.engine.begin() as conn:
        await upsert_tickets(
            conn, [tuple({**row, "external_id": f"hs-{n}"}[c] for c in ROW_COLUMNS) for n in (1, 2)]
        )
    await asyncio.sleep(2.1)  # the emulator checks for new data at most every 2 s, as the app
    asked = "How many BILLING_ISSUE tickets were resolved in October 2024?"
    events = await collect(agent, request(asked), tools)
    assert isinstance(events[-1], DoneEvent)
    name, params = tools.calls[-1]
    assert name == "count_tickets" and params["category"] == "BILLING_ISSUE"
    [result] = [e.result for e in events if isinstance(e, ToolResultEvent)]
    assert result["count"] == 2


async def test_a_chat_id_taken_by_another_user_does_not_resume_bedrocks_memory(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    # Bedrock remembers a conversation by sessionId alone. A chat id can pass to another user
    # (deleted, then chosen again): that user must not continue the first one's conversation,
    # whose answers (other agents' figures) the model still holds.
    emulator[1].config.update({"mode": "return_control"})
    agent = make_agent()
    boss, lucia = DbTools(app_db, SUPERVISOR), DbTools(app_db, AGENT)
    first = "¿Cuántos tickets de Billing se resolvieron en octubre de 2024?"
    await collect(agent, request(first, session_id="team-report"), boss)
    followup = "¿Y en septiembre de 2024?"
    await collect(agent, request(followup, principal=AGENT, session_id="team-report"), lucia)
    [(_, params)] = lucia.calls
    assert "category" not in params and params["start_date"] == "2024-09-01"
    first_id, *_, last_id = [r["sessionId"] for r in emulator[1].requests]
    assert first_id != last_id
    # One user's follow-ups stay in one Bedrock session.
    await collect(agent, request(followup, session_id="team-report"), boss)
    assert emulator[1].requests[-1]["sessionId"] == first_id
    assert boss.calls[-1][1]["category"] == "Billing"
