"""The engine-level guards hold on their own, even for SQL the static checks never see."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from cschat.core.db import Database
from cschat.core.errors import BadRequest
from cschat.tickets import sql_runner

SQLITE_REFUSED = [
    "DELETE FROM tickets",
    "CREATE TABLE stolen (a int)",
    "SELECT * FROM sqlite_master",
    "SELECT load_extension('/tmp/evil.so')",
    "ATTACH DATABASE '/tmp/evil.db' AS evil",
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


async def _count(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM tickets"))).scalar_one())


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
async def test_sqlite_authorizer_and_read_only_connection(db: Database, sql: str) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite only")
    await _seed(db)
    path = db.engine.url.database
    assert path
    with pytest.raises(BadRequest):
        await sql_runner.run_sqlite(path, sql, cap=10, seconds=2)
    assert await _count(db) == 1
    ok = await sql_runner.run_sqlite(path, "SELECT count(*) FROM tickets", cap=10, seconds=2)
    assert ok.rows == [[1]]


@pytest.mark.parametrize("sql", POSTGRES_REFUSED)
async def test_postgres_read_only_transaction(db: Database, sql: str) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    await _seed(db)
    with pytest.raises(BadRequest, match="refused"):
        await sql_runner.run_postgres(db.engine, sql, cap=10, seconds=2)
    assert await _count(db) == 1


async def test_postgres_statement_timeout(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(BadRequest, match="longer than"):
        await sql_runner.run_postgres(db.engine, "SELECT pg_sleep(5)", cap=10, seconds=0.2)
