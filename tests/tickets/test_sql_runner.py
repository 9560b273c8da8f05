"""The engine-level guards hold on their own, even for SQL the static checks never see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cschat.core.db import Database
from cschat.core.errors import BadRequest
from cschat.tickets import sql_runner
from tests.tickets.test_sql_query import _catalog

SQLITE_REFUSED = [
    "DELETE FROM tickets",
    "CREATE TABLE stolen (a int)",
    "SELECT * FROM sqlite_master",
    "SELECT load_extension('/tmp/evil.so')",
    "ATTACH DATABASE '{outside}/evil.db' AS evil",
    "PRAGMA writable_schema = 1",
    "SELECT randomblob(10)",
]
POSTGRES_REFUSED = [
    "DELETE FROM tickets",
    "CREATE TABLE stolen (a int)",
    "UPDATE tickets SET csat = 1",
    "SELECT set_config('transaction_read_only', 'off', true)",
]
# Catalog and server-file functions are stopped by the static checks; the engine layer cannot stop
# them for a superuser, which is why production should query through a least-privilege role.


async def _state(db: Database) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The schema and the tickets' rows, every column (a refused UPDATE keeps the count)."""
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM tickets ORDER BY id"))).all()
        return await _catalog(conn), [tuple(row) for row in rows]


async def _seed(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO tickets (source, external_id, status, created_at, ingested_at, "
                "updated_at) VALUES ('t', '1', 'new', '2024-01-01 00:00:00', "
                "'2024-01-01 00:00:00', '2024-01-01 00:00:00')"
            )
        )


@pytest.mark.parametrize("sql", SQLITE_REFUSED)
async def test_sqlite_authorizer_and_read_only_connection(
    db: Database, sql: str, tmp_path: Path
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite only")
    await _seed(db)
    before = await _state(db)
    outside = tmp_path / "outside"
    outside.mkdir()
    path = db.engine.url.database
    assert path
    with pytest.raises(BadRequest, match=r"^sql: the database refused the query: "):
        await sql_runner.run_sqlite(path, sql.replace("{outside}", str(outside)), cap=10, seconds=2)
    assert await _state(db) == before
    assert list(outside.iterdir()) == []
    ok = await sql_runner.run_sqlite(path, "SELECT count(*) FROM tickets", cap=10, seconds=2)
    assert ok.rows == [[1]]


@pytest.mark.parametrize("sql", POSTGRES_REFUSED)
async def test_postgres_read_only_transaction(db: Database, sql: str) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    await _seed(db)
    before = await _state(db)
    with pytest.raises(BadRequest, match=r"^sql: the database refused the query: "):
        await sql_runner.run_postgres(db.engine, sql, cap=10, seconds=2)
    assert await _state(db) == before
    # The read-only setting ended with the refused query's transaction.
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SHOW transaction_read_only")) == "off"
    ok = await sql_runner.run_postgres(db.engine, "SELECT count(*) FROM tickets", cap=10, seconds=2)
    assert ok.rows == [[1]]


async def test_postgres_statement_timeout(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(BadRequest, match="longer than"):
        await sql_runner.run_postgres(db.engine, "SELECT pg_sleep(5)", cap=10, seconds=0.2)
