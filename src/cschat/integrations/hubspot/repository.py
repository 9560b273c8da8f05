"""SQL for the HubSpot sync: the ticket upsert, the cursor and the run ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from cschat.core.db import utcnow
from cschat.integrations.hubspot.models import SyncRun, SyncState
from cschat.tickets.models import Ticket

# Columns a sync may change; `ingested_at` keeps the first arrival.
KEY_COLUMNS = ("source", "external_id")
DATA_COLUMNS = tuple(
    c.name
    for c in Ticket.__table__.columns
    if c.name not in ("id", "ingested_at", "updated_at") and c.name not in KEY_COLUMNS
)


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def upserted(self) -> int:
        return self.inserted + self.updated


def _dialect(executor: AsyncSession | AsyncConnection) -> str:
    if isinstance(executor, AsyncSession):
        return executor.get_bind().dialect.name
    return executor.dialect.name


async def upsert_tickets(
    executor: AsyncSession | AsyncConnection, rows: list[dict[str, Any]]
) -> UpsertCounts:
    """Insert or update rows by (source, external_id); rows whose values did not change are left
    alone, so the counts say exactly what changed."""
    by_key = {(r["source"], r["external_id"]): r for r in rows}  # last one wins within a batch
    if not by_key:
        return UpsertCounts()
    sources = {source for source, _ in by_key}
    found = await executor.execute(
        select(Ticket.source, Ticket.external_id).where(
            Ticket.source.in_(sources),
            Ticket.external_id.in_([external_id for _, external_id in by_key]),
        )
    )
    existing = {(source, external_id) for source, external_id in found}
    now = utcnow()
    values = [{**row, "ingested_at": now, "updated_at": now} for row in by_key.values()]
    insert = postgresql.insert if _dialect(executor) == "postgresql" else sqlite.insert
    # Core statement + executemany: compiled once and cached, sent as multi-row VALUES batches.
    table = cast(Table, Ticket.__table__)
    stmt = insert(table)
    changed = or_(*(table.c[name].is_distinct_from(stmt.excluded[name]) for name in DATA_COLUMNS))
    upsert = stmt.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={**{name: stmt.excluded[name] for name in DATA_COLUMNS}, "updated_at": now},
        where=changed,
    ).returning(table.c.source, table.c.external_id)
    conn = await executor.connection() if isinstance(executor, AsyncSession) else executor
    written = {(source, external_id) for source, external_id in await conn.execute(upsert, values)}
    inserted = len(written - existing)
    updated = len(written & existing)
    return UpsertCounts(inserted, updated, len(by_key) - inserted - updated)


async def delete_tickets(session: AsyncSession, source: str, external_ids: list[str]) -> int:
    """Remove tickets by id; returns how many were there."""
    if not external_ids:
        return 0
    result = await session.execute(
        delete(Ticket)
        .where(Ticket.source == source, Ticket.external_id.in_(external_ids))
        .returning(Ticket.id)
    )
    return len(result.all())


async def count_tickets(session: AsyncSession, source: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.source == source)
        )
        or 0
    )


async def get_state(session: AsyncSession, source: str) -> SyncState | None:
    return await session.get(SyncState, source)


async def save_cursor(
    session: AsyncSession,
    source: str,
    *,
    cursor_ms: int | None,
    cursor_id: str | None,
    full_at: datetime | None = None,
) -> None:
    """Set the cursor (None starts over); the caller commits it together with the batch."""
    state = await session.get(SyncState, source)
    if state is None:
        state = SyncState(source=source)
        session.add(state)
    state.cursor_ms = cursor_ms
    state.cursor_id = cursor_id
    if full_at is not None:
        state.last_full_at = full_at
    state.updated_at = utcnow()
    await session.flush()


async def create_run(session: AsyncSession, *, source: str, mode: str, trigger: str) -> SyncRun:
    run = SyncRun(
        source=source,
        mode=mode,
        trigger=trigger,
        status="running",
        started_at=utcnow(),
        fetched=0,
        inserted=0,
        updated=0,
        upserted=0,
        removed=0,
        errors=0,
    )
    session.add(run)
    await session.flush()
    return run


async def interrupt_stale_runs(session: AsyncSession, source: str) -> int:
    """`running` rows left by a killed process (the caller holds the sync lock)."""
    result = await session.execute(
        update(SyncRun)
        .where(SyncRun.source == source, SyncRun.status == "running")
        .values(status="interrupted", finished_at=utcnow(), detail="The process stopped mid-run.")
        .returning(SyncRun.id)
    )
    return len(result.all())


async def add_to_run(session: AsyncSession, run_id: int, **counts: int) -> None:
    """Add to a run's counters, in the same transaction as the batch they describe."""
    await session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values({name: getattr(SyncRun, name) + value for name, value in counts.items()})
    )


async def finish_run(
    session: AsyncSession, run_id: int, *, status: str, detail: str | None
) -> None:
    await session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(status=status, detail=detail, finished_at=utcnow())
    )


async def get_run(session: AsyncSession, run_id: int) -> SyncRun | None:
    return await session.get(SyncRun, run_id, populate_existing=True)


async def last_run(session: AsyncSession, source: str) -> SyncRun | None:
    return await session.scalar(
        select(SyncRun)
        .where(SyncRun.source == source)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(1)
    )
