"""/api/allowlist: emails and @domains, validated, audited, and obeyed by sign-in."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from cschat.allowlist import service
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
