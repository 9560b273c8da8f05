import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, text
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


async def test_times_are_stored_as_the_orm_stores_them(settings: Settings) -> None:
    """The upsert writes times its own way on SQLite (a column at a time, not per value), and
    queries compare them with values the ORM binds: the stored text (SQLite) or value must be
    the ORM's for the same instant in any offset. Re-sent, they are unchanged; moved by a
    microsecond, an update."""
    plus_two, minus_five = timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))
    forms = [
        (CREATED, None, None),
        (CREATED + timedelta(microseconds=7), CREATED + timedelta(seconds=1), None),
        (
            CREATED,
            CREATED + timedelta(minutes=3, microseconds=999_999),
            CREATED + timedelta(days=2),
        ),
    ]

    def timed(key: str, c: datetime, f: datetime | None, r: datetime | None) -> Row:
        return row(key, created_at=c, first_response_at=f, resolved_at=r, status="resolved")

    db = Database(settings.db)
    async with db.sessionmaker() as session:
        session.add_all(
            Ticket(**dict(zip(ROW_COLUMNS, timed(f"orm-{n}", *form), strict=True)))
            for n, form in enumerate(forms)
        )
        await session.commit()
    sent = [
        timed(f"up-{n}", c.astimezone(plus_two), f and f.astimezone(minus_five), r)
        for n, (c, f, r) in enumerate(forms)
    ]
    async with db.engine.begin() as conn:
        first = await upsert_tickets(conn, sent)
    async with db.engine.begin() as conn:
        again = await upsert_tickets(
            conn, [timed(f"up-{n}", *form) for n, form in enumerate(forms)]
        )
    moved = CREATED + timedelta(microseconds=8)
    async with db.engine.begin() as conn:
        once_more = await upsert_tickets(conn, [timed("up-1", moved, *forms[1][1:])])
        stored = {
            key: tuple(times)
            for key, *times in await conn.execute(
                text("SELECT external_id, created_at, first_response_at, resolved_at FROM tickets")
            )
        }
    await db.dispose()
    assert first == UpsertCounts(inserted=len(forms), updated=0, unchanged=0)
    assert again == UpsertCounts(inserted=0, updated=0, unchanged=len(forms))
    assert once_more == UpsertCounts(inserted=0, updated=1, unchanged=0)
    assert stored["up-0"] == stored["orm-0"] and stored["up-2"] == stored["orm-2"]
    assert stored["up-1"][1:] == stored["orm-1"][1:] and stored["up-1"][0] != stored["orm-1"][0]
    async with db.sessionmaker() as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.external_id == "up-1"))
    await db.dispose()
    assert ticket is not None and ticket.created_at == moved
