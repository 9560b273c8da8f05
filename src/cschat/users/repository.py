"""SQL for users and the allowlist."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiosqlite
import psycopg
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import ClauseElement

from cschat.core.config import ConfigError
from cschat.core.db import SQLITE_BUSY_TIMEOUT_MS
from cschat.core.errors import DATABASE_DOWN, Conflict, ServiceUnavailable
from cschat.users.models import AllowlistEntry, User

# The per-request identity check: only these columns, through the unique index on email, built
# once so each request skips statement construction.
_IDENTITY_QUERY = select(
    User.id,
    User.email,
    User.role,
    User.status,
    User.given_name,
    User.family_name,
    User.cognito_sub,
).where(User.email == bindparam("key"))


@dataclass(frozen=True)
class IdentityRow:
    id: str
    email: str
    role: str
    status: str
    given_name: str | None
    family_name: str | None
    cognito_sub: str | None


class IdentityReader(Protocol):
    """Reads the account behind a session on every request: one indexed query."""

    async def find(self, email: str) -> IdentityRow | None:
        """The account with this (normalised) email; ServiceUnavailable if the database is down."""
        ...

    async def close(self) -> None: ...


class SqliteIdentityReader:
    """One long-lived autocommit connection for SQLite files.

    Through SQLAlchemy's aiosqlite adapter a lookup costs five hand-offs to the driver's thread
    plus a rollback on return to the pool (~0.4 ms of CPU); one `execute_fetchall` on a
    dedicated connection costs one (~0.03 ms). Autocommit means every SELECT sees the latest
    committed data, so a disabled account is seen on the very next request.
    """

    def __init__(self, path: str, sql: str) -> None:
        self.path = path
        self.sql = sql
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            async with self._lock:
                if self._conn is None:
                    conn = await aiosqlite.connect(self.path, isolation_level=None)
                    await conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                    self._conn = conn
        return self._conn

    async def row(self, key: str) -> tuple[Any, ...] | None:
        """The first row of the reader's query for `key`, or None."""
        try:
            rows = await (await self._connection()).execute_fetchall(self.sql, (key,))
        except sqlite3.Error:
            raise ServiceUnavailable(DATABASE_DOWN) from None
        for row in rows:
            return tuple(row)
        return None

    async def find(self, email: str) -> IdentityRow | None:
        row = await self.row(email)
        return IdentityRow(*row) if row is not None else None

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


class PostgresIdentityReader:
    """One long-lived autocommit psycopg connection, shared by the process's requests.

    A pooled SQLAlchemy connection per lookup costs a pre-ping round trip, a rollback on return
    and ~1 ms of CPU; here it is one round trip of a statement psycopg prepares after a few uses.
    psycopg serialises concurrent use of the connection itself. A broken connection (server
    restart) is replaced once, transparently.
    """

    def __init__(self, conninfo: str, sql: str) -> None:
        self.conninfo = conninfo
        self.sql = sql
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            async with self._lock:
                if self._conn is None or self._conn.closed:
                    self._conn = await psycopg.AsyncConnection.connect(
                        self.conninfo, autocommit=True, connect_timeout=5
                    )
        return self._conn

    async def _query(self, key: str) -> tuple[Any, ...] | None:
        conn = await self._connection()
        cursor = await conn.execute(self.sql, {"key": key})
        return await cursor.fetchone()

    async def row(self, key: str) -> tuple[Any, ...] | None:
        """The first row of the reader's query for `key`, or None."""
        try:
            try:
                return await self._query(key)
            except psycopg.OperationalError:
                await self.close()
                return await self._query(key)
        except psycopg.Error:
            await self.close()
            raise ServiceUnavailable(DATABASE_DOWN) from None

    async def find(self, email: str) -> IdentityRow | None:
        row = await self.row(email)
        return IdentityRow(*row) if row is not None else None

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


def identity_reader(engine: AsyncEngine) -> IdentityReader:
    """A dedicated reader on the primary database of `engine`."""
    return direct_reader(engine, _IDENTITY_QUERY)


