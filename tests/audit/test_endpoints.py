"""GET /api/audit: sign-in events, filters, pages, CSV export; the table is append-only."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import httpx
import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from sqlalchemy import text

from cschat.audit import service as audit
from cschat.core.db import utcnow
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.support.audit import audit_items, audit_trail
from tests.support.auth import TEST_PASSWORD, create_user


async def test_sign_in_failure_success_and_sign_out(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    await create_user(app, email="eve@example.com")
    async with make_client(app) as eve:
        bad = await eve.post("/auth/login", json={"email": "EVE@example.com", "password": "nope"})
        assert bad.status_code == 401
        good = await eve.post(
            "/auth/login",
            json={"email": "eve@example.com", "password": TEST_PASSWORD},
            headers={"X-Request-ID": "req-eve-1"},
        )
        assert good.status_code == 200
        assert (await eve.post("/auth/logout")).status_code == 200
    items = await audit_items(supervisor_client, actor="eve@example.com")
    assert [i["action"] for i in items] == ["auth.login_failed", "auth.login", "auth.logout"]
    assert items[0]["details"] == {"method": "password", "reason": "Unauthorized", "status": 401}
    assert items[1]["request_id"] == "req-eve-1"
    assert all(i["ip"] == "127.0.0.1" for i in items)
    assert "nope" not in json.dumps(items)
    # The Supervisor's own sign-in (the fixture) is there too.
    assert await audit_trail(supervisor_client, action="auth.login", actor=SUPERVISOR_EMAIL) == [
        ("auth.login", SUPERVISOR_EMAIL)
    ]


async def _seed(app: FastAPI, count: int) -> None:
    async with app.state.db.transaction() as session:
        for n in range(count):
            await audit.record(
                session,
                actor="robot@example.com",
                action="ingest.batch" if n % 2 else "query.sql",
                target=f"batch-{n}",
                details={"rows": n, "texto": "añadido"},
            )


async def test_filters_and_pages(app: FastAPI, supervisor_client: httpx.AsyncClient) -> None:
    await _seed(app, 7)
    page = (
        await supervisor_client.get(
            "/api/audit", params={"actor": "robot@example.com", "limit": 3, "offset": 1}
        )
    ).json()
    assert page["total"] == 7
    assert [i["target"] for i in page["items"]] == ["batch-5", "batch-4", "batch-3"]
    assert set(page["items"][0]) == {
        "at",
        "actor",
        "action",
        "target",
        "details",
        "ip",
        "request_id",
    }
    batches = await audit_trail(supervisor_client, action="ingest.batch")
    assert [t for _, t in batches] == ["batch-1", "batch-3", "batch-5"]
    one = await audit_trail(supervisor_client, target="batch-4")
    assert one == [("query.sql", "batch-4")]
    future = (utcnow() + timedelta(minutes=5)).isoformat()
    past = (utcnow() - timedelta(minutes=5)).isoformat()
    assert await audit_trail(supervisor_client, since=future) == []
    assert len(await audit_trail(supervisor_client, since=past, actor="robot@example.com")) == 7
    assert await audit_trail(supervisor_client, until=past) == []
    assert len(await audit_trail(supervisor_client, until=future, actor="robot@example.com")) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-01-01T00:00:00"}, "since"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"limit": 10_000}, "limit"),
        ({"format": "xml"}, "format"),
        ({"offset": 2**63}, "offset"),
        ({"since": "9999-12-31T23:00:00-05:00"}, "since"),
        ({"until": "0001-01-01T00:00:00+05:00"}, "until"),
        ({"since": "9999-12-31T23:00:00-05:00", "format": "csv"}, "since"),
        ({"action": "user.\x00"}, "action"),
        ({"actor": "a\x00b@example.com"}, "actor"),
        ({"target": "\x00", "format": "csv"}, "target"),
    ],
)
async def test_bad_filters_name_the_parameter(
    supervisor_client: httpx.AsyncClient, params: dict[str, str | int], field: str
) -> None:
    response = await supervisor_client.get("/api/audit", params=params)
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]


async def test_csv_export_streams_every_match(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    await _seed(app, 5)
    response = await supervisor_client.get(
        "/api/audit", params={"format": "csv", "actor": "robot@example.com"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["target"] for r in rows] == [f"batch-{n}" for n in range(5)]
    assert json.loads(rows[2]["details"]) == {"rows": 2, "texto": "añadido"}
    assert list(rows[0]) == ["at", "actor", "action", "target", "details", "ip", "request_id"]


async def test_action_names_are_checked(app: FastAPI) -> None:
    async with app.state.db.transaction() as session:
        with pytest.raises(ValueError, match="dotted lower-case"):
            await audit.record(session, actor="x", action="Not An Action")


async def test_postgresql_refuses_rewriting_history(app: FastAPI) -> None:
    if app.state.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only (run with TEST_DATABASE_URL): the trigger is PostgreSQL's")
    await _seed(app, 1)
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
            async with app.state.db.transaction() as session:
                await session.execute(text(statement))
    async with app.state.db.transaction() as session:
        actors = (await session.scalars(text("SELECT actor FROM audit_events"))).all()
    assert actors == ["robot@example.com"]


async def test_csv_export_never_writes_a_formula(
    app: FastAPI, supervisor_client: httpx.AsyncClient
) -> None:
    # The email of a failed sign-in is whatever the caller typed.
    async with make_client(app) as stranger:
        attempt = {"email": "=1+2@example.com", "password": "nope"}
        assert (await stranger.post("/auth/login", json=attempt)).status_code == 401
    response = await supervisor_client.get(
        "/api/audit", params={"format": "csv", "action": "auth.login_failed"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["actor"] for r in rows] == ["'=1+2@example.com"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
