"""POST /data/query/sql: answers real SELECTs and refuses attacks with 400 and a reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection

from cschat.core.config import Settings
from cschat.main import create_app
from cschat.tickets import demo
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.support.auth import sign_in

NOW = datetime(2024, 11, 10, tzinfo=UTC)

ATTACKS = [
    "SELECT 1; DROP TABLE tickets",
    "SELECT * FROM tickets; DELETE FROM tickets",
    "BEGIN; DELETE FROM tickets; COMMIT",
    "DELETE FROM tickets",
    "UPDATE tickets SET csat = 1",
    "INSERT INTO tickets (source, external_id, status) VALUES ('x', 'y', 'new')",
    "DROP TABLE tickets",
    "CREATE TABLE stolen (a int)",
    "ALTER TABLE tickets ADD COLUMN pwned int",
    "WITH d AS (DELETE FROM tickets RETURNING *) SELECT count(*) FROM d",
    "WITH u AS (UPDATE tickets SET csat = 1 RETURNING id) SELECT count(*) FROM u",
    "SELECT * INTO stolen FROM tickets",
    "COPY tickets TO '{outside}/tickets.csv'",
    "COPY (SELECT 1) TO PROGRAM 'id'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_sleep(30)",
    "SELECT * FROM dblink('host=evil', 'select 1') AS t(a int)",
    "SELECT lo_import('/etc/passwd')",
    "SELECT set_config('transaction_read_only', 'off', true)",
    "SELECT current_setting('data_directory')",
    "SELECT * FROM pg_shadow",
    "SELECT usename, passwd FROM pg_catalog.pg_shadow",
    "SELECT 1 AS a UNION SELECT passwd FROM pg_shadow",
    "SELECT * FROM tickets t, LATERAL (SELECT * FROM pg_authid) x",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM sqlite_master",
    "SELECT name FROM sqlite_schema",
    "SELECT * FROM users",
    "SELECT * FROM api_keys",
    'SELECT * FROM "users"',
    "SELECT t.id FROM tickets t JOIN users u ON true",
    "SELECT (SELECT password_hash FROM users LIMIT 1)",
    "WITH users AS (SELECT * FROM users) SELECT * FROM users",
    "SELECT * FROM tickets WHERE id IN (WITH x AS (SELECT 1) SELECT * FROM x)",
    "ATTACH DATABASE '{outside}/evil.db' AS evil",
    "PRAGMA writable_schema = 1",
    "SELECT load_extension('/tmp/evil.so')",
    "VACUUM",
    "EXPLAIN ANALYZE DELETE FROM tickets",
    "SELECT * FROM tickets FOR UPDATE",
    "SELECT * FROM tickets WHERE id = $1",
    "SELECT * FROM generate_series(1, 100000000)",
    "SELECT randomblob(1000000000)",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "SELECT 1 /* hidden */; DROP TABLE tickets --",
    "SELECT 1 -- comment\n; DROP TABLE tickets",
    "SELECT '\\'; DROP TABLE tickets; --'",
    "SeLeCt/**/*/**/FrOm/**/users",
    "SELECT 1 " + "+ 1 " * 6000,
    "SELECT " + "(" * 3000 + "1" + ")" * 3000,
    "   ",
]
# The sandbox's own request writes there: each refusal is recorded; nothing else may change.
AUDIT_TABLE = "audit_events"


@pytest.fixture
async def sql_client(app: FastAPI, supervisor_client: httpx.AsyncClient) -> httpx.AsyncClient:
    await demo.seed(app.state.db.engine, count=300, days=30, seed=3, now=NOW, tz=ZoneInfo("UTC"))
    return supervisor_client


async def _catalog(conn: AsyncConnection) -> list[tuple[Any, ...]]:
    """Every relation, column, index, view and trigger, as the engine's own catalog lists them."""
    if conn.dialect.name == "sqlite":
        query = "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
    else:
        query = (
            "SELECT 'relation', n.nspname, c.relname, c.relkind::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' "
            "UNION ALL SELECT 'column', table_schema, table_name || '.' || column_name, "
            "data_type FROM information_schema.columns "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
            "UNION ALL SELECT 'trigger', tgrelid::regclass::text, tgname, tgenabled::text "
            "FROM pg_trigger WHERE NOT tgisinternal"
        )
    return sorted(tuple(row) for row in (await conn.execute(text(query))).all())