def direct_reader(
    engine: AsyncEngine, statement: ClauseElement
) -> SqliteIdentityReader | PostgresIdentityReader:
    """A dedicated autocommit connection running `statement` (one `bindparam("key")`)."""
    url = engine.url
    sql = str(statement.compile(dialect=engine.dialect))
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresIdentityReader(conninfo, sql)
    if url.database in (None, "", ":memory:"):
        raise ConfigError("DATABASE_URL: an in-memory SQLite database is not supported; use a file")
    return SqliteIdentityReader(str(url.database), sql)


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    if "\x00" in email:
        # No account holds one (PostgreSQL text cannot), and PostgreSQL refuses it in a query.
        return None
    return await session.scalar(select(User).where(User.email == email))


async def get_by_id(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def lock(session: AsyncSession, user_id: str) -> None:
    """Hold the user's row until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def list_users(session: AsyncSession) -> Sequence[User]:
    return (await session.scalars(select(User).order_by(User.email))).all()


async def add(session: AsyncSession, user: User) -> User:
    """Insert; Conflict when the email is taken, also by a request committed meanwhile."""
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"A user with email {user.email} already exists.") from None
    return user


async def search(
    session: AsyncSession,
    *,
    role: str | None,
    status: str | None,
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[User], int]:
    """One page of users by email, and the total matching the filters."""
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    if status is not None:
        query = query.where(User.status == status)
    if text:
        needle = text.lower()
        name = func.lower(
            func.coalesce(User.given_name, "") + " " + func.coalesce(User.family_name, "")
        )
        query = query.where(
            or_(
                User.email.contains(needle, autoescape=True),
                name.contains(needle, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(User.email).limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def other_active_supervisors(session: AsyncSession, user_id: str) -> int:
    """Active Supervisors other than `user_id`, counted under a lock so two demotions cannot race.

    PostgreSQL: every active Supervisor's row, `user_id`'s too, locked in id order (locking only
    the others let two Supervisors demoting each other deadlock). SQLite: the database's write
    lock, taken first by a write that changes nothing (its reads run outside a transaction).
    """
    if session.get_bind().dialect.name == "sqlite":
        unchanged = update(User).where(User.id == user_id).values(updated_at=User.updated_at)
        await session.execute(unchanged.execution_options(synchronize_session=False))
    ids = await session.scalars(
        select(User.id)
        .where(User.role == "Supervisor", User.status == "active")
        .order_by(User.id)
        .with_for_update()
    )
    return sum(1 for found in ids if found != user_id)


async def delete_user(session: AsyncSession, user_id: str) -> bool:
    """Delete the user; False when a transaction committed meanwhile deleted it first.

    One conditional statement: a concurrent delete of the same row waits on the row (PostgreSQL)
    or the write lock (SQLite), then matches nothing, so only one of two callers sees True.
    """
    result = await session.execute(delete(User).where(User.id == user_id))
    return getattr(result, "rowcount", 0) == 1


async def allowlist_size(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AllowlistEntry)) or 0)


async def allowlist_entries(session: AsyncSession) -> Sequence[AllowlistEntry]:
    return (await session.scalars(select(AllowlistEntry).order_by(AllowlistEntry.entry))).all()


async def get_allowlist_entry(session: AsyncSession, entry: str) -> AllowlistEntry | None:
    return await session.scalar(select(AllowlistEntry).where(AllowlistEntry.entry == entry))


async def add_allowlist_entry(session: AsyncSession, entry: AllowlistEntry) -> AllowlistEntry:
    """Insert; Conflict when the entry is listed, also by a request committed meanwhile."""
    session.add(entry)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"{entry.entry} is already on the allowlist.") from None
    return entry


async def delete_allowlist_entry(session: AsyncSession, entry: str) -> bool:
    """Delete the entry; False when it is not listed, also when a concurrent delete won."""
    result = await session.execute(delete(AllowlistEntry).where(AllowlistEntry.entry == entry))
    return getattr(result, "rowcount", 0) == 1


async def allowlist_matches(session: AsyncSession, candidates: Sequence[str]) -> bool:
    found = await session.scalar(
        select(AllowlistEntry.id).where(AllowlistEntry.entry.in_(candidates)).limit(1)
    )
    return found is not None
