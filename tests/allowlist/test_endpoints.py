"""/api/allowlist: emails and @domains, validated, audited, and obeyed by sign-in."""

from __future__ import annotations

import httpx
import pytest

from tests.support.audit import audit_trail


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


@pytest.mark.parametrize("entry", ["nobody", "@", "@localhost", "a@b", "two@@x.com", "@x..com"])
async def test_bad_entries_are_400(supervisor_client: httpx.AsyncClient, entry: str) -> None:
    response = await supervisor_client.post("/api/allowlist", json={"entry": entry})
    assert response.status_code in (400, 422)
    assert response.json()["detail"].startswith("entry")
