"""Ingest: stream -> parser -> normaliser -> batched upsert, with a record and Idempotency-Key.

Used by `POST /data/ingest` and `cschat ingest` alike. With `on_error=skip` every batch is its own
transaction, committed as soon as it is written (an upload that breaks off keeps the batches
already committed, plus the complete records received before the break). With
`on_error=reject_all` the whole upload is one transaction, committed only when no record was
refused.

This service commits (per batch) on purpose: a per-request session could not keep earlier batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import sys
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cschat.core.errors import AppError, BadRequest, Conflict, Unprocessable
from cschat.tickets import daily, search
from cschat.tickets.ingest import mapping as mappings
from cschat.tickets.ingest import repository
from cschat.tickets.ingest.normalise import MAX_ERRORS, Normaliser, RowError
from cschat.tickets.ingest.parsers import BodyError, Parser, Record, make_parser
from cschat.tickets.ingest.schemas import IngestRead, OnError, RowErrorRead
from cschat.tickets.sqlite_load import Load, bulk_load
from cschat.tickets.upsert import UpsertCounts, upsert_tickets

log = structlog.get_logger(__name__)
DEFAULT_SOURCE = "ingest"
# While a batch is being written, parsing yields to the event loop every YIELD_EVERY rows and
# the parser takes at most FEED_BYTES at a time. Each await of the write (its start, its call on
# SQLite's thread, COMMIT) resumes only at such a yield: at 500 rows and 1 MB per step, a write
# reached SQLite only once the next batch was parsed, and a million-row load spent 14 s of its
# 30 waiting for it (now under 1 s, with `upsert`'s one call per batch). A yield costs ~10 us.
YIELD_EVERY = 100
FEED_BYTES = 1 << 16


class UploadInterrupted(BadRequest):
    """The client went away before the body ended (a 400 nobody reads, not a server error)."""

    def __init__(self) -> None:
        super().__init__("The upload ended before the body was complete.")


@dataclass(frozen=True)
class IngestOptions:
    """What the caller asked for besides the body."""

    format: str
    map: str | None = None
    source: str | None = None
    timezone: str | None = None
    on_error: OnError = "skip"


@dataclass(frozen=True)
class Caller:
    """Who ingests: `id` scopes Idempotency-Keys, `name` is shown in the record."""

    id: str
    name: str


@dataclass
class IngestOutcome:
    """The reply to send (a stored one when `replayed`)."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False
    batch_id: int | None = None


@dataclass
class _Tally:
    received: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: UpsertCounts = field(default_factory=UpsertCounts)

    def refuse(self, errors: list[RowError]) -> None:
        self.rejected += 1
        room = MAX_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def numbers(self) -> dict[str, int]:
        return {"received": self.received, **asdict(self.counts), "rejected": self.rejected}


class _WhileIngesting:
    """Process-wide settings for as long as any ingest runs (ingests overlap): the cyclic
    collector's first threshold and the interpreter's switch interval, raised or lowered to at
    least these values, then put back."""

    def __init__(self, gc_threshold: int, switch_interval: float) -> None:
        self.gc_threshold = gc_threshold
        self.switch_interval = switch_interval
        self._users = 0
        self._saved: tuple[int, float] = (0, 0.0)
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = gc.get_threshold()[0], sys.getswitchinterval()
                gc.set_threshold(max(self._saved[0], self.gc_threshold))
                sys.setswitchinterval(min(self._saved[1], self.switch_interval))
            self._users += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                gc.set_threshold(self._saved[0])
                sys.setswitchinterval(self._saved[1])


# Collector: an ingest allocates several containers per row and keeps batches of rows alive, so
# at the default threshold (700) the collector ran ~6 passes per 1,000 CSV rows, full ones
# walking the whole heap: half of the parse CPU (bench/ingest_cpu.py, 100k rows: 11 -> 6 us per
# row, about what freezing the startup heap gains too, see `freeze_startup_heap`; kept for the
# CLI and what the app creates later). The trigger is the net growth of tracked objects (three
# per row): two default batches, one being written on PostgreSQL, stay below 100,000, so no
# pass runs while rows stream, yet cyclic garbage is still collected.
# Switch interval: on SQLite a batch is written on aiosqlite's thread while this one parses
# the next. Between its statements (each runs with the GIL released) that thread needs the GIL
# back, and it waits up to a switch interval for the busy parser to let go: at the default 5 ms,
# 1,000,000 rows spent ~7 s of the writer's 20 s waiting; at 1 ms the load took 21 s, not 27.
ingest_settings = _WhileIngesting(gc_threshold=100_000, switch_interval=0.001)


