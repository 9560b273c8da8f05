"""`POST /api/chat/stream` read by a real SSE client (httpx-sse) over httpx streaming."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from httpx_sse import ServerSentEvent, aconnect_sse
from sqlalchemy import text

from tests.chat.conftest import SignedIn
from tests.tickets.data import Reference, all_tickets

BOSS = "boss@example.com"


async def stream(client: httpx.AsyncClient, **payload: Any) -> list[ServerSentEvent]:
    async with aconnect_sse(client, "POST", "/api/chat/stream", json=payload) as source:
        assert source.response.status_code == 200
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [event async for event in source.aiter_sse()]


async def test_events_in_order_and_stored(chat_app: FastAPI, signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    question = "Tickets resueltos por categoría en octubre de 2024"
    events = await stream(boss, message=question)
    names = [e.event for e in events]
    assert names[0] == "session" and names[-1] == "done"
    assert set(names[1:-1]) == {"trace", "delta"}
    # The trace is complete before the answer text starts.
    assert names.index("delta") > max(i for i, n in enumerate(names) if n == "trace")
    data = [json.loads(e.data) for e in events]
    session, done = data[0], data[-1]
    assert session["replayed"] is False and done["session_id"] == session["session_id"]
    text_ = "".join(d["text"] for e, d in zip(events, data, strict=True) if e.event == "delta")
    assert text_ == done["response"] and "Billing" in text_
    steps = [d for e, d in zip(events, data, strict=True) if e.event == "trace"]
    assert steps == done["trace"]
    assert [s["type"] for s in steps] == ["rationale", "tool_call", "observation"]
    assert steps[1]["parameters"]["dimension"] == "category"

    # The figures streamed are the tickets' own: resolved in October 2024, local (Madrid) days.
    ref = Reference(await all_tickets(chat_app.state.db.engine), chat_app.state.settings.app.tz)
    october = ref.select(start=date(2024, 10, 1), end=date(2024, 10, 31))
    want = Counter(t.category for t in october)
    rows = steps[2]["observation"]["rows"]
    assert {r["key"]: r["count"] for r in rows} == want and len(want) > 1
    for key, count in want.items():
        assert f"{key}: {count}" in text_

    stored = (await boss.get(f"/api/chat/sessions/{done['session_id']}")).json()
    assert [(m["role"], m["content"]) for m in stored["messages"]] == [
        ("user", question),
        ("assistant", done["response"]),
    ]
    assert stored["messages"][-1]["id"] == done["message_id"]
    assert stored["messages"][-1]["trace"] == done["trace"]


async def test_repeated_send_streams_the_stored_answer(signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    first = await stream(boss, message="hello", client_message_id="c-1")
    again = await stream(boss, message="hello", client_message_id="c-1")
    assert first[-1].event == "done"
    assert [e.event for e in again] == ["session", "delta", "done"]
    done_first, done_again = json.loads(first[-1].data), json.loads(again[-1].data)
    assert done_again["replayed"] is True
    assert done_again["message_id"] == done_first["message_id"]
    assert json.loads(again[1].data)["text"] == done_first["response"]
    # Stored once: the repeat added no second question or answer.
    stored = (await boss.get(f"/api/chat/sessions/{done_first['session_id']}")).json()
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant"]
    listed = (await boss.get("/api/chat/sessions")).json()
    assert listed["total"] == 1


async def test_failure_ends_with_an_error_event(chat_app: FastAPI, signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    async with chat_app.state.db.transaction() as session:
        await session.execute(text("ALTER TABLE tickets RENAME TO tickets_gone"))
    events = await stream(boss, message="How many tickets were resolved in October 2024?")
    assert events[0].event == "session" and events[-1].event == "error"
    assert "done" not in [e.event for e in events]
    error = json.loads(events[-1].data)
    assert error["error"] == "AgentError" and error["success"] is False
    everything = "".join(e.data for e in events)
    for internal in ("tickets_gone", "no such table", "UndefinedTable", "SELECT", "Traceback"):
        assert internal not in everything, internal
    # The failure is stored with the session, as the answer to the question.
    stored = (await boss.get(f"/api/chat/sessions/{error['session_id']}")).json()
    assert [(m["role"], m["error"]) for m in stored["messages"]] == [
        ("user", None),
        ("assistant", "AgentError"),
    ]


async def test_failure_in_a_follow_up_ends_with_an_error_event(
    chat_app: FastAPI, signed_in: SignedIn
) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    first = json.loads((await stream(boss, message="hello"))[-1].data)
    async with chat_app.state.db.transaction() as session:
        await session.execute(text("ALTER TABLE tickets RENAME TO tickets_gone"))
    events = await stream(
        boss,
        message="How many tickets were resolved in October 2024?",
        session_id=first["session_id"],
    )
    assert events[-1].event == "error"
    assert json.loads(events[-1].data)["error"] == "AgentError"
    stored = (await boss.get(f"/api/chat/sessions/{first['session_id']}")).json()
    assert [m["error"] for m in stored["messages"]] == [None, None, None, "AgentError"]