async def _fingerprint(app: FastAPI) -> dict[str, Any]:
    """The schema and every row of every table but the audit log, read back with plain SQL."""
    async with app.state.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        rows = {}
        for name in tables:
            if name != AUDIT_TABLE:
                result = await conn.execute(text(f'SELECT * FROM "{name}"'))
                rows[name] = sorted(repr(tuple(row)) for row in result)
        return {"catalog": await _catalog(conn), "rows": rows}


async def _audited_refusals(app: FastAPI) -> list[str]:
    async with app.state.db.engine.connect() as conn:
        result = await conn.execute(
            text("SELECT details FROM audit_events WHERE action = 'query.sql' ORDER BY id")
        )
        details = [d if isinstance(d, dict) else json.loads(d) for (d,) in result]
    return [d["refused"] for d in details]


async def test_attacks_are_refused_and_change_nothing(
    app: FastAPI, sql_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    before = await _fingerprint(app)
    assert before["rows"]["tickets"] and before["rows"]["users"]  # something to lose
    assert len(ATTACKS) >= 30
    reasons = []
    for attack in ATTACKS:
        sql = attack.replace("{outside}", str(outside))
        response = await sql_client.post("/data/query/sql", json={"sql": sql})
        assert response.status_code == 400, (sql[:80], response.text)
        body = response.json()
        assert (body["success"], body["error"]) == (False, "BadRequest"), sql[:80]
        # A reason, not only a label: "sql: " and then why.
        assert body["detail"].startswith("sql: ") and len(body["detail"]) > 20, body["detail"]
        assert "Traceback" not in response.text
        reasons.append(body["detail"])
    assert await _fingerprint(app) == before
    assert list(outside.iterdir()) == []  # nothing written by COPY ... TO or ATTACH
    assert await _audited_refusals(app) == reasons


async def test_an_empty_query_is_a_validation_error_naming_sql(
    sql_client: httpx.AsyncClient,
) -> None:
    response = await sql_client.post("/data/query/sql", json={"sql": ""})
    assert response.status_code == 422
    body = response.json()
    assert (body["success"], body["error"]) == (False, "ValidationError")
    assert body["detail"].startswith("sql:")


async def test_select_answers_match_the_table(app: FastAPI, sql_client: httpx.AsyncClient) -> None:
    response = await sql_client.post(
        "/data/query/sql",
        json={
            "sql": "WITH r AS (SELECT category, csat FROM resolved_tickets) "
            "SELECT category, count(*) AS n, avg(csat) AS avg_csat FROM r "
            "GROUP BY category ORDER BY n DESC, category"
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == ["category", "n", "avg_csat"]
    async with app.state.db.engine.connect() as conn:
        want = (
            await conn.execute(
                text(
                    "SELECT category, count(*), avg(csat) FROM tickets "
                    "WHERE status IN ('resolved', 'closed') "
                    "GROUP BY category ORDER BY count(*) DESC, category"
                )
            )
        ).all()
    assert len(want) > 1
    assert [(r[0], r[1]) for r in body["rows"]] == [(r[0], r[1]) for r in want]
    assert [r[2] for r in body["rows"]] == [pytest.approx(float(r[2])) for r in want]
    assert body["row_count"] == len(want) and body["truncated"] is False


def _instant(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def test_percent_signs_and_dates_survive(app: FastAPI, sql_client: httpx.AsyncClient) -> None:
    query = (
        "SELECT count(*) AS n, max(created_at) AS last, '50%' AS pct FROM tickets "
        "WHERE subject LIKE '%a%'"
    )
    response = await sql_client.post("/data/query/sql", json={"sql": query})
    assert response.status_code == 200, response.text
    [(n, last, pct)] = response.json()["rows"]
    async with app.state.db.engine.connect() as conn:
        want = (
            await conn.execute(
                text("SELECT count(*), max(created_at) FROM tickets WHERE subject LIKE '%a%'")
            )
        ).one()
    assert 0 < n == want[0] < 300  # the pattern filtered, and filtered as written
    assert pct == "50%"
    assert _instant(last) == _instant(want[1])


async def test_rows_are_capped(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(SQL_QUERY_MAX_ROWS=25))
    async with app.router.lifespan_context(app):
        await demo.seed(app.state.db.engine, count=60, days=5, seed=1, now=NOW, tz=ZoneInfo("UTC"))
        async with make_client(app) as client:
            await sign_in(app, client, email=SUPERVISOR_EMAIL, role="Supervisor")
            response = await client.post("/data/query/sql", json={"sql": "SELECT id FROM tickets"})
        async with app.state.db.engine.connect() as conn:
            ids = set((await conn.execute(text("SELECT id FROM tickets"))).scalars())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["row_count"] == 25 and body["truncated"] is True
    assert body["columns"] == ["id"] and len(body["rows"]) == 25
    returned = [row[0] for row in body["rows"]]
    assert len(ids) == 60 and len(set(returned)) == 25 and set(returned) <= ids


async def test_slow_queries_are_stopped(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(SQL_QUERY_TIMEOUT_SECONDS=0.3))
    async with app.router.lifespan_context(app):
        await demo.seed(app.state.db.engine, count=400, days=5, seed=1, now=NOW, tz=ZoneInfo("UTC"))
        async with make_client(app) as client:
            await sign_in(app, client, email=SUPERVISOR_EMAIL, role="Supervisor")
            response = await client.post(
                "/data/query/sql",
                json={
                    "sql": "SELECT count(*) FROM tickets a, tickets b, tickets c "
                    "WHERE a.subject || b.subject < c.subject"
                },
            )
    assert response.status_code == 400
    assert response.json()["detail"] == "sql: the query ran longer than 0.3 s and was stopped."


async def test_engine_errors_are_400_without_internals(sql_client: httpx.AsyncClient) -> None:
    response = await sql_client.post("/data/query/sql", json={"sql": "SELECT nope FROM tickets"})
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["error"]) == (False, "BadRequest")
    assert body["detail"].startswith("sql: the database refused the query:")
    assert "nope" in body["detail"]
    for internal in ("Traceback", "sqlite3", "psycopg", "OperationalError", 'File "'):
        assert internal not in response.text, internal


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'a\x00b'",
        "SELECT '😀' AS emoji, count(*) FROM tickets",
        "SELECT 1 FROM",
        "SELECT ))",
        "SELECT 1e400",
        "SELECT CAST('x' AS INTEGER) + 1 FROM tickets",
        "SELECT 1/0",
        "SELECT id FROM tickets ORDER BY 99",
        'SELECT "tickets"."id" FROM "tickets" LIMIT -1',
        "SELECT * FROM tickets WHERE created_at > 'not a date'",
        # sqlglot reads a recursive JSON path but has no SQLite form for it.
        "SELECT json_extract(attributes, '$..x') FROM tickets",
    ],
)
async def test_odd_input_never_fails_the_server(sql: str, sql_client: httpx.AsyncClient) -> None:
    response = await sql_client.post("/data/query/sql", json={"sql": sql})
    assert response.status_code in (200, 400), (sql, response.text)
    body = response.json()
    if response.status_code == 200:
        assert body["row_count"] == len(body["rows"]) and body["truncated"] is False
        assert all(len(row) == len(body["columns"]) for row in body["rows"])
    else:
        assert (body["success"], body["error"]) == (False, "BadRequest")
        assert body["detail"].startswith("sql: ") and "Traceback" not in body["detail"]
