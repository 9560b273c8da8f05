"""SQL for the HubSpot sync: removals, counts, the cursor and the run ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core import kept
from cschat.core.db import utcnow
from cschat.integrations.hubspot.models import SyncRun, SyncState
from cschat.tickets.models import Ticket

STALE_RUN_DETAIL = "The process stopped mid-run."


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
        .values(status="interrupted", finished_at=utcnow(), detail=STALE_RUN_DETAIL)
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


def _latest_run(*columns: Any) -> Select[Any]:
    """`columns` of the latest run of `:source`."""
    return (
        select(*columns)
        .where(SyncRun.source == bindparam("source", type_=String))
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(1)
    )


_LAST_RUN = _latest_run(SyncRun)


async def last_run(session: AsyncSession, source: str) -> SyncRun | None:
    run: SyncRun | None = await session.scalar(_LAST_RUN, {"source": source})
    return run


# What the stats show of the last run: a kept statement, read on every stats call.
SUMMARY_FIELDS = ("source", "status", "started_at", "finished_at", "fetched", "upserted", "errors")
_LAST_RUN_SUMMARY = _latest_run(*(getattr(SyncRun, name) for name in SUMMARY_FIELDS))


async def last_run_summary(session: AsyncSession, source: str) -> dict[str, Any] | None:
    """`SUMMARY_FIELDS` of the latest run of `source`, times as UTC ISO 8601."""
    rows = await kept.rows(session, _LAST_RUN_SUMMARY, {"source": source})
    if not rows:
        return None
    summary = dict(zip(SUMMARY_FIELDS, rows[0], strict=True))
    for name in ("started_at", "finished_at"):
        moment = kept.utc(summary[name])
        summary[name] = moment.isoformat() if moment else None
    return summary
