"""Kept statements: the same rows as through SQLAlchemy, seen by observers, and a connection the
server dropped is replaced by the pool."""

import asyncio
from typing import Any

import psycopg
import pytest
from sqlalchemy import String, bindparam, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import async_sessionmaker

from cschat.core import kept
from cschat.core.db import for_reads, make_engine
from cschat.tickets.models import Ticket

tickets = Ticket.__table__
# A bound value and a literal of its own (the HAVING's 1), like the daily totals' statements.
PER_STATUS = (
    select(tickets.c.status, func.count())
    .where(tickets.c.source == bindparam("source", type_=String))
    .group_by(tickets.c.status)
    .having(func.count() > 1)
    .order_by(tickets.c.status)
)


async def test_rows_equal_sqlalchemys_and_observers_see_what_is_sent(database_url: URL) -> None:
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO tickets (source, external_id, status, created_at, ingested_at, "
                "updated_at) VALUES (:source, :id, :status, :at, :at, :at)"
            ),
            [
                {"source": source, "id": str(n), "status": status, "at": "2024-01-01"}
                for n, (source, status) in enumerate(
                    [("a", "open")] * 3 + [("a", "closed")] * 2 + [("a", "new"), ("b", "open")]
                )
            ],
        )
    sent: list[tuple[str, Any]] = []
    sessions = async_sessionmaker(for_reads(engine))
    try:
        async with sessions() as session:
            with kept.observed(lambda sql, values: sent.append((sql, values))):
                found = await kept.rows(session, PER_STATUS, {"source": "a"})
            through = (await session.execute(PER_STATUS, {"source": "a"})).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in found] == [tuple(r) for r in through] == [("closed", 2), ("open", 3)]
    if database_url.get_backend_name() == "postgresql":
        ((sql, values),) = sent
        assert "GROUP BY tickets.status" in sql and values["source"] == "a"
    else:
        assert sent == []  # SQLite runs them through the session


async def test_a_connection_the_server_dropped_is_replaced(database_url: URL) -> None:
    if database_url.get_backend_name() != "postgresql":
        pytest.skip("a server to drop the connection")
    engine = make_engine(database_url)
    sessions = async_sessionmaker(for_reads(engine))
    try:
        async with sessions() as session:
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
        killer = make_engine(database_url)
        async with killer.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await killer.dispose()
        await asyncio.sleep(0.05)
        async with sessions() as session:
            with pytest.raises(psycopg.OperationalError):
                await kept.rows(session, PER_STATUS, {"source": "a"})
        async with sessions() as session:
            assert await kept.rows(session, PER_STATUS, {"source": "a"}) == []
            assert await session.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
