"""`POST /api/chat/stream` read by a real SSE client (httpx-sse) over httpx streaming."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI
from httpx_sse import ServerSentEvent, aconnect_sse
from sqlalchemy import text

from tests.chat.conftest import SignedIn

BOSS = "boss@example.com"


async def stream(client: httpx.AsyncClient, **payload: Any) -> list[ServerSentEvent]:
    async with aconnect_sse(client, "POST", "/api/chat/stream", json=payload) as source:
        assert source.response.status_code == 200
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [event async for event in source.aiter_sse()]


async def test_events_in_order_and_stored(signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    events = await stream(boss, message="Tickets resueltos por categoría en octubre de 2024")
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

    stored = (await boss.get(f"/api/chat/sessions/{done['session_id']}")).json()
    assert stored["messages"][-1]["id"] == done["message_id"]
    assert stored["messages"][-1]["content"] == done["response"]


async def test_repeated_send_streams_the_stored_answer(signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    first = await stream(boss, message="hello", client_message_id="c-1")
    again = await stream(boss, message="hello", client_message_id="c-1")
    assert [e.event for e in again] == ["session", "delta", "done"]
    done_first, done_again = json.loads(first[-1].data), json.loads(again[-1].data)
    assert done_again["replayed"] is True
    assert done_again["message_id"] == done_first["message_id"]
    assert json.loads(again[1].data)["text"] == done_first["response"]


async def test_failure_ends_with_an_error_event(chat_app: FastAPI, signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    async with chat_app.state.db.transaction() as session:
        await session.execute(text("ALTER TABLE tickets RENAME TO tickets_gone"))
    events = await stream(boss, message="How many tickets were resolved in October 2024?")
    assert events[0].event == "session" and events[-1].event == "error"
    assert "done" not in [e.event for e in events]
    error = json.loads(events[-1].data)
    assert error["error"] == "AgentError" and error["success"] is False
    assert "tickets_gone" not in events[-1].data
