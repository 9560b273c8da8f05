import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.tickets.models import ROW_COLUMNS, Ticket
from cschat.tickets.upsert import SQLITE_STATEMENT_ROWS, Row, UpsertCounts, upsert_tickets

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def row(external_id: str, **changes: Any) -> Row:
    base: dict[str, Any] = {
        "source": "hubspot",
        "external_id": external_id,
        "subject": f"Ticket {external_id}",
        "description": None,
        "resolution": None,
        "category": "Billing",
        "priority": "High",
        "channel": "Email",
        "status": "open",
        "agent": "ana@example.com",
        "team": "Care",
        "customer": None,
        "created_at": CREATED,
        "first_response_at": None,
        "first_response_minutes": 12.5,
        "resolved_at": None,
        "resolution_minutes": None,
        "csat": None,
        "language": None,
        "tags": None,
        "attributes": {"agent_name": "Ana", "stage": "New"},
    }
    values = {**base, **changes}
    return tuple(values[c] for c in ROW_COLUMNS)


async def test_counts_say_exactly_what_changed(settings: Settings) -> None:
    """The sync relies on these counts and on a session's connection sharing its transaction."""
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        first = await upsert_tickets(await session.connection(), [row("1"), row("2"), row("3")])
        await session.commit()
    async with db.sessionmaker() as session:
        ingested = await session.scalar(select(Ticket.ingested_at).where(Ticket.external_id == "1"))
    async with db.engine.begin() as conn:
        second = await upsert_tickets(
            conn,
            [
                row("1"),  # unchanged
                row("2", status="closed", resolved_at=CREATED, resolution_minutes=60.0),
                row("3", attributes={"agent_name": "Ana", "stage": "Waiting"}),
                row("4", subject="new"),
            ],
        )
    async with db.sessionmaker() as session:
        stored = {t.external_id: t for t in (await session.scalars(select(Ticket))).all()}
    await db.dispose()
    assert first == UpsertCounts(inserted=3, updated=0, unchanged=0)
    assert second == UpsertCounts(inserted=1, updated=2, unchanged=1)
    assert second.upserted == 3
    assert stored["2"].status == "closed" and stored["2"].resolved_at == CREATED
    assert stored["3"].attributes == {"agent_name": "Ana", "stage": "Waiting"}
    assert stored["4"].subject == "new"
    assert stored["1"].ingested_at == ingested  # the first arrival is kept
    assert stored["2"].updated_at > stored["1"].updated_at
    assert len(stored) == 4


async def test_a_batch_over_several_sqlite_statements_counts_and_stores_every_row(
    settings: Settings,
) -> None:
    """SQLite writes a batch as statements of `SQLITE_STATEMENT_ROWS` rows: rows on both sides
    of each boundary are counted once and stored with their exact times."""
    size = 2 * SQLITE_STATEMENT_ROWS + 7
    boundaries = {SQLITE_STATEMENT_ROWS - 1, SQLITE_STATEMENT_ROWS, size - 1}
    plus_two = timezone(timedelta(hours=2))
    db = Database(settings.db)
    rows = [row(str(n), created_at=CREATED + timedelta(microseconds=n)) for n in range(size)]
    changed = {n for n in range(size) if n % 100 == 0} | boundaries
    resent = [
        row(
            str(n),
            created_at=CREATED + timedelta(microseconds=n),
            resolved_at=datetime(2026, 3, 2, 11, 0, 0, n, tzinfo=plus_two),
            tags=["refund", str(n)],
        )
        if n in changed
        else rows[n]
        for n in range(size)
    ]
    async with db.engine.begin() as conn:
        first = await upsert_tickets(conn, rows)
    async with db.engine.begin() as conn:
        second = await upsert_tickets(conn, resent)
    async with db.sessionmaker() as session:
        stored = {t.external_id: t for t in (await session.scalars(select(Ticket))).all()}
    await db.dispose()
    assert first == UpsertCounts(inserted=size, updated=0, unchanged=0)
    assert second == UpsertCounts(inserted=0, updated=len(changed), unchanged=size - len(changed))
    assert len(stored) == size
    for n in (0, 1, *boundaries):
        ticket = stored[str(n)]
        assert ticket.created_at == CREATED + timedelta(microseconds=n)
        if n in changed:
            assert ticket.resolved_at == datetime(2026, 3, 2, 9, 0, 0, n, tzinfo=UTC)
            assert ticket.tags == ["refund", str(n)]
        else:
            assert ticket.resolved_at is None and ticket.tags is None


async def test_a_refused_row_in_one_statement_leaves_none_of_the_batch(settings: Settings) -> None:
    """A row the table's checks refuse, in the middle statement: the caller's transaction rolls
    back after every statement has run, and no row of the batch is stored."""
    size = 2 * SQLITE_STATEMENT_ROWS + 7
    rows = [row(str(n), csat=9 if n == SQLITE_STATEMENT_ROWS + 3 else None) for n in range(size)]
    db = Database(settings.db)
    with pytest.raises((sqlite3.IntegrityError, IntegrityError), match="csat"):
        async with db.engine.begin() as conn:
            await upsert_tickets(conn, rows)
    async with db.sessionmaker() as session:
        stored = (await session.scalars(select(Ticket.id))).all()
    await db.dispose()
    assert stored == []
