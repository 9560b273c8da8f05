"""Database engines, the declarative base and the per-request session."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from cschat.core.config import DatabaseSettings
from cschat.core.sqlfunctions import register_sqlite_functions

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The largest INTEGER and BIGINT: a larger number names no row, and the drivers refuse to send it.
MAX_INTEGER = 2**31 - 1
MAX_BIGINT = 2**63 - 1
PING_AFTER_IDLE_SECONDS = 5.0


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both engines.

    PostgreSQL stores `timestamptz`. SQLite has no zone type, so values are stored as naive UTC text
    in SQLAlchemy's fixed format (`YYYY-MM-DD HH:MM:SS.ffffff`), which sorts and compares correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: URL, settings: DatabaseSettings | None = None) -> AsyncEngine:
    """An engine: WAL, foreign keys and a busy timeout on SQLite; a pool that pings idle connections
    before use elsewhere."""
    echo = bool(settings and settings.echo)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", register_sqlite_functions)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=settings.pool_size if settings else 5,
        max_overflow=settings.max_overflow if settings else 5,
    )
    event.listen(engine.sync_engine.pool, "checkin", _mark_idle)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle(engine.sync_engine.dialect))
    return engine


def _mark_idle(_: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Any:
    """Pre-ping, but only connections idle for PING_AFTER_IDLE_SECONDS: a pool in steady use
    saves a round trip per checkout (about 0.4 ms, a tenth of a small tool call), and a
    connection the server dropped while idle is still replaced before anyone uses it."""

    def ping(dbapi_connection: Any, record: ConnectionPoolEntry, _: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception:
            alive = False
        if not alive:
            raise DisconnectionError("connection dropped while idle")  # the pool reconnects

    return ping


async def driver_connection(conn: AsyncConnection) -> Any:
    """The driver's own connection under `conn` (psycopg's or aiosqlite's), for what SQLAlchemy
    does not offer: COPY, many rows per statement, statements compiled once, transaction modes."""
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    return driver


async def on_sqlite_thread(driver: Any, function: Callable[..., T], *args: Any) -> T:
    """`function(connection, *args)` on the thread of aiosqlite's connection `driver`, with its
    `sqlite3.Connection`, as one call: each call is a hand-over between the threads. aiosqlite
    has no public way to do this; its own methods use `_execute` (the pinned version is tested)."""
    result: T = await driver._execute(function, driver._conn, *args)
    return result


def for_reads(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for sessions that only read: on PostgreSQL in autocommit, which saves the BEGIN
    and ROLLBACK round trips (a third of a small tool call) and sees the same data, since READ
    COMMITTED takes a new snapshot per statement inside a transaction too. SQLite keeps its
    transactions: there one snapshot serves every statement of a read session."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class Database:
    """The engines of one app: a primary and an optional read replica."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.url = settings.effective_url()
        self.engine = make_engine(self.url, settings)
        read_url = settings.effective_read_url()
        self.read_engine = make_engine(read_url, settings) if read_url else self.engine
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessionmaker = async_sessionmaker(
            for_reads(self.read_engine), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session committed on success and rolled back on error (CLI, scripts, tests)."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the endpoint returns, rolled back if it raises."""
    async with (await get_database(request)).transaction() as session:
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session on the read replica (or the primary when none is configured)."""
    async with (await get_database(request)).read_sessionmaker() as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_database)]
# scope="function": commit before the response is sent, so a failed commit is never a 200.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
