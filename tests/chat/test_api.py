"""The chat API over real demo tickets: answers, sessions, feedback, idempotency, limits, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from cschat.core.config import ConfigError, Settings
from cschat.main import create_app
from tests.chat.conftest import SignedIn
from tests.conftest import make_client
from tests.support.auth import sign_in
from tests.tickets.data import Reference, all_tickets, load_demo

LUCIA = "lucia.fernandez@demo.cschat.dev"
OTHER_AGENT = "diego.martin@demo.cschat.dev"
BOSS = "boss@example.com"
TZ = ZoneInfo("Europe/Madrid")


async def ask(client: httpx.AsyncClient, message: str, **extra: object) -> httpx.Response:
    return await client.post("/api/chat", json={"message": message, **extra})


async def test_answer_is_exact_traced_and_stored(chat_app: FastAPI, signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    response = await ask(boss, "How many tickets were resolved in October 2024?")
    assert response.status_code == 200, response.text
    body = response.json()
    reference = Reference(await all_tickets(chat_app.state.db.engine), TZ)
    expected = len(reference.select(start=date(2024, 10, 1), end=date(2024, 10, 31)))
    assert expected > 0
    assert body["success"] is True and body["provider"] == "local"
    assert f"{expected:,}" in body["response"]
    assert "2024-10-01..2024-10-31 (Europe/Madrid)" in body["response"]
    kinds = [step["type"] for step in body["trace"]]
    assert kinds == ["rationale", "tool_call", "observation"]
    assert body["trace"][1]["tool"] == "count_tickets"
    assert body["trace"][2]["observation"]["count"] == expected

    stored = await boss.get(f"/api/chat/sessions/{body['session_id']}")
    assert stored.status_code == 200
    detail = stored.json()
    assert detail["title"] == "How many tickets were resolved in October 2024?"
    roles = [(m["role"], m["error"]) for m in detail["messages"]]
    assert roles == [("user", None), ("assistant", None)]
    answer = detail["messages"][1]
    assert answer["id"] == body["message_id"] and answer["trace"] == body["trace"]
    assert answer["content"] == body["response"] and answer["latency_ms"] >= 0


async def test_follow_up_uses_the_session_history(signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    first = (await ask(boss, "¿Cuántos tickets se resolvieron en octubre de 2024?")).json()
    second = await ask(boss, "¿y de facturación?", session_id=first["session_id"])
    assert second.status_code == 200
    call = second.json()["trace"][1]
    assert call["parameters"] == {
        "start_date": "2024-10-01",
        "end_date": "2024-10-31",
        "date_field": "resolved",
        "category": "Billing",
    }
    # A fresh session has no history: the same words alone are not about October.
    alone = (await ask(boss, "¿y de facturación?")).json()
    assert alone["session_id"] != first["session_id"]
    assert "start_date" not in alone["trace"][1].get("parameters", {})


async def test_an_empty_session_id_starts_a_new_session(signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    first = (await ask(boss, "¿Cuántos tickets se resolvieron en octubre de 2024?")).json()
    fresh = await ask(boss, "¿y de facturación?", session_id="")
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["session_id"] not in ("", first["session_id"])
    assert "start_date" not in fresh.json()["trace"][1].get("parameters", {})
    bad = await ask(boss, "hola", session_id=" ")
    assert bad.status_code == 422 and "session_id" in bad.text


async def test_a_follow_up_moves_its_session_first(signed_in: SignedIn) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    older = (await ask(boss, "Tickets by category")).json()["session_id"]
    newer = (await ask(boss, "Tickets by channel")).json()["session_id"]
    listed = (await boss.get("/api/chat/sessions")).json()["sessions"]
    assert [s["id"] for s in listed] == [newer, older]
    assert (await ask(boss, "and last month?", session_id=older)).status_code == 200
    listed = (await boss.get("/api/chat/sessions")).json()["sessions"]
    assert [s["id"] for s in listed] == [older, newer]
    moments = [datetime.fromisoformat(listed[0][key]) for key in ("created_at", "updated_at")]
    assert moments[1] > moments[0]
    messages = (await boss.get(f"/api/chat/sessions/{older}")).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2
    assert messages[0]["id"] < messages[1]["id"] < messages[2]["id"] < messages[3]["id"]


async def test_sessions_are_private_and_supervisors_read_others(signed_in: SignedIn) -> None:
    lucia, diego = await signed_in(LUCIA), await signed_in(OTHER_AGENT)
    boss = await signed_in(BOSS, "Supervisor")
    mine = (await ask(lucia, "How many tickets did I resolve?")).json()
    sid = mine["session_id"]

    listed = (await lucia.get("/api/chat/sessions")).json()
    assert [s["id"] for s in listed["sessions"]] == [sid] and listed["total"] == 1
    assert (await diego.get("/api/chat/sessions")).json() == {"sessions": [], "total": 0}
    assert (await diego.get(f"/api/chat/sessions/{sid}")).status_code == 404
    assert (await diego.get("/api/chat/sessions", params={"owner": LUCIA})).status_code == 403
    taken = await ask(diego, "hola", session_id=sid)
    assert taken.status_code == 404 and "session_id" in taken.json()["detail"]
    assert (await diego.patch(f"/api/chat/sessions/{sid}", json={"title": "x"})).status_code == 404
    assert (await diego.delete(f"/api/chat/sessions/{sid}")).status_code == 404
    rate = {"rating": "up"}
    feedback = await diego.post(f"/api/chat/messages/{mine['message_id']}/feedback", json=rate)
    assert feedback.status_code == 404

    read = await boss.get(f"/api/chat/sessions/{sid}")
    assert read.status_code == 200 and read.json()["owner_email"] == LUCIA
    others = (await boss.get("/api/chat/sessions", params={"owner": LUCIA})).json()
    assert [s["id"] for s in others["sessions"]] == [sid]
    assert (await boss.patch(f"/api/chat/sessions/{sid}", json={"title": "x"})).status_code == 403
    audited = (await boss.get("/api/audit", params={"action": "chat.session_read"})).json()
    assert [(e["actor"], e["target"]) for e in audited["items"]] == [(BOSS, LUCIA), (BOSS, LUCIA)]
    assert audited["items"][1]["details"] == {"session_id": sid}

    renamed = await lucia.patch(f"/api/chat/sessions/{sid}", json={"title": "Mis resueltos"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Mis resueltos"
    assert (await lucia.delete(f"/api/chat/sessions/{sid}")).status_code == 204
    assert (await lucia.get(f"/api/chat/sessions/{sid}")).status_code == 404
    assert (await lucia.get("/api/chat/sessions")).json()["total"] == 0


async def test_feedback_validation(signed_in: SignedIn) -> None:
    lucia = await signed_in(LUCIA)
    answer = (await ask(lucia, "hola")).json()
    url = f"/api/chat/messages/{answer['message_id']}/feedback"

    missing = await lucia.post(url, json={"rating": "down"})
    assert missing.status_code == 422 and "category" in missing.json()["detail"]
    wrong = await lucia.post(url, json={"rating": "meh"})
    assert wrong.status_code == 422 and "rating" in wrong.json()["detail"]
    odd = await lucia.post(url, json={"rating": "down", "category": "boring"})
    assert odd.status_code == 422 and "category" in odd.json()["detail"]

    down = await lucia.post(
        url, json={"rating": "down", "category": "misunderstood", "comment": "No era eso"}
    )
    assert down.status_code == 200
    assert (down.json()["feedback"], down.json()["feedback_category"]) == ("down", "misunderstood")
    up = await lucia.post(url, json={"rating": "up"})
    assert (up.json()["feedback"], up.json()["feedback_category"]) == ("up", None)

    question_id = answer["message_id"] - 1
    on_question = await lucia.post(f"/api/chat/messages/{question_id}/feedback", json=rate_up())
    assert on_question.status_code == 400 and "message_id" in on_question.json()["detail"]
    assert (
        await lucia.post("/api/chat/messages/999999/feedback", json=rate_up())
    ).status_code == 404


def rate_up() -> dict[str, str]:
    return {"rating": "up"}


async def test_repeated_client_message_id_returns_the_stored_answer(
    chat_app: FastAPI, signed_in: SignedIn
) -> None:
    lucia = await signed_in(LUCIA)
    first = await ask(lucia, "Tickets by category", client_message_id="msg-1")
    again = await ask(lucia, "Tickets by category", client_message_id="msg-1")
    assert first.status_code == again.status_code == 200
    one, two = first.json(), again.json()
    assert (one["replayed"], two["replayed"]) == (False, True)
    assert {k: v for k, v in two.items() if k != "replayed"} == {
        k: v for k, v in one.items() if k != "replayed"
    }
    detail = (await lucia.get(f"/api/chat/sessions/{one['session_id']}")).json()
    assert len(detail["messages"]) == 2
    async with chat_app.state.db.transaction() as session:
        count = await session.scalar(text("SELECT count(*) FROM chat_messages"))
    assert count == 2
    # The same id from another user is another message.
    diego = await signed_in(OTHER_AGENT)
    theirs = (await ask(diego, "Tickets by category", client_message_id="msg-1")).json()
    assert theirs["replayed"] is False and theirs["message_id"] != one["message_id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"message": "x" * 41}, "message"),
        ({"message": "   "}, "message"),
        ({"message": ""}, "message"),
        ({"message": "hola", "session_id": "a"}, "session_id"),
        ({"message": "hola", "session_id": "bad id!"}, "session_id"),
        ({"message": "hola", "client_message_id": "x" * 101}, "client_message_id"),
        ({"text": "hola"}, "message"),
    ],
)
async def test_bad_messages_are_422_naming_the_field(
    make_settings: Callable[..., Settings], payload: dict[str, str], field: str
) -> None:
    app = create_app(make_settings(CHAT_MAX_MESSAGE_CHARS=40))
    async with app.router.lifespan_context(app), make_client(app) as client:
        await sign_in(app, client, email=LUCIA, role="Agent")
        for path in ("/api/chat", "/api/chat/stream"):
            response = await client.post(path, json=payload)
            assert response.status_code == 422, response.text
            assert field in response.json()["detail"]


async def test_rate_limit_per_user(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(CHAT_RATE_LIMIT_PER_MINUTE=2))
    async with app.router.lifespan_context(app), make_client(app) as a, make_client(app) as b:
        await sign_in(app, a, email=LUCIA, role="Agent")
        await sign_in(app, b, email=OTHER_AGENT, role="Agent")
        assert (await ask(a, "hola", client_message_id="m1")).status_code == 200
        assert (await ask(a, "help")).status_code == 200
        limited = await ask(a, "hola")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json()["error"] == "RateLimited"
        streamed = await a.post("/api/chat/stream", json={"message": "hola"})
        assert streamed.status_code == 429
        # A repeated send is not a new message; another user has their own budget.
        assert (await ask(a, "hola", client_message_id="m1")).json()["replayed"] is True
        assert (await ask(b, "hola")).status_code == 200


@pytest.mark.parametrize("follow_up", [False, True])
async def test_agent_failure_is_stored_and_reported(
    chat_app: FastAPI, signed_in: SignedIn, follow_up: bool
) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    # In an existing session too: the failure's rollback must not lose the session it belongs to.
    earlier = (await ask(boss, "hello")).json()["session_id"] if follow_up else None
    async with chat_app.state.db.transaction() as session:
        await session.execute(text("ALTER TABLE tickets RENAME TO tickets_gone"))
    response = await ask(
        boss, "How many tickets were resolved in October 2024?", session_id=earlier
    )
    assert response.status_code == 500
    body = response.json()
    assert body["success"] is False and body["error"] == "AgentError"
    assert "tickets_gone" not in response.text and "Traceback" not in response.text
    assert earlier is None or body["session_id"] == earlier
    stored = (await boss.get(f"/api/chat/sessions/{body['session_id']}")).json()
    errors = [m["error"] for m in stored["messages"]]
    assert errors == ([None, None] if follow_up else []) + [None, "AgentError"]


async def test_agent_info_and_connection(signed_in: SignedIn) -> None:
    lucia, boss = await signed_in(LUCIA), await signed_in(BOSS, "Supervisor")
    info = {"agent_id": None, "agent_alias_id": None, "region": None, "arn": None}
    assert (await lucia.get("/api/agent/info")).json() == {**info, "provider": "local"}
    assert (await lucia.post("/api/agent/test-connection")).status_code == 403
    check = (await boss.post("/api/agent/test-connection")).json()
    assert check["success"] is True and check["agent_info"]["provider"] == "local"
    assert "known filter values" in check["message"]


async def test_vocabulary_follows_new_data(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(APP_TIMEZONE="Europe/Madrid"))
    async with app.router.lifespan_context(app), make_client(app) as boss:
        await sign_in(app, boss, email=BOSS, role="Supervisor")
        check = (await boss.post("/api/agent/test-connection")).json()
        assert check["message"] == "Local agent ready; 0 known filter values."
        await load_demo(app.state.db.engine, TZ, count=50, days=30)
        app.state.agent._vocabulary._checked = 0.0  # the next call checks data_as_of again
        check = (await boss.post("/api/agent/test-connection")).json()
        assert check["message"] != "Local agent ready; 0 known filter values."


async def test_synonyms_file_extends_the_map(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    synonyms = tmp_path / "synonyms.json"
    synonyms.write_text(json.dumps({"category": {"Billing": ["dinerillos"]}}), encoding="utf-8")
    app = create_app(make_settings(APP_TIMEZONE="Europe/Madrid", AGENT_SYNONYMS_FILE=synonyms))
    async with app.router.lifespan_context(app), make_client(app) as boss:
        await load_demo(app.state.db.engine, TZ, count=50, days=30)
        await sign_in(app, boss, email=BOSS, role="Supervisor")
        body = (await ask(boss, "¿Cuántos tickets de dinerillos se resolvieron?")).json()
        assert body["trace"][1]["parameters"]["category"] == "Billing"


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{", "not valid JSON"), ('{"colour": {}}', "expected an object keyed by"),
     ('{"category": {"Billing": "x"}}', "list of phrases")],
)  # fmt: skip
def test_bad_synonyms_file_stops_start_up(
    make_settings: Callable[..., Settings], tmp_path: Path, content: str, reason: str
) -> None:
    synonyms = tmp_path / "synonyms.json"
    synonyms.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"AGENT_SYNONYMS_FILE.*{reason}"):
        make_settings(AGENT_SYNONYMS_FILE=synonyms)


async def test_simultaneous_sends_of_one_client_message_id_store_one_answer(
    chat_app: FastAPI, signed_in: SignedIn
) -> None:
    lucia = await signed_in(LUCIA)
    sends = [ask(lucia, "Tickets by channel", client_message_id="twice") for _ in range(2)]
    first, second = await asyncio.gather(*sends)
    statuses = sorted([first.status_code, second.status_code])
    assert statuses in ([200, 200], [200, 409]), (first.text, second.text)
    if statuses == [200, 409]:
        conflict = first if first.status_code == 409 else second
        assert "client_message_id" in conflict.json()["detail"]
    again = (await ask(lucia, "Tickets by channel", client_message_id="twice")).json()
    assert again["replayed"] is True
    async with chat_app.state.db.transaction() as session:
        count = await session.scalar(text("SELECT count(*) FROM chat_messages"))
    assert count == 2


@pytest.mark.parametrize("offset", ["-1", str(2**63), "x"])
async def test_a_session_page_offset_out_of_range_is_422(signed_in: SignedIn, offset: str) -> None:
    boss = await signed_in(BOSS, "Supervisor")
    response = await boss.get("/api/chat/sessions", params={"offset": offset})
    assert response.status_code == 422 and "offset" in response.text
