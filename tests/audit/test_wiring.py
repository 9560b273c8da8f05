"""Ingest batches and SQL queries leave audit events; stats show the last ingest."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.support.auth import sign_in

KEY = "ingest-key-for-audit-tests-0123456789"
CSV = (
    "external_id,subject,status,created_at,resolved_at,category\n"
    "A-1,Printer,resolved,2026-11-20T10:00:00Z,2026-11-20T12:00:00Z,Technical\n"
    "A-2,Invoice,open,2026-11-21T10:00:00Z,,Billing\n"
    "A-3,Bad,resolved,not-a-date,,Billing\n"
)


@pytest.fixture
async def keyed_app(make_settings: Callable[..., Settings]) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(INGEST_API_KEY=KEY))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def boss(keyed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(keyed_app) as client:
        await sign_in(keyed_app, client, email=SUPERVISOR_EMAIL, role="Supervisor")
        yield client


async def audit_items(client: httpx.AsyncClient, action: str) -> list[dict[str, object]]:
    response = await client.get("/api/audit", params={"action": action})
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_ingest_batches_are_audited_and_shown_in_stats(
    keyed_app: FastAPI, boss: httpx.AsyncClient
) -> None:
    async with make_client(keyed_app, origin=None) as machine:
        response = await machine.post(
            "/data/ingest",
            params={"source": "helpdesk"},
            content=CSV,
            headers={"X-API-Key": KEY, "Content-Type": "text/csv"},
        )
    assert response.status_code == 200, response.text
    assert (response.json()["inserted"], response.json()["rejected"]) == (2, 1)
    [event] = await audit_items(boss, "ingest.batch")
    assert event["actor"] == "ingest-api-key"
    assert event["target"] == "helpdesk"
    details = event["details"]
    assert isinstance(details, dict)
    assert (details["received"], details["inserted"], details["rejected"]) == (3, 2, 1)
    stats = (await boss.get("/api/database/stats")).json()
    assert stats["last_ingest"]["inserted"] == 2
    assert stats["last_sync"] is None


async def test_sql_queries_are_audited_run_or_refused(boss: httpx.AsyncClient) -> None:
    ran = await boss.post("/data/query/sql", json={"sql": "SELECT count(*) AS n FROM tickets"})
    assert ran.status_code == 200, ran.text
    refused = await boss.post("/data/query/sql", json={"sql": "DELETE FROM tickets"})
    assert refused.status_code == 400
    events = await audit_items(boss, "query.sql")
    assert [e["actor"] for e in events] == [SUPERVISOR_EMAIL, SUPERVISOR_EMAIL]
    newest, oldest = events  # newest first
    assert isinstance(newest["details"], dict) and isinstance(oldest["details"], dict)
    assert newest["details"]["sql"] == "DELETE FROM tickets"
    assert newest["details"]["refused"]
    assert oldest["details"]["row_count"] == 1
    assert oldest["details"]["truncated"] is False
