"""A big load into SQLite drops `tickets`' secondary indexes and builds them before it answers;
one that stopped midway has them built at start-up."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.main import create_app
from cschat.tickets import sqlite_load
from cschat.tickets.ingest import service
from cschat.tickets.ingest.schemas import OnError
from cschat.tickets.models import Ticket

CALLER = service.Caller(id="user-1", name="one@example.com")
ROWS = sqlite_load.DEFER_MIN_ROWS + 5_000
FEBRUARY = datetime(2024, 2, 1, tzinfo=UTC)
INDEXES = {str(ix.name) for ix in sqlite_load.deferrable_indexes()}


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    assert settings.db.url is not None
    if not settings.db.url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL keeps its indexes during a load")
    database = Database(settings.db)
    yield database
    await database.dispose()


async def _indexes(engine: AsyncEngine) -> set[str]:
    sql = text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets'")
    async with engine.connect() as conn:
        return set((await conn.scalars(sql)).all()) & INDEXES


def _line(number: int, subject: str = "hola") -> bytes:
    ticket = {
        "external_id": f"t{number}",
        "created_at": f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}T{number % 24:02d}:00:00Z",
        "subject": subject,
    }
    return json.dumps(ticket).encode() + b"\n"


async def _ingest(
    db: Database, chunks: AsyncIterator[bytes], batch_rows: int = 5_000, on_error: OnError = "skip"
) -> dict[str, int]:
    outcome = await service.ingest(
        db.engine,
        chunks,
        options=service.IngestOptions(format="ndjson", on_error=on_error),
        caller=CALLER,
        app_tz=ZoneInfo("UTC"),
        batch_rows=batch_rows,
    )
    return outcome.body


async def test_a_big_load_builds_the_indexes_it_dropped_before_answering(db: Database) -> None:
    during: list[set[str]] = []

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, ROWS, 1_000):
            yield b"".join(_line(n) for n in range(start, start + 1_000))
        during.append(await _indexes(db.engine))  # what another connection sees meanwhile

    reply = await _ingest(db, body())

    assert reply["inserted"] == ROWS
    assert during == [set()]
    assert await _indexes(db.engine) == INDEXES
    async with db.sessionmaker() as session:
        count = select(func.count()).select_from(Ticket).where(Ticket.created_at < FEBRUARY)
        assert await session.scalar(count) == sum(1 for n in range(ROWS) if n % 12 == 0)


async def test_a_small_load_keeps_the_indexes(db: Database) -> None:
    during: list[set[str]] = []

    async def body() -> AsyncIterator[bytes]:
        yield b"".join(_line(n) for n in range(2_000))
        during.append(await _indexes(db.engine))

    assert (await _ingest(db, body()))["inserted"] == 2_000
    assert during == [INDEXES]


async def test_an_all_or_nothing_load_that_fails_leaves_the_indexes_and_no_rows(
    db: Database,
) -> None:
    async def body() -> AsyncIterator[bytes]:
        for start in range(0, ROWS, 5_000):
            yield b"".join(_line(n) for n in range(start, start + 5_000))
        yield b'{"external_id": "bad", "created_at": "not a date"}\n'

    reply = await _ingest(db, body(), on_error="reject_all")

    assert reply["rejected"] == 1 and reply["inserted"] == 0
    assert await _indexes(db.engine) == INDEXES
    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 0


async def test_indexes_dropped_by_the_first_batch_come_back_when_it_is_rolled_back(
    db: Database,
) -> None:
    """The drop belongs to its batch's transaction even when no batch opened one before it."""

    async def body() -> AsyncIterator[bytes]:
        yield b"".join(_line(n) for n in range(ROWS))
        yield b'{"external_id": "bad", "created_at": "not a date"}\n'

    batch = sqlite_load.DEFER_MIN_ROWS  # the first batch crosses the threshold
    reply = await _ingest(db, body(), batch_rows=batch, on_error="reject_all")

    assert reply["rejected"] == 1 and reply["inserted"] == 0
    assert await _indexes(db.engine) == INDEXES


async def test_an_all_or_nothing_load_commits_its_rows_with_the_indexes(db: Database) -> None:
    async def body() -> AsyncIterator[bytes]:
        for start in range(0, ROWS, 5_000):
            yield b"".join(_line(n) for n in range(start, start + 5_000))

    reply = await _ingest(db, body(), on_error="reject_all")

    assert reply["inserted"] == ROWS
    assert await _indexes(db.engine) == INDEXES


async def test_start_up_builds_indexes_a_stopped_load_left_dropped(
    db: Database, settings: Settings
) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP INDEX ix_tickets_created_at"))
        await conn.execute(text("DROP INDEX ix_tickets_updated_at"))
    assert await _indexes(db.engine) == INDEXES - {"ix_tickets_created_at", "ix_tickets_updated_at"}

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert await _indexes(db.engine) == INDEXES
