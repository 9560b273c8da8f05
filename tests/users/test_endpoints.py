"""/api/users: list, filter, search, page, read, update, delete; the last Supervisor stays."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from cschat.chat.models import ChatMessage, ChatSession
from cschat.users import service as users_service
from cschat.users.models import User
from tests.conftest import AGENT_EMAIL, SUPERVISOR_EMAIL, make_client
from tests.support.audit import audit_trail
from tests.support.auth import TEST_PASSWORD, create_user
from tests.support.race import sent_meanwhile


@pytest.fixture
async def team(app: FastAPI, supervisor_client: httpx.AsyncClient) -> httpx.AsyncClient:
    await create_user(app, email="ana.garcia@example.com", given_name="Ana", family_name="García")
    await create_user(app, email="bruno@example.com", given_name="Bruno", status="disabled")
    await create_user(app, email="carla@example.com", role="Supervisor", status="pending")
    return supervisor_client


async def test_list_filters_search_and_pages(team: httpx.AsyncClient) -> None:
    everyone = (await team.get("/api/users")).json()
    assert everyone["total"] == 4
    assert [u["email"] for u in everyone["users"]] == [
        "ana.garcia@example.com",
        "bruno@example.com",
        "carla@example.com",
        SUPERVISOR_EMAIL,
    ]
    assert set(everyone["users"][0]) >= {"email", "given_name", "family_name", "role", "status"}
    supervisors = (await team.get("/api/users", params={"role": "Supervisor"})).json()
    assert [u["email"] for u in supervisors["users"]] == ["carla@example.com", SUPERVISOR_EMAIL]
    disabled = (await team.get("/api/users", params={"status": "disabled"})).json()
    assert [u["email"] for u in disabled["users"]] == ["bruno@example.com"]
    by_name = (await team.get("/api/users", params={"search": "GARCÍA"})).json()
    by_email = (await team.get("/api/users", params={"search": "bruno@"})).json()
    assert [u["email"] for u in by_name["users"]] == ["ana.garcia@example.com"]
    assert [u["email"] for u in by_email["users"]] == ["bruno@example.com"]
    # LIKE wildcards in the search are literal characters.
    assert (await team.get("/api/users", params={"search": "%"})).json()["total"] == 0
    page = (await team.get("/api/users", params={"limit": 2, "offset": 2})).json()
    assert page["total"] == 4
    assert [u["email"] for u in page["users"]] == ["carla@example.com", SUPERVISOR_EMAIL]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "Boss"}, "role"),
        ({"status": "gone"}, "status"),
        ({"limit": 0}, "limit"),
        ({"offset": 2**63}, "offset"),
        ({"offset": 10**20}, "offset"),
    ],
)
async def test_bad_filters_name_the_parameter(
    team: httpx.AsyncClient, params: dict[str, str | int], field: str
) -> None:
    response = await team.get("/api/users", params=params)
    assert response.status_code == 422
    assert field in response.json()["detail"]


async def test_read_update_and_delete(app: FastAPI, team: httpx.AsyncClient) -> None:
    got = await team.get("/api/users/ANA.GARCIA@example.com")
    assert got.status_code == 200 and got.json()["given_name"] == "Ana"
    assert (await team.get("/api/users/nobody@example.com")).status_code == 404
    updated = await team.put(
        "/api/users/ana.garcia@example.com",
        json={"given_name": "Anabel", "role": "Supervisor", "status": "disabled"},
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["given_name"], updated.json()["role"], updated.json()["status"]) == (
        "Anabel",
        "Supervisor",
        "disabled",
    )
    reread = (await team.get("/api/users/ana.garcia@example.com")).json()
    assert (reread["given_name"], reread["family_name"], reread["role"], reread["status"]) == (
        "Anabel",
        "García",
        "Supervisor",
        "disabled",
    )
    unknown_field = await team.put("/api/users/bruno@example.com", json={"email": "x@y.z"})
    assert unknown_field.status_code == 422 and "email" in unknown_field.json()["detail"]
    assert (await team.get("/api/users/x@y.z")).status_code == 404
    deleted = await team.delete("/api/users/bruno@example.com")
    assert deleted.status_code == 200 and deleted.json()["email"] == "bruno@example.com"
    assert (await team.get("/api/users/bruno@example.com")).status_code == 404
    listed = (await team.get("/api/users")).json()
    assert listed["total"] == 3
    assert "bruno@example.com" not in [u["email"] for u in listed["users"]]
    assert (await team.delete("/api/users/bruno@example.com")).status_code == 404
    trail = await audit_trail(team, action="user.")
    assert trail == [
        ("user.update", "ana.garcia@example.com"),
        ("user.role_change", "ana.garcia@example.com"),
        ("user.status_change", "ana.garcia@example.com"),
        ("user.delete", "bruno@example.com"),
    ]
    [update] = await _details(team, "user.update")
    assert update == {"given_name": "Anabel"}


async def _details(client: httpx.AsyncClient, action: str) -> list[dict[str, object]]:
    items = (await client.get("/api/audit", params={"action": action})).json()["items"]
    return [item["details"] for item in items]


@pytest.mark.parametrize(
    ("method", "path", "body", "after"),
    [
        ("PUT", "/api/users/{me}/role", {"role": "Agent"}, ("Agent", "active")),
        ("PUT", "/api/users/{me}", {"role": "Agent"}, ("Agent", "active")),
        ("PUT", "/api/users/{me}", {"status": "disabled"}, ("Supervisor", "disabled")),
        ("DELETE", "/api/users/{me}", None, None),
    ],
)
async def test_the_last_active_supervisor_stays(
    app: FastAPI,
    supervisor_client: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, str] | None,
    after: tuple[str, str] | None,
) -> None:
    # A pending and a disabled Supervisor do not count.
    await create_user(app, email="pending.boss@example.com", role="Supervisor", status="pending")
    await create_user(app, email="old.boss@example.com", role="Supervisor", status="disabled")
    url = path.format(me=SUPERVISOR_EMAIL)
    refused = await supervisor_client.request(method, url, json=body)
    assert refused.status_code == 409, refused.text
    assert "last active Supervisor" in refused.json()["detail"]
    assert (await supervisor_client.get("/auth/me")).json()["role"] == "Supervisor"
    await create_user(app, email="second.boss@example.com", role="Supervisor")
    allowed = await supervisor_client.request(method, url, json=body)
    assert allowed.status_code == 200, allowed.text
    # Done for real: the other Supervisor now sees the change.
    async with make_client(app) as second:
        signed_in = await second.post(
            "/auth/login", json={"email": "second.boss@example.com", "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        me = await second.get(f"/api/users/{SUPERVISOR_EMAIL}")
    if after is None:
        assert me.status_code == 404
    else:
        assert me.status_code == 200
        assert (me.json()["role"], me.json()["status"]) == after


async def test_two_supervisors_demoting_each_other_at_once_leave_one(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    # While one demotion has passed the last-Supervisor check but not yet written, the other
    # Supervisor demotes the first. SQLite let both through (its check read outside any write
    # lock: no Supervisor left); PostgreSQL deadlocked on the two row locks (a 500).
    other = "second.boss@example.com"
    await create_user(app, email=other, role="Supervisor")
    async with make_client(app) as second, app.state.db.sessionmaker() as first:
        signed_in = await second.post(
            "/auth/login", json={"email": other, "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        target = await users_service.get_user(first, other)
        await users_service.guard_last_supervisor(first, target, role="Agent", status="active")
        meanwhile = asyncio.create_task(
            second.put(f"/api/users/{SUPERVISOR_EMAIL}/role", json={"role": "Agent"})
        )
        await asyncio.sleep(0.3)
        target.role = "Agent"
        await first.flush()
        await first.commit()
        response = await meanwhile
    assert response.status_code == 409, response.text
    assert "last active Supervisor" in response.json()["detail"]
    async with app.state.db.transaction() as session:
        supervisors = (
            await session.scalars(
                select(User.email).where(User.role == "Supervisor", User.status == "active")
            )
        ).all()
    assert supervisors == [SUPERVISOR_EMAIL]


async def test_agents_cannot_administer(agent_client: httpx.AsyncClient) -> None:
    listed = await agent_client.get("/api/users")
    assert listed.status_code == 403 and "users" not in listed.json()
    response = await agent_client.put(f"/api/users/{AGENT_EMAIL}/role", json={"role": "Supervisor"})
    assert response.status_code == 403
    assert response.json()["detail"] == "This needs the Supervisor role."
    # Refused, not done: the Agent is still an Agent.
    assert (await agent_client.get("/auth/me")).json()["role"] == "Agent"


async def test_a_deleted_user_is_cut_off(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    await create_user(app, email="leaving@example.com")
    async with make_client(app) as leaving:
        signed_in = await leaving.post(
            "/auth/login", json={"email": "leaving@example.com", "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 200
        assert (await leaving.get("/auth/me")).status_code == 200
        assert (await supervisor_client.delete("/api/users/leaving@example.com")).status_code == 200
        gone = await leaving.get("/auth/me")
        assert gone.status_code == 401
        assert "no longer exists" in gone.json()["detail"]
        assert (await leaving.post("/auth/refresh")).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "params", "status"),
    [
        ("GET", "/api/users", {"search": "a\x00b"}, 400),
        ("GET", "/api/users/a%00b@example.com", None, 404),
        ("PUT", "/api/users/a%00b@example.com", None, 404),
        ("PUT", "/api/users/a%00b@example.com/role", None, 404),
        ("DELETE", "/api/users/a%00b@example.com", None, 404),
    ],
)
async def test_nul_in_a_search_or_an_address_is_a_clear_4xx(
    supervisor_client: httpx.AsyncClient,
    method: str,
    path: str,
    params: dict[str, str] | None,
    status: int,
) -> None:
    # PostgreSQL refuses NUL in any text value: once a 500 for the whole request.
    body = {"role": "Agent"} if path.endswith("/role") else {} if method == "PUT" else None
    response = await supervisor_client.request(method, path, params=params, json=body)
    assert response.status_code == status, response.text
    assert response.json()["success"] is False


@pytest.mark.parametrize("field", ["given_name", "family_name"])
@pytest.mark.parametrize("value", ["\x00", "Ana\x00", "Ana\nGarcía", "\x7f"])
async def test_names_with_control_characters_are_422(
    app: FastAPI, supervisor_client: httpx.AsyncClient, field: str, value: str
) -> None:
    await create_user(app, email="ana@example.com", given_name="Ana")
    response = await supervisor_client.put("/api/users/ana@example.com", json={field: value})
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    kept = (await supervisor_client.get("/api/users/ana@example.com")).json()
    assert (kept["given_name"], kept["family_name"]) == ("Ana", None)


async def test_an_address_is_the_same_user_in_any_unicode_form(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    composed, decomposed = "jos\u00e9@example.com", "jose\u0301@example.com"
    await create_user(app, email=decomposed)
    got = await supervisor_client.get(f"/api/users/{composed}")
    assert got.status_code == 200, got.text
    assert got.json()["email"] == composed
    async with make_client(app) as jose:
        signed_in = await jose.post(
            "/auth/login", json={"email": decomposed.upper(), "password": TEST_PASSWORD}
        )
    assert signed_in.status_code == 200, signed_in.text
    listed = (await supervisor_client.get("/api/users", params={"search": "jos"})).json()
    assert [u["email"] for u in listed["users"]] == [composed]


async def test_a_user_deleted_meanwhile_is_404_and_audited_once(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    # A double-clicked delete: both requests found the user, both deleted it (and the Cognito
    # user) and both were answered 200 with an audit event each.
    await create_user(app, email="leaving@example.com")
    async with app.state.db.sessionmaker() as first:
        await users_service.delete_user(
            first, app.state.directory, email="leaving@example.com", actor=SUPERVISOR_EMAIL
        )
        response = await sent_meanwhile(
            first, supervisor_client.delete("/api/users/Leaving@example.com")
        )
    assert response.status_code == 404, response.text
    assert "No user with email leaving@example.com" in response.json()["detail"]
    assert (await supervisor_client.get("/api/users/leaving@example.com")).status_code == 404
    assert await audit_trail(supervisor_client, action="user.delete") == [
        ("user.delete", "leaving@example.com")
    ]


async def test_deleting_a_user_deletes_their_conversations(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    """Sessions are keyed by email: an address given to someone later must come with no
    history; other users' conversations stay."""
    await create_user(app, email="leaving@example.com")
    async with app.state.db.sessionmaker() as session:
        for chat, owner in (("chat-leaving", "leaving@example.com"), ("chat-stays", AGENT_EMAIL)):
            session.add(ChatSession(id=chat, owner_email=owner, title="¿Cuántos?"))
            await session.flush()
            session.add(ChatMessage(session_id=chat, owner_email=owner, role="user", content="?"))
        await session.commit()
    assert (await supervisor_client.delete("/api/users/leaving@example.com")).status_code == 200
    async with app.state.db.sessionmaker() as session:
        sessions = (await session.scalars(select(ChatSession.id))).all()
        owners = (await session.scalars(select(ChatMessage.owner_email))).all()
    assert sessions == ["chat-stays"] and owners == [AGENT_EMAIL]
    await create_user(app, email="leaving@example.com")
    async with make_client(app) as back:
        signed_in = await back.post(
            "/auth/login", json={"email": "leaving@example.com", "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 200
        listed = await back.get("/api/chat/sessions")
    assert listed.status_code == 200 and listed.json()["sessions"] == []
