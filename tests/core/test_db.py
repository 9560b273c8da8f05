import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from cschat.core.config import Settings
from cschat.core.db import Base, Database, make_engine
from cschat.core.migrate import current_revision, head_revision
from cschat.models import import_all_models, include_name
from cschat.tickets.models import Ticket


async def test_models_and_migrations_agree(database_url: URL) -> None:
    import_all_models()
    engine = make_engine(database_url)
    async with engine.connect() as conn:

        def diff(sync_conn):  # type: ignore[no-untyped-def]
            context = MigrationContext.configure(
                sync_conn, opts={"compare_type": True, "include_name": include_name}
            )
            return compare_metadata(context, Base.metadata)

        differences = await conn.run_sync(diff)
        views = await conn.run_sync(lambda c: inspect(c).get_view_names())
    await engine.dispose()
    assert differences == []
    assert "resolved_tickets" in views


async def test_database_is_at_head(database_url: URL) -> None:
    engine = make_engine(database_url)
    assert await current_revision(engine) == head_revision()
    await engine.dispose()


async def test_aware_datetimes_round_trip_in_utc(settings: Settings) -> None:
    db = Database(settings.db)
    madrid = timezone(timedelta(hours=2))
    created = datetime(2024, 3, 31, 2, 30, 15, 123456, tzinfo=madrid)
    async with db.sessionmaker() as session:
        session.add(Ticket(source="t", external_id="1", status="open", created_at=created))
        await session.commit()
    async with db.sessionmaker() as session:
        loaded = await session.scalar(select(Ticket.created_at))
    await db.dispose()
    assert loaded == created
    assert loaded is not None and loaded.tzinfo is not None
    assert loaded.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(settings: Settings) -> None:
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        session.add(
            Ticket(source="t", external_id="1", status="open", created_at=datetime(2024, 1, 1))
        )
        with pytest.raises(Exception, match="naive datetime"):
            await session.commit()
    await db.dispose()


async def test_resolved_view_holds_resolved_and_closed(settings: Settings) -> None:
    db = Database(settings.db)
    now = datetime.now(UTC)
    async with db.sessionmaker() as session:
        for n, status in enumerate(("new", "open", "in_progress", "resolved", "closed")):
            session.add(Ticket(source="t", external_id=str(n), status=status, created_at=now))
        await session.commit()
        statuses = (await session.execute(text("SELECT status FROM resolved_tickets"))).scalars()
        assert sorted(statuses) == ["closed", "resolved"]
    await db.dispose()


async def test_status_and_csat_are_checked(settings: Settings) -> None:
    from sqlalchemy.exc import IntegrityError

    db = Database(settings.db)
    now = datetime.now(UTC)
    for bad in ({"status": "done"}, {"status": "open", "csat": 6}):
        async with db.sessionmaker() as session:
            session.add(Ticket(source="t", external_id="x", created_at=now, **bad))
            with pytest.raises(IntegrityError):
                await session.commit()
    await db.dispose()


async def test_sqlite_pragmas(settings: Settings) -> None:
    db = Database(settings.db)
    if db.dialect != "sqlite":
        await db.dispose()
        pytest.skip("SQLite only")
    async with db.engine.connect() as conn:
        assert (await conn.scalar(text("PRAGMA journal_mode"))) == "wal"
        assert (await conn.scalar(text("PRAGMA foreign_keys"))) == 1
        assert (await conn.scalar(text("PRAGMA busy_timeout"))) == 10_000
    await db.dispose()


async def test_concurrent_sessions_do_not_block_each_other(settings: Settings) -> None:
    db = Database(settings.db)

    async def add(n: int) -> None:
        async with db.sessionmaker() as session:
            session.add(
                Ticket(source="c", external_id=str(n), status="new", created_at=datetime.now(UTC))
            )
            await session.commit()

    await asyncio.gather(*(add(n) for n in range(20)))
    async with db.sessionmaker() as session:
        assert len((await session.scalars(select(Ticket.id))).all()) == 20
    await db.dispose()


@pytest.mark.parametrize("idle_seconds", [0.0, 3600.0], ids=["pinged", "trusted"])
async def test_a_connection_dropped_while_idle_is_replaced_once_idle_long_enough(
    database_url: URL, monkeypatch: pytest.MonkeyPatch, idle_seconds: float
) -> None:
    if database_url.get_backend_name() != "postgresql":
        pytest.skip("a server to drop the connection")
    monkeypatch.setattr("cschat.core.db.PING_AFTER_IDLE_SECONDS", idle_seconds)
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        killer = make_engine(database_url)
        async with killer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await killer.dispose()
        await asyncio.sleep(0.05)
        if idle_seconds:
            # A recently used connection is trusted without a round trip: a dropped one
            # fails on first use, and the pool then replaces it.
            async with engine.connect() as conn:
                with pytest.raises(OperationalError):
                    await conn.execute(text("SELECT 1"))
        async with engine.connect() as conn:
            again = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert again != pid
    finally:
        await engine.dispose()
