"""SQL for the audit log: insert and filtered reads, never UPDATE or DELETE."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    """What `GET /api/audit` narrows by; None means any."""

    action: str | None = None
    actor: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: Select[Any], f: AuditFilter) -> Select[Any]:
    if f.action is not None:
        # `user.` selects a whole family of actions, `user.delete` one action.
        if f.action.endswith("."):
            query = query.where(AuditEvent.action.startswith(f.action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == f.action)
    if f.actor is not None:
        query = query.where(AuditEvent.actor == f.actor)
    if f.target is not None:
        query = query.where(AuditEvent.target == f.target)
    if f.since is not None:
        query = query.where(AuditEvent.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEvent.at < f.until)
    return query


async def add(session: AsyncSession, event: AuditEvent) -> None:
    session.add(event)
    await session.flush()


async def page(
    session: AsyncSession, f: AuditFilter, *, limit: int, offset: int
) -> tuple[Sequence[AuditEvent], int]:
    """Newest first, with the total count of matching events."""
    total = await session.scalar(_filtered(select(func.count()).select_from(AuditEvent), f))
    rows = await session.scalars(
        _filtered(select(AuditEvent), f)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    events: Sequence[AuditEvent] = rows.all()
    return events, int(total or 0)


async def stream(session: AsyncSession, f: AuditFilter) -> AsyncIterator[AuditEvent]:
    """Every matching event, oldest first, read in batches rather than all at once."""
    result = await session.stream_scalars(
        _filtered(select(AuditEvent), f)
        .order_by(AuditEvent.at, AuditEvent.id)
        .execution_options(yield_per=500)
    )
    async for event in result:
        yield event