def _zone(name: str) -> ZoneInfo:
    try:
        return mappings.zone(name)
    except mappings.MappingError as exc:
        raise Unprocessable(str(exc)) from None


class _Run:
    """One upload being written: batches of unique keys, at most one batch in flight."""

    def __init__(
        self,
        conn: AsyncConnection,
        options: IngestOptions,
        *,
        app_tz: ZoneInfo,
        batch_rows: int,
    ) -> None:
        self.conn = conn
        self.options = options
        self.app_tz = app_tz
        self.batch_rows = batch_rows
        self.tally = _Tally()
        try:
            self.mapping = mappings.parse(options.map)
        except mappings.MappingError as exc:
            raise Unprocessable(f"map: {exc}") from None
        if options.source is not None and "\x00" in options.source:
            raise Unprocessable("source: contains a NUL character")
        self.tz = _zone(options.timezone) if options.timezone else None
        self.normaliser = self._normaliser()
        self.batch: list[tuple[Any, ...]] = []
        self.keys: set[tuple[str, str]] = set()
        self.pending: asyncio.Task[UpsertCounts] | None = None
        self.load: Load | None = None  # set while the body is read (`bulk_load`)

    def _normaliser(self) -> Normaliser:
        tz = self.tz or self.mapping.timezone or self.app_tz
        source = self.options.source or self.mapping.source or DEFAULT_SOURCE
        return Normaliser(self.mapping, tz=tz, default_source=source)

    def use_body_mapping(self, data: Any) -> None:
        if not self.mapping.is_empty:
            raise BodyError("give the mapping once: in the map parameter or in the body")
        try:
            self.mapping = mappings.from_object(data)
        except mappings.MappingError as exc:
            raise BodyError(f"mapping: {exc}") from None
        self.normaliser = self._normaliser()

    def header_problem(self, header: tuple[str, ...]) -> str | None:
        return self.normaliser.header_problem(header)

    async def take(self, records: list[Record]) -> None:
        # Per-row CPU matters here (millions of rows): the batch and its keys are locals, taken
        # again after each flush, which replaces them.
        tally, normalise, batch_rows = self.tally, self.normaliser.normalise, self.batch_rows
        batch, keys = self.batch, self.keys
        for count, record in enumerate(records, 1):
            if count % YIELD_EVERY == 0 and self.pending is not None:
                await asyncio.sleep(0)  # the batch being written goes on
            tally.received += 1
            if isinstance(record, RowError):
                tally.refuse([record])
                continue
            row = normalise(*record)
            if isinstance(row, list):
                tally.refuse(row)
                continue
            key = (row[0], row[1])
            if key in keys:
                # One statement may not touch a row twice: apply repeats in order.
                await self.flush()
                batch, keys = self.batch, self.keys
            keys.add(key)
            batch.append(row)
            if len(batch) >= batch_rows:
                await self.flush()
                batch, keys = self.batch, self.keys

    async def flush(self) -> None:
        batch, self.batch, self.keys = self.batch, [], set()
        if self.options.on_error == "reject_all" and self.tally.rejected:
            return  # nothing will be committed: stop writing, keep reading for the report
        await self.wait()
        if not batch:
            return
        # PostgreSQL merges in its own process, SQLite in aiosqlite's thread with the GIL
        # released for each statement of ~1,400 rows: parse the next batch meanwhile.
        self.pending = asyncio.create_task(self._write(batch))

    async def _write(self, batch: list[tuple[Any, ...]]) -> UpsertCounts:
        if self.options.on_error == "reject_all":
            return await self._upsert(batch)
        async with self.conn.begin():
            return await self._upsert(batch)

    async def _upsert(self, batch: list[tuple[Any, ...]]) -> UpsertCounts:
        await daily.defer(self.conn)
        if self.load is not None:
            await self.load.before_write(len(batch))
        return await upsert_tickets(self.conn, batch)

    async def wait(self) -> None:
        pending = self.pending
        if pending is None:
            return
        try:
            # Not `await pending`: cancelling this task (Ctrl-C, a server stopping) would cancel
            # the write too, maybe after its COMMIT, and leave its rows uncounted. The write
            # goes on; whoever stops the run waits for it again.
            await asyncio.wait((pending,))
        finally:
            if pending.done():
                self.pending = None
                if not pending.cancelled() and pending.exception() is None:
                    self.tally.counts.add(pending.result())
        pending.result()  # the write's error, if any

    async def settle(self) -> None:
        """Let the batch in flight finish (valid rows); its error is not the one to report."""
        with contextlib.suppress(Exception):
            await self.wait()


