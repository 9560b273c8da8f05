"""Long-lived statements run on PostgreSQL's driver connection, compiled once.

SQLAlchemy's execution of an already compiled statement (cache lookup, execution context, result
wrapper, greenlet hand-over) costs ~0.1 ms of CPU per statement, about what the round trip of a
small query over the daily totals costs. The tools send such queries on every call, so their
kept statements (module constants, or built once per shape: `built_once`) are compiled
once here and run on the session's own driver connection, in its transaction if it has one.
The chat's one-statement store of a turn (an INSERT ... RETURNING) runs the same way.

Such statements bypass SQLAlchemy's events and echo: `observed` shows them to tests and
benchmarks that look at or replay the SQL.

Only for statements whose bound values need no conversion by SQLAlchemy (strings, numbers,
dates) and whose results are used as the driver returns them (tuples; a `timestamptz` comes back
in the server's time zone). Other engines run them through the session.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Insert, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.db import driver_connection

Observer = Callable[[str, Mapping[str, Any]], None]
_observers: list[Observer] = []


@contextmanager
def observed(observer: Observer) -> Iterator[None]:
    """Call `observer(sql, values)` for each statement `rows` sends to PostgreSQL meanwhile."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def built_once(build: Callable[..., Select[Any]]) -> Callable[..., Select[Any]]:
    """Keep the statements `build` makes, by its arguments (a shape and what else it takes).

    Building a statement and its cache key costs SQLAlchemy 0.1-0.3 ms, more than a query over
    the daily totals takes; a kept statement has both (its values are bound at execution).
    """
    return functools.lru_cache(maxsize=256)(build)


@functools.lru_cache(maxsize=512)
def _compiled(stmt: Select[Any] | Insert, dialect: Dialect) -> tuple[str, dict[str, Any]]:
    """The SQL text and the values of the statement's own literals (`sum(n) > 0`'s 0)."""
    compiled = stmt.compile(dialect=dialect)
    return str(compiled), dict(compiled.params)


async def rows(
    session: AsyncSession,
    stmt: Select[Any] | Insert,
    params: Mapping[str, Any] | None = None,
    *,
    planned_each_time: bool = False,
) -> Sequence[Sequence[Any]]:
    """All rows of the kept statement `stmt` with `params` bound. psycopg prepares a statement
    after a few uses, and PostgreSQL may then plan it once for any values; `planned_each_time`
    has it planned for the values of each run instead (where the best index depends on them)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        through: Sequence[Sequence[Any]] = (await session.execute(stmt, params)).all()
        return through
    sql, literals = _compiled(stmt, bind.dialect)
    conn = await session.connection()
    driver = await driver_connection(conn)
    values = {**literals, **params} if params else literals
    for observer in _observers:
        observer(sql, values)
    try:
        cursor = await driver.execute(sql, values, prepare=False if planned_each_time else None)
        found: list[tuple[Any, ...]] = await cursor.fetchall()
        return found
    except psycopg.OperationalError:
        if driver.closed:
            await conn.invalidate()  # the pool opens a new one; SQLAlchemy would do the same
        raise


def utc(value: datetime | None) -> datetime | None:
    """A timestamp read by `rows` in UTC: PostgreSQL's come in the server's zone (the column
    types are skipped), SQLite's through the session already are."""
    return None if value is None else value.astimezone(UTC)
