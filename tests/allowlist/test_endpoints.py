"""/api/allowlist: emails and @domains, validated, audited, and obeyed by sign-in."""

from __future__ import annotations

import secrets

import httpx
import pytest
from fastapi import FastAPI

from cschat.allowlist import service
from tests.auth.conftest import CognitoPool, cognito_sign_in
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.support.audit import audit_trail
from tests.support.race import sent_meanwhile


async def test_add_list_remove(supervisor_client: httpx.AsyncClient) -> None:
    for entry in (" Ana@Example.com ", "@Partner.example.org"):
        added = await supervisor_client.post("/api/allowlist", json={"entry": entry})
        assert added.status_code == 201, added.text
    listed = (await supervisor_client.get("/api/allowlist")).json()
    assert [e["entry"] for e in listed["entries"]] == ["@partner.example.org", "ana@example.com"]
    assert listed["entries"][0]["created_by"] == "super@example.com"
    again = await supervisor_client.post("/api/allowlist", json={"entry": "ANA@example.com"})
    assert again.status_code == 409
    removed = await supervisor_client.delete("/api/allowlist/@partner.example.org")
    assert removed.status_code == 200 and removed.json()["entry"] == "@partner.example.org"
    missing = await supervisor_client.delete("/api/allowlist/@partner.example.org")
    assert missing.status_code == 404
    listed = (await supervisor_client.get("/api/allowlist")).json()
    assert [e["entry"] for e in listed["entries"]] == ["ana@example.com"]
    assert await audit_trail(supervisor_client, action="allowlist.") == [
        ("allowlist.add", "ana@example.com"),
        ("allowlist.add", "@partner.example.org"),
        ("allowlist.remove", "@partner.example.org"),
    ]


@pytest.mark.parametrize(
    "entry",
    [
        "nobody",
        "@",
        "@localhost",
        "a@b",
        "two@@x.com",
        "@x..com",
        "a\x00b@x.com",
        "ana\u200b@x.com",
        "\u202eana@x.com",
    ],
)
async def test_bad_entries_are_400(supervisor_client: httpx.AsyncClient, entry: str) -> None:
    response = await supervisor_client.post("/api/allowlist", json={"entry": entry})
    assert response.status_code in (400, 422)
    assert response.json()["detail"].startswith("entry")
    assert (await supervisor_client.get("/api/allowlist")).json()["entries"] == []


@pytest.mark.parametrize("entry", ["a%00b@x.com", "ana%E2%80%8B@x.com"])
async def test_removing_an_impossible_entry_is_400(
    supervisor_client: httpx.AsyncClient, entry: str
) -> None:
    response = await supervisor_client.delete(f"/api/allowlist/{entry}")
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("entry")


async def test_an_entry_added_meanwhile_is_a_conflict(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    async with app.state.db.sessionmaker() as first:
        await service.add_entry(first, entry="@twice.example", actor="someone@example.com")
        response = await sent_meanwhile(
            first, supervisor_client.post("/api/allowlist", json={"entry": "@TWICE.example"})
        )
    assert response.status_code == 409, response.text
    assert "already on the allowlist" in response.json()["detail"]
    entries = (await supervisor_client.get("/api/allowlist")).json()["entries"]
    assert [e["entry"] for e in entries] == ["@twice.example"]


async def test_sign_in_obeys_the_entries_added_and_removed(
    cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    # Through the API, as a Supervisor would; the pool outlives this test, so fresh addresses.
    run = secrets.token_hex(4)

    async def sign_in(email: str) -> int:
        async with make_client(cognito_app) as client:
            return (await cognito_sign_in(client, cognito_pool, email)).status_code

    boss_email = cognito_pool.add_user(f"boss-{run}@example.com", groups=("Supervisor",))
    solo = cognito_pool.add_user(f"solo-{run}@elsewhere.example")
    async with make_client(cognito_app) as boss:
        assert (await cognito_sign_in(boss, cognito_pool, boss_email)).status_code == 200
        for entry in ("@Partner.example", solo):
            added = await boss.post("/api/allowlist", json={"entry": entry})
            assert added.status_code == 201, added.text
        assert await sign_in(cognito_pool.add_user(f"outsider-{run}@example.com")) == 403
        assert await sign_in(cognito_pool.add_user(f"ana-{run}@partner.example")) == 200
        removed = await boss.delete("/api/allowlist/@partner.example")
        assert removed.status_code == 200, removed.text
        assert await sign_in(cognito_pool.add_user(f"bea-{run}@partner.example")) == 403
        assert await sign_in(solo) == 200
        users = (await boss.get("/api/users", params={"search": run})).json()["users"]
    assert sorted(u["email"] for u in users) == sorted(
        [boss_email, f"ana-{run}@partner.example", solo]
    )


async def test_an_entry_removed_meanwhile_is_404_and_audited_once(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    # A double-clicked delete: both requests found the entry, both deleted it and both were
    # answered 200 with an audit event each.
    added = await supervisor_client.post("/api/allowlist", json={"entry": "@gone.example"})
    assert added.status_code == 201, added.text
    async with app.state.db.sessionmaker() as first:
        await service.remove_entry(first, entry="@gone.example", actor=SUPERVISOR_EMAIL)
        response = await sent_meanwhile(
            first, supervisor_client.delete("/api/allowlist/@GONE.example")
        )
    assert response.status_code == 404, response.text
    assert "not on the allowlist" in response.json()["detail"]
    assert (await supervisor_client.get("/api/allowlist")).json()["entries"] == []
    assert await audit_trail(supervisor_client, action="allowlist.remove") == [
        ("allowlist.remove", "@gone.example")
    ]
