"""The ingest service without HTTP: Idempotency-Key while running and after an interruption."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, event, func, select

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.core.errors import Conflict
from cschat.tickets.ingest import service
from cschat.tickets.ingest.models import IngestBatch
from cschat.tickets.models import Ticket

CALLER = service.Caller(id="user-1", name="one@example.com")
OPTIONS = service.IngestOptions(format="ndjson")
FIRST = b'{"external_id": "a", "created_at": "2024-01-01"}\n'
SECOND = b'{"external_id": "b", "created_at": "2024-01-02"}\n'


async def run(db: Database, chunks: AsyncIterator[bytes], key: str) -> service.IngestOutcome:
    return await service.ingest(
        db.engine,
        chunks,
        options=OPTIONS,
        caller=CALLER,
        app_tz=ZoneInfo("UTC"),
        batch_rows=1,
        idempotency_key=key,
    )


async def test_same_key_while_running_is_409_and_an_interrupted_key_can_retry(
    settings: Settings,
) -> None:
    db = Database(settings.db)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield FIRST
        started.set()  # the batch row exists before the body is read
        await release.wait()
        raise service.UploadInterrupted

    async def whole() -> AsyncIterator[bytes]:
        yield FIRST
        yield SECOND

    first = asyncio.create_task(run(db, slow(), "k1"))
    await started.wait()
    assert await _batch_status(db) == "running"
    with pytest.raises(Conflict, match="still being processed"):
        await run(db, whole(), "k1")
    release.set()
    with pytest.raises(service.UploadInterrupted):
        await first
    assert await _batch_status(db) == "interrupted"

    retried = await run(db, whole(), "k1")
    assert retried.status_code == 200 and not retried.replayed
    assert (retried.body["inserted"], retried.body["unchanged"]) == (1, 1)
    assert await _batch_status(db) == "completed"
    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 2
        assert await session.scalar(select(func.count()).select_from(IngestBatch)) == 1
    await db.dispose()


async def test_overlapping_ingests_keep_their_process_settings_until_the_last_ends(
    settings: Settings,
) -> None:
    """The collector's threshold is raised and the switch interval lowered while any runs."""
    db = Database(settings.db)
    default = gc.get_threshold()
    interval = sys.getswitchinterval()
    reading = [asyncio.Event(), asyncio.Event()]
    ends = [asyncio.Event(), asyncio.Event()]

    async def body(index: int) -> AsyncIterator[bytes]:
        yield (FIRST, SECOND)[index]
        reading[index].set()
        await ends[index].wait()

    first = asyncio.create_task(run(db, body(0), "g1"))
    await reading[0].wait()
    raised = gc.get_threshold()
    assert raised[0] > default[0] and raised[1:] == default[1:]
    assert sys.getswitchinterval() == pytest.approx(0.001)
    second = asyncio.create_task(run(db, body(1), "g2"))
    await reading[1].wait()
    ends[0].set()
    assert (await first).status_code == 200
    assert gc.get_threshold() == raised  # the second upload is still being read
    assert sys.getswitchinterval() == pytest.approx(0.001)
    ends[1].set()
    assert (await second).status_code == 200
    assert gc.get_threshold() == default
    assert sys.getswitchinterval() == interval
    await db.dispose()


async def _batch_status(db: Database) -> str | None:
    async with db.sessionmaker() as session:
        return await session.scalar(select(IngestBatch.status))


@pytest.mark.parametrize("at_commit", [3, 4, 6])
async def test_a_cancelled_ingest_records_what_it_committed(
    settings: Settings, at_commit: int
) -> None:
    """Ctrl-C or a stopping server cancels the ingest, here at a COMMIT (the record's, then the
    batches'): the batch being written finishes and is counted, the record says interrupted."""
    db = Database(settings.db)
    lines = (b'{"external_id": "c%d", "created_at": "2024-01-01"}\n' % i for i in range(3000))
    body = b"".join(lines)
    task: asyncio.Task[service.IngestOutcome] | None = None
    commits = 0

    def cancel_at_a_commit(conn: Connection) -> None:
        nonlocal commits
        commits += 1
        if commits == at_commit and task is not None:
            task.cancel()

    async def endless() -> AsyncIterator[bytes]:
        yield body
        await asyncio.Event().wait()

    event.listen(db.engine.sync_engine, "commit", cancel_at_a_commit)
    task = asyncio.create_task(
        service.ingest(
            db.engine,
            endless(),
            options=OPTIONS,
            caller=CALLER,
            app_tz=ZoneInfo("UTC"),
            batch_rows=200,
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    event.remove(db.engine.sync_engine, "commit", cancel_at_a_commit)
    async with db.sessionmaker() as session:
        stored = await session.scalar(select(func.count()).select_from(Ticket))
        record = (await session.execute(select(IngestBatch))).scalar_one()
    await db.dispose()
    assert stored is not None
    assert record.status == "interrupted"
    assert (record.inserted, record.updated, record.unchanged) == (stored, 0, 0)
    assert record.received >= stored


async def test_a_json_body_that_breaks_keeps_the_records_before_the_break(
    settings: Settings,
) -> None:
    """Records completed before a syntax error are kept (on_error=skip) whether or not they came
    in the chunk that breaks, and the body's own mapping applies to them."""
    db = Database(settings.db)
    body = (
        b'{"mapping": {"id": "external_id", "opened": "created_at"}, "tickets": ['
        b'{"id": "j1", "opened": "2024-01-01"}, {"id": "j2", "opened": "2024-01-02"}, {"id": ]}'
    )

    async def one_chunk() -> AsyncIterator[bytes]:
        yield body

    outcome = await service.ingest(
        db.engine,
        one_chunk(),
        options=service.IngestOptions(format="json"),
        caller=CALLER,
        app_tz=ZoneInfo("UTC"),
        batch_rows=10,
    )
    async with db.sessionmaker() as session:
        stored = (await session.scalars(select(Ticket.external_id).order_by(Ticket.id))).all()
    await db.dispose()
    assert outcome.status_code == 422, outcome.body
    assert "not valid JSON after row 2" in outcome.body["detail"]
    assert (outcome.body["received"], outcome.body["inserted"]) == (2, 2), str(outcome.body)
    assert stored == ["j1", "j2"]
