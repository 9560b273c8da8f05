"""Fast bulk loading of ticket rows: COPY on PostgreSQL, one executemany transaction on SQLite.

Rows are tuples in a caller-given column order with Python values (aware datetimes, lists, dicts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncConnection

from cschat.core.db import driver_connection

SQLITE_BATCH_ROWS = 5_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value)


def copy_text(rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    """Rows as PostgreSQL COPY text-format lines (for files that `psql \\copy` loads)."""
    for row in rows:
        yield "\t".join(map(_copy_field, row)) + "\n"


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # The storage format of cschat.core.db.UTCDateTime on SQLite: naive UTC, microseconds.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _copy_value(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, (dict, list)) else value


async def copy_rows(
    conn: AsyncConnection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY rows into `table` (PostgreSQL); returns how many were sent.

    `write_row` lets psycopg's C adapters format each value, which is faster than building COPY text
    in Python; psycopg buffers rows and flushes in large chunks.
    """
    driver = await driver_connection(conn)
    sent = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    async with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            await copy.write_row(tuple(map(_copy_value, row)))
            sent += 1
    return sent


async def insert_rows_sqlite(
    conn: AsyncConnection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """executemany in batches inside the caller's transaction (SQLite)."""
    # Table and column names come from our code, never from a request.
    placeholders = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    driver = await driver_connection(conn)
    sent = 0
    iterator = iter(rows)
    while batch := [tuple(map(_sqlite_value, row)) for row in islice(iterator, SQLITE_BATCH_ROWS)]:
        await driver.executemany(sql, batch)
        sent += len(batch)
    return sent


async def load_rows(
    conn: AsyncConnection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Append rows with the engine's fastest path."""
    if conn.dialect.name == "postgresql":
        return await copy_rows(conn, table, columns, rows)
    return await insert_rows_sqlite(conn, table, columns, rows)
