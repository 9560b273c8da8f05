"""API keys: shown once, stored hashed, scoped, expiring, revocable; INGEST_API_KEY still works."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import select, update

from cschat.apikeys import service
from cschat.apikeys.models import ApiKey
from cschat.auth.dependencies import Principal, key_or_supervisor
from cschat.core.config import Settings
from cschat.core.db import utcnow
from cschat.main import create_app
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.support.audit import audit_trail
from tests.support.auth import sign_in
from tests.support.race import sent_meanwhile

INGEST_KEY = "i" * 40


def _key_routes() -> APIRouter:
    """Routes guarded as the ingest and query endpoints (other branches) guard theirs."""
    router = APIRouter(tags=["probe"])

    @router.post("/probe/ingest", summary="ingest scope")
    async def ingest(caller: Principal = key_or_supervisor("ingest")) -> dict[str, object]:
        return {"email": caller.email, "scopes": sorted(caller.scopes)}

    @router.get("/probe/query", summary="query scope")
    async def query(caller: Principal = key_or_supervisor("query")) -> dict[str, object]:
        return {"email": caller.email, "scopes": sorted(caller.scopes)}

    return router


@pytest.fixture
async def keyed_app(make_settings: Callable[..., Settings]) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(INGEST_API_KEY=INGEST_KEY))
    app.include_router(_key_routes())
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def boss(keyed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(keyed_app) as client:
        await sign_in(keyed_app, client, email=SUPERVISOR_EMAIL, role="Supervisor")
        yield client


@pytest.fixture
async def machine(keyed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(keyed_app, origin=None) as client:
        yield client


async def _create(boss: httpx.AsyncClient, **body: object) -> dict[str, object]:
    response = await boss.post("/api/api-keys", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_key_is_shown_once_and_stored_hashed(
    keyed_app: FastAPI, boss: httpx.AsyncClient, machine: httpx.AsyncClient
) -> None:
    created = await _create(boss, name="nightly export", scopes=["query"])
    key = str(created["key"])
    assert set(created) >= {"id", "name", "prefix", "scopes", "key", "created_at"}
    assert key.startswith(str(created["prefix"])) and len(key) > 40
    listed = (await boss.get("/api/api-keys")).json()["keys"]
    assert [k["prefix"] for k in listed] == [created["prefix"]]
    assert "key" not in listed[0] and listed[0]["last_used_at"] is None
    async with keyed_app.state.db.transaction() as session:
        stored = await session.scalar(select(ApiKey))
    assert stored is not None
    # SHA-256 of the key, worked out here; the key itself is in no column of the row.
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    row = {column.key: getattr(stored, column.key) for column in ApiKey.__table__.columns}
    assert not [name for name, value in row.items() if key in str(value)]

    used = await machine.get("/probe/query", headers={"X-API-Key": key})
    assert used.status_code == 200
    assert used.json() == {"email": f"api-key:{created['prefix']}", "scopes": ["query"]}
    no_scope = await machine.post("/probe/ingest", headers={"X-API-Key": key})
    assert no_scope.status_code == 403 and "'ingest' scope" in no_scope.json()["detail"]
    listed = (await boss.get("/api/api-keys")).json()["keys"]
    assert listed[0]["last_used_at"] is not None


async def test_wrong_revoked_and_expired_keys_are_401_with_reason(
    keyed_app: FastAPI, boss: httpx.AsyncClient, machine: httpx.AsyncClient
) -> None:
    created = await _create(boss, name="loader", scopes=["ingest", "query"])
    key = str(created["key"])
    tampered = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    wrong = await machine.post("/probe/ingest", headers={"X-API-Key": tampered})
    assert wrong.status_code == 401 and "not a valid API key" in wrong.json()["detail"]

    revoked = await boss.delete(f"/api/api-keys/{created['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = await machine.post("/probe/ingest", headers={"X-API-Key": key})
    assert refused.status_code == 401 and "was revoked" in refused.json()["detail"]
    assert (await boss.delete(f"/api/api-keys/{created['id']}")).status_code == 409
    assert (await boss.delete("/api/api-keys/12345")).status_code == 404

    soon = await _create(
        boss, name="temp", scopes=["query"], expires_at=(utcnow() + timedelta(hours=1)).isoformat()
    )
    assert (
        await machine.get("/probe/query", headers={"X-API-Key": str(soon["key"])})
    ).status_code == 200
    async with keyed_app.state.db.transaction() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id == soon["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = await machine.get("/probe/query", headers={"X-API-Key": str(soon["key"])})
    assert expired.status_code == 401 and "expired on" in expired.json()["detail"]
    assert await audit_trail(boss, action="api_key.") == [
        ("api_key.create", created["prefix"]),
        ("api_key.revoke", created["prefix"]),
        ("api_key.create", soon["prefix"]),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "", "scopes": ["query"]}, "name"),
        ({"name": "x", "scopes": ["query"], "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "scopes": ["query"], "expires_at": "2999-01-01T00:00:00"}, "expires_at"),
        ({"name": "   ", "scopes": ["query"]}, "name"),
        ({"name": "a\x00b", "scopes": ["query"]}, "name"),
        (
            {"name": "x", "scopes": ["query"], "expires_at": "9999-12-31T23:00:00-05:00"},
            "expires_at",
        ),
    ],
)
async def test_bad_key_requests_name_the_field(
    boss: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await boss.post("/api/api-keys", json=body)
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]
    assert (await boss.get("/api/api-keys")).json()["keys"] == []


@pytest.mark.parametrize("key_id", ["2147483648", "9223372036854775808", "1" + "0" * 25])
async def test_ids_beyond_the_column_are_404(boss: httpx.AsyncClient, key_id: str) -> None:
    response = await boss.delete(f"/api/api-keys/{key_id}")
    assert response.status_code == 404, response.text
    assert key_id in response.json()["detail"]


async def test_ingest_api_key_still_works_for_ingest_only(machine: httpx.AsyncClient) -> None:
    ok = await machine.post("/probe/ingest", headers={"X-API-Key": INGEST_KEY})
    assert ok.status_code == 200
    assert ok.json() == {"email": "ingest-api-key", "scopes": ["ingest"]}
    no = await machine.get("/probe/query", headers={"X-API-Key": INGEST_KEY})
    assert no.status_code == 403 and "'query' scope" in no.json()["detail"]


async def test_keys_cannot_manage_keys(boss: httpx.AsyncClient, machine: httpx.AsyncClient) -> None:
    created = await _create(boss, name="k", scopes=["ingest", "query"])
    headers = {"X-API-Key": str(created["key"])}
    listed = await machine.get("/api/api-keys", headers=headers)
    made = await machine.post(
        "/api/api-keys", json={"name": "more", "scopes": ["query"]}, headers=headers
    )
    revoked = await machine.delete(f"/api/api-keys/{created['id']}", headers=headers)
    assert [r.status_code for r in (listed, made, revoked)] == [401, 401, 401]
    assert "keys" not in listed.json()
    # Nothing was made or revoked: the one key is still there and still works.
    keys = (await boss.get("/api/api-keys")).json()["keys"]
    assert [(k["id"], k["revoked_at"]) for k in keys] == [(created["id"], None)]
    assert (await machine.get("/probe/query", headers=headers)).status_code == 200


async def test_a_key_revoked_meanwhile_is_409_and_audited_once(
    keyed_app: FastAPI, boss: httpx.AsyncClient
) -> None:
    # A double-clicked revoke: both requests found the key live, both revoked it and both were
    # answered 200 with an audit event each. The second now gets what a later one gets.
    created = await _create(boss, name="twice", scopes=["query"])
    async with keyed_app.state.db.sessionmaker() as first:
        await service.revoke_key(first, key_id=int(str(created["id"])), actor=SUPERVISOR_EMAIL)
        response = await sent_meanwhile(first, boss.delete(f"/api/api-keys/{created['id']}"))
    assert response.status_code == 409, response.text
    assert "already revoked" in response.json()["detail"]
    [key] = (await boss.get("/api/api-keys")).json()["keys"]
    assert key["revoked_at"] is not None
    assert await audit_trail(boss, action="api_key.revoke") == [
        ("api_key.revoke", created["prefix"])
    ]