def _fingerprint(options: IngestOptions) -> hashlib._Hash:
    hasher = hashlib.sha256(json.dumps(asdict(options), sort_keys=True).encode())
    hasher.update(b"\0")
    return hasher


def _storable(text: str) -> str:
    # The reply is kept (jsonb on PostgreSQL) for replays; a column name may hold U+0000.
    return text.replace("\x00", "\ufffd")


def _reply(run: _Run, *, batch_id: int, detail: str | None) -> tuple[int, dict[str, Any]]:
    tally = run.tally
    numbers = tally.numbers()
    errors = [
        RowErrorRead(
            row=e.row,
            field=None if e.field is None else _storable(e.field),
            message=_storable(e.message),
        )
        for e in tally.errors
    ]
    body = IngestRead(success=detail is None, errors=errors, batch_id=batch_id, **numbers)
    if detail is None:
        return 200, body.model_dump()
    failure = {"success": False, "error": "ValidationError", "detail": _storable(detail)}
    return 422, {**body.model_dump(), **failure}


async def _consume(
    parser: Parser,
    chunks: AsyncIterator[bytes],
    run: _Run,
    hasher: hashlib._Hash | None,
    on_progress: Callable[[int], None] | None,
) -> None:
    async def take(records: list[Record]) -> None:
        if parser.mapping is not None:  # a JSON body's own mapping, read with these records
            run.use_body_mapping(parser.mapping)
            parser.mapping = None
        await run.take(records)

    try:
        async for chunk in chunks:
            if hasher is not None:
                hasher.update(chunk)
            for start in range(0, len(chunk), FEED_BYTES):
                await take(parser.feed(chunk[start : start + FEED_BYTES]))
            if on_progress is not None:
                on_progress(len(chunk))
        await take(parser.close())
    except BodyError as exc:
        await take(exc.records)  # complete before the break, kept like earlier chunks' records
        raise
    await run.flush()
    await run.wait()


async def _replay(
    chunks: AsyncIterator[bytes], hasher: hashlib._Hash, stored_hash: str | None
) -> bool:
    async for chunk in chunks:
        hasher.update(chunk)
    return hasher.hexdigest() == stored_hash


async def ingest(
    engine: AsyncEngine,
    chunks: AsyncIterator[bytes],
    *,
    options: IngestOptions,
    caller: Caller,
    app_tz: ZoneInfo,
    batch_rows: int,
    idempotency_key: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestOutcome:
    """Read, check and upsert one upload; the reply counts every record."""
    # The body's hash tells a replay from another request under the same Idempotency-Key; without
    # a key nothing compares it, and hashing costs ~0.2 s per 360 MB.
    hasher = _fingerprint(options) if idempotency_key else None
    async with engine.connect() as conn:
        run = _Run(conn, options, app_tz=app_tz, batch_rows=batch_rows)
        record = {
            "source": options.source or run.mapping.source or DEFAULT_SOURCE,
            "format": options.format,
            "on_error": options.on_error,
            "caller": caller.name[:255],
            "caller_id": caller.id[:255],
            "idempotency_key": idempotency_key,
        }
        async with conn.begin():
            earlier = (
                await repository.find_by_key(conn, caller_id=caller.id, key=idempotency_key)
                if idempotency_key
                else None
            )
        if earlier is not None and earlier.response is not None and hasher is not None:
            if await _replay(chunks, hasher, earlier.request_hash):
                return IngestOutcome(
                    earlier.response_status or 200, earlier.response, True, earlier.id
                )
            raise Unprocessable(
                "This Idempotency-Key was already used for a different request (body or "
                "parameters); use a new key."
            )
        if earlier is not None and earlier.status == "running":
            raise Conflict("A request with this Idempotency-Key is still being processed.")
        try:
            async with conn.begin():
                if earlier is not None:
                    batch_id = earlier.id
                    await repository.restart(conn, batch_id, **record)
                else:
                    batch_id = await repository.start(conn, **record)
        except IntegrityError:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed."
            ) from None
        return await _process(conn, run, chunks, hasher, batch_id, on_progress)


