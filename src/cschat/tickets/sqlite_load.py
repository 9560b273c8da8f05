"""Bulk loads into SQLite: a bigger page cache, and `tickets`' secondary indexes built afterwards.

Keeping the three time/id indexes whose keys come in any order up to date costs a load 24-42 us
per row (a B-tree insert at a random place in each, more as the table grows), more than SQLite's
insert itself (~10 us). Building them again from the finished table costs ~4 us per row of the
table. So once a load has written `DEFER_MIN_ROWS` rows and a quarter of what the table held when
it started, it drops them (in the transaction of its next batch) and builds them when it ends,
before it answers. (`updated_at`'s index takes a load's rows at its end: it stays.)

Readers meanwhile get the same answers, from scans. A process that dies (or a load stopped by
Ctrl-C) in between leaves them missing: `restore`, run at the app's start-up, builds whatever is
missing, as does the end of the next load that drops them. The unique `(source, external_id)`
index, which the upsert needs, always stays.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy import Index
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, DropIndex

from cschat.core.db import Base, driver_connection
from cschat.tickets.models import Ticket

CACHE_KIB = 64 * 1024
DEFAULT_CACHE = -2000
DEFER_MIN_ROWS = 50_000
DEFER_FRACTION = 0.25
SORT_THREADS = min(4, os.cpu_count() or 1)
log = structlog.get_logger(__name__)


# A load stamps its rows' `updated_at` with the time of their batch, later than any stored one,
# so its index takes them at its end, where an insert is cheap: kept up to date, it costs the
# load less than building it again (~0.5 s per million rows, while nothing else can run).
APPENDED_COLUMNS = frozenset({"updated_at"})


def deferrable_indexes() -> list[Index]:
    """The non-unique indexes of `tickets` (the model's, which the migrations create) that take a
    load's rows at random places."""
    indexes = Base.metadata.tables[Ticket.__tablename__].indexes
    return sorted(
        (
            ix
            for ix in indexes
            if not ix.unique and {c.name for c in ix.columns}.isdisjoint(APPENDED_COLUMNS)
        ),
        key=lambda ix: str(ix.name),
    )


async def _create_missing(conn: AsyncConnection) -> None:
    for index in deferrable_indexes():
        await conn.execute(CreateIndex(index, if_not_exists=True))


async def restore(engine: AsyncEngine) -> None:
    """Build any secondary index a stopped load left dropped (SQLite; never raises)."""
    if engine.dialect.name != "sqlite":
        return
    try:
        async with engine.begin() as conn:
            await _create_missing(conn)
    except SQLAlchemyError as exc:
        log.warning("ticket_indexes_not_restored", error=type(exc).__name__)


class Load:
    """One bulk load on `conn`: call `before_write` in each batch's transaction."""

    def __init__(self, conn: AsyncConnection, threshold: int | None) -> None:
        self.conn = conn
        self.threshold = threshold  # rows written before the indexes go; None: never
        self.written = 0
        self.deferred = False

    async def before_write(self, rows: int) -> None:
        """Account for a batch of `rows` about to be written; drop the indexes if it is time."""
        self.written += rows
        if self.deferred or self.threshold is None or self.written < self.threshold:
            return
        driver = await driver_connection(self.conn)
        if not driver.in_transaction:
            # The sqlite3 module runs DDL outside any transaction unless one is open: open the
            # batch's now (the upsert would), so the drop commits or rolls back with its rows.
            await driver.execute("BEGIN IMMEDIATE")
        for index in deferrable_indexes():
            await self.conn.execute(DropIndex(index, if_exists=True))
        self.deferred = True
        log.info("ticket_indexes_deferred", rows_written=self.written)

    async def finish(self) -> None:
        """Build the dropped indexes; later batches (an interrupted body's last rows) keep them."""
        self.threshold = None
        if not self.deferred:
            return
        started = time.perf_counter()
        if self.conn.in_transaction():  # on_error=reject_all: one transaction for the load
            await _create_missing(self.conn)
        else:
            async with self.conn.begin():
                await _create_missing(self.conn)
        self.deferred = False
        seconds = round(time.perf_counter() - started, 2)
        log.info("ticket_indexes_built", seconds=seconds)


@asynccontextmanager
async def bulk_load(conn: AsyncConnection) -> AsyncIterator[Load]:
    """On SQLite, a 64 MB page cache and deferred indexes for the load run on `conn` (the
    cache is restored afterwards: pooled connections get the default back). Elsewhere a no-op."""
    if conn.dialect.name != "sqlite":
        yield Load(conn, None)
        return
    driver = await driver_connection(conn)
    # The time indexes take rows in random order; with SQLite's default 2 MB cache every such
    # insert becomes a read once the table is large.
    await driver.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    # On the driver: no transaction is opened here (batches take the write lock themselves).
    async with driver.execute("SELECT count(*) FROM tickets") as cursor:
        (existing,) = await cursor.fetchone()
    load = Load(conn, max(DEFER_MIN_ROWS, int(DEFER_FRACTION * existing)))
    try:
        yield load
    finally:
        # A statement cancelled midway (Ctrl-C, also during the build below) makes SQLAlchemy
        # close the connection: then there is nothing to reset, and the driver would raise
        # over the cancellation; the start-up `restore` builds the indexes.
        if not conn.invalidated:
            # First: building an index sorts within the page cache's size, so the big cache
            # would add 64 MB to the peak, and the build is no faster for it.
            await driver.execute(f"PRAGMA cache_size = {DEFAULT_CACHE}")
            # Helper threads sort for the index builds: 3.8 -> 2.6 s per million rows on 2 cores.
            await driver.execute(f"PRAGMA threads = {SORT_THREADS}")
            try:
                await load.finish()
            except SQLAlchemyError as exc:  # the start-up `restore` builds them
                log.warning("ticket_indexes_not_built", error=type(exc).__name__)
            finally:
                if not conn.invalidated:
                    await driver.execute("PRAGMA threads = 0")
