"""Runs a checked SELECT with engine-level guards and a row cap.

PostgreSQL: a transaction with `transaction_read_only` and `statement_timeout`, always rolled back.
SQLite: a separate read-only connection (`mode=ro`, `PRAGMA query_only`) with an authorizer that
permits only reads of the allowlisted relations and allowlisted functions, and a progress handler
that stops the query at the deadline.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from cschat.core.errors import BadRequest
from cschat.tickets.sql_guard import RELATIONS, json_value

# SQLite's own names for the functions the guard lets through (the authorizer's second check).
SQLITE_FUNCTIONS = frozenset(
    {
        "abs", "avg", "ceil", "ceiling", "coalesce", "count", "cume_dist", "date", "datetime",
        "dense_rank", "exp", "first_value", "floor", "glob", "group_concat", "ifnull", "iif",
        "instr", "json_extract", "julianday", "lag", "last_value", "lead", "length", "like",
        "likely", "ln", "log", "lower", "ltrim", "max", "min", "ntile", "nullif", "percent_rank",
        "pow", "power", "rank", "replace", "round", "row_number", "rtrim", "sign", "sqrt",
        "strftime", "string_agg", "substr", "substring", "sum", "time", "total", "trim",
        "typeof", "unixepoch", "unlikely", "upper", "concat", "concat_ws", "printf", "format",
        "char", "unicode", "trunc", "mod", "median",
    }
)  # fmt: skip
PROGRESS_STEPS = 10_000


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "row_count": len(self.rows),
            "truncated": self.truncated,
        }


def _capped(columns: list[str], fetched: list[Any], cap: int) -> QueryResult:
    rows = [[json_value(v) for v in row] for row in fetched[:cap]]
    return QueryResult(columns, rows, truncated=len(fetched) > cap)


def _timeout(seconds: float) -> BadRequest:
    return BadRequest(f"sql: the query ran longer than {seconds:g} s and was stopped.")


async def run_postgres(engine: AsyncEngine, sql: str, *, cap: int, seconds: float) -> QueryResult:
    """Run `sql` in a read-only, time-limited transaction that is always rolled back."""
    async with engine.connect() as conn:
        await conn.execute(text("SET LOCAL transaction_read_only = on"))
        await conn.execute(text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
        await conn.execute(text("SET LOCAL search_path = public"))
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, psycopg.AsyncConnection)
        try:
            async with driver.cursor() as cursor:
                # No parameters: psycopg sends the text as is, `%` included.
                await cursor.execute(sql.encode())
                columns = [d.name for d in cursor.description or []]
                fetched = await cursor.fetchmany(cap + 1)
        except psycopg.errors.QueryCanceled:
            raise _timeout(seconds) from None
        except psycopg.Error as exc:
            reason = exc.diag.message_primary or type(exc).__name__
            raise BadRequest(f"sql: the database refused the query: {reason}") from None
        finally:
            await conn.rollback()
    return _capped(columns, fetched, cap)


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ:
        return sqlite3.SQLITE_OK if (arg1 or "").lower() in RELATIONS else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION:
        return (
            sqlite3.SQLITE_OK if (arg2 or "").lower() in SQLITE_FUNCTIONS else sqlite3.SQLITE_DENY
        )
    return sqlite3.SQLITE_DENY


def _run_sqlite_sync(path: str, sql: str, cap: int, seconds: float) -> QueryResult:
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=seconds, check_same_thread=False)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_authorizer)
        deadline = time.monotonic() + seconds
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
        try:
            cursor = conn.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            fetched = cursor.fetchmany(cap + 1)
        except sqlite3.DatabaseError as exc:
            if time.monotonic() > deadline:
                raise _timeout(seconds) from None
            raise BadRequest(f"sql: the database refused the query: {exc}") from None
    finally:
        conn.close()
    return _capped(columns, fetched, cap)


async def run_sqlite(path: str, sql: str, *, cap: int, seconds: float) -> QueryResult:
    """Run `sql` on a fresh read-only connection, in a worker thread."""
    return await asyncio.to_thread(_run_sqlite_sync, path, sql, cap, seconds)