async def _process(
    conn: AsyncConnection,
    run: _Run,
    chunks: AsyncIterator[bytes],
    hasher: hashlib._Hash | None,
    batch_id: int,
    on_progress: Callable[[int], None] | None,
) -> IngestOutcome:
    parser = make_parser(run.options.format, run.header_problem)
    reject_all = run.options.on_error == "reject_all"
    detail: str | None = None
    status = "completed"
    try:
        if reject_all:
            await conn.begin()
        try:
            async with bulk_load(conn) as run.load:
                with ingest_settings:
                    try:
                        await _consume(parser, chunks, run, hasher, on_progress)
                    except BaseException:
                        # The write in flight ends before the load's end builds indexes on
                        # `conn`; the handlers below count it (or report its error).
                        if run.pending is not None:
                            await asyncio.wait((run.pending,))
                        raise
        except BodyError as exc:
            await run.flush()
            await run.wait()
            detail = str(exc)
        if reject_all and (run.tally.rejected or detail):
            await conn.rollback()
            run.tally.counts = UpsertCounts()
            detail = detail or (
                f"{run.tally.rejected} of {run.tally.received} rows were refused; "
                "nothing was written (on_error=reject_all)."
            )
        elif reject_all:
            await conn.commit()
        if detail is not None:
            status = "rejected"
    except UploadInterrupted:
        await _stop(conn, run, batch_id, "interrupted", keep_complete=not reject_all)
        raise
    except asyncio.CancelledError:  # Ctrl-C, a server stopping: keep what is committed
        await _stop(conn, run, batch_id, "interrupted", keep_complete=False)
        raise
    except Exception as exc:
        await _stop(conn, run, batch_id, "failed", keep_complete=False)
        if not isinstance(exc, AppError):
            log.error("ingest_failed", batch_id=batch_id, error_type=type(exc).__name__)
        raise
    status_code, body = _reply(run, batch_id=batch_id, detail=detail)
    async with conn.begin():
        await daily.merge(conn)  # the daily totals' changes the batches queued
        await repository.finish(
            conn,
            batch_id,
            status=status,
            request_hash=hasher and hasher.hexdigest(),
            response_status=status_code,
            response=body,
            **run.tally.numbers(),
        )
    log.info("ingest_finished", batch_id=batch_id, status=status, **run.tally.numbers())
    if run.tally.counts.updated:
        await search.prune(conn)  # the documents of the texts the updates replaced
    return IngestOutcome(status_code, body, batch_id=batch_id)


async def _stop(
    conn: AsyncConnection, run: _Run, batch_id: int, status: str, *, keep_complete: bool
) -> None:
    """Record an upload that did not finish; with `skip`, write the complete records first."""
    try:
        if keep_complete:
            await run.flush()
            await run.wait()
        else:
            await run.settle()
    finally:
        if conn.in_transaction():
            await conn.rollback()
        if not keep_complete and run.options.on_error == "reject_all":
            run.tally.counts = UpsertCounts()
        async with conn.begin():
            await daily.merge(conn)
            await repository.finish(conn, batch_id, status=status, **run.tally.numbers())
        log.info("ingest_stopped", batch_id=batch_id, status=status, **run.tally.numbers())
