"""SQL for `ingest_batches`: the record of each ingest request and its Idempotency-Key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from cschat.core import kept
from cschat.core.db import utcnow
from cschat.tickets.ingest.models import IngestBatch
from cschat.tickets.ingest.schemas import LastIngest

_COUNTS = ("received", "inserted", "updated", "unchanged", "rejected")


async def find_by_key(conn: AsyncConnection, *, caller_id: str, key: str) -> IngestBatch | None:
    """The batch a caller started with this Idempotency-Key, if any."""
    result = await conn.execute(
        select(IngestBatch.__table__).where(
            IngestBatch.caller_id == caller_id, IngestBatch.idempotency_key == key
        )
    )
    row = result.mappings().one_or_none()
    return IngestBatch(**row) if row is not None else None


async def start(conn: AsyncConnection, **values: Any) -> int:
    """Insert a running batch (IntegrityError when the caller's Idempotency-Key is taken)."""
    values = {**dict.fromkeys(_COUNTS, 0), "status": "running", "started_at": utcnow(), **values}
    batch_id: int | None = await conn.scalar(
        insert(IngestBatch).values(**values).returning(IngestBatch.id)
    )
    assert batch_id is not None
    return batch_id


async def restart(conn: AsyncConnection, batch_id: int, **values: Any) -> None:
    """Take over an interrupted batch for a retry with the same Idempotency-Key."""
    await conn.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch_id)
        .values(status="running", started_at=utcnow(), finished_at=None, **values)
    )


async def finish(conn: AsyncConnection, batch_id: int, **values: Any) -> None:
    """Store a batch's outcome (status, counts, answer)."""
    await conn.execute(
        update(IngestBatch).where(IngestBatch.id == batch_id).values(finished_at=utcnow(), **values)
    )


# A kept statement: the stats endpoint reads it on every call.
_LAST_INGEST = (
    select(*(getattr(IngestBatch, name) for name in LastIngest.model_fields))
    .where(IngestBatch.finished_at.is_not(None))
    .order_by(IngestBatch.finished_at.desc(), IngestBatch.id.desc())
    .limit(1)
)


async def last_ingest(session: AsyncSession) -> LastIngest | None:
    """The most recent finished ingest request (for the stats endpoint)."""
    rows = await kept.rows(session, _LAST_INGEST)
    if not rows:
        return None
    fields = dict(zip(LastIngest.model_fields, rows[0], strict=True))
    fields["finished_at"] = kept.utc(fields["finished_at"])
    return LastIngest.model_validate(fields)
