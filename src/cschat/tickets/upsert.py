"""Upsert ticket rows by `(source, external_id)` with exact inserted/updated/unchanged counts.

Callers (ingest, the HubSpot sync) pass tuples in `ROW_COLUMNS` order with Python values
(aware UTC datetimes, float minutes, int CSAT, lists, dicts) and own the transaction. A row whose
columns all equal the stored ones is left alone, so `updated_at` moves only on a real change;
`ingested_at` keeps the first ingest time.
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg.types.json import set_json_dumps
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from cschat.core.db import driver_connection, on_sqlite_thread, utcnow
from cschat.tickets.models import ROW_COLUMNS

KEY_COLUMNS = ("source", "external_id")
VALUE_COLUMNS = tuple(c for c in ROW_COLUMNS if c not in KEY_COLUMNS)

Row = Sequence[Any]
_DATETIMES = tuple(ROW_COLUMNS.index(c) for c in ("created_at", "first_response_at", "resolved_at"))
_JSON = tuple(ROW_COLUMNS.index(c) for c in ("tags", "attributes"))
_SOURCE, _EXTERNAL_ID = (operator.itemgetter(ROW_COLUMNS.index(c)) for c in KEY_COLUMNS)
# Binary COPY needs each column's type; the rest are text (varchar takes text's format).
_PG_COLUMN_TYPES = {
    "created_at": "timestamptz",
    "first_response_at": "timestamptz",
    "resolved_at": "timestamptz",
    "first_response_minutes": "float8",
    "resolution_minutes": "float8",
    "csat": "int2",
    "tags": "jsonb",
    "attributes": "jsonb",
}
_PG_TYPES = [_PG_COLUMN_TYPES.get(c, "text") for c in ROW_COLUMNS]


@dataclass
class UpsertCounts:
    """How many rows were new, changed or identical to what was stored."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged

    @property
    def upserted(self) -> int:
        return self.inserted + self.updated


def _columns(prefix: str = "") -> str:
    return ", ".join(f"{prefix}{c}" for c in VALUE_COLUMNS)


_SET = ", ".join(f"{c} = excluded.{c}" for c in VALUE_COLUMNS)
_ALL = ", ".join(ROW_COLUMNS)

# Column names come from this module only; values are always bound or COPYed.
_PG_STAGE = (
    f"CREATE TEMP TABLE IF NOT EXISTS ingest_stage AS SELECT {_ALL} FROM tickets WITH NO DATA"  # noqa: S608
)
_PG_MERGE = f"""
WITH merged AS (
    INSERT INTO tickets AS t ({_ALL}, ingested_at, updated_at)
    SELECT {_ALL}, :now, :now FROM ingest_stage
    ON CONFLICT (source, external_id) DO UPDATE SET {_SET}, updated_at = excluded.updated_at
    WHERE ({_columns("t.")}) IS DISTINCT FROM ({_columns("excluded.")})
    RETURNING (t.xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
"""  # noqa: S608
_SQLITE_EXISTING = (
    "SELECT count(*) FROM tickets WHERE source = ? "
    "AND external_id IN (SELECT value FROM json_each(?))"
)
_SQLITE_WIDTH = len(ROW_COLUMNS) + 2  # bound values per row: the row, then its two stamps
_SQLITE_ROW = f"({', '.join('?' * _SQLITE_WIDTH)})"


def _sqlite_statement_rows() -> int:
    """Rows per SQLite statement: as many as the library's bound-value limit allows (32,766 by
    default since SQLite 3.32, 999 before; capped there when a build allows more). One statement
    per row (executemany) would make the sqlite3 module take the GIL back after every row, so a
    load could not parse while SQLite writes."""
    with contextlib.closing(sqlite3.connect(":memory:")) as probe:
        limit = probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(limit, 32_766) // _SQLITE_WIDTH)


SQLITE_STATEMENT_ROWS = _sqlite_statement_rows()


@functools.lru_cache(maxsize=8)
def _sqlite_upsert(rows: int) -> str:
    """The upsert of `rows` rows (cached: one string, so sqlite3 finds its prepared statement)."""
    return f"""
INSERT INTO tickets ({_ALL}, ingested_at, updated_at) VALUES {", ".join([_SQLITE_ROW] * rows)}
ON CONFLICT (source, external_id) DO UPDATE SET {_SET}, updated_at = excluded.updated_at
WHERE ({_columns("tickets.")}) IS NOT ({_columns("excluded.")})
"""  # noqa: S608


async def upsert_tickets(conn: AsyncConnection, rows: Sequence[Row]) -> UpsertCounts:
    """Insert new rows, update changed ones; keys must be unique within `rows`."""
    if not rows:
        return UpsertCounts()
    now = utcnow()
    if conn.dialect.name == "postgresql":
        return await _upsert_postgresql(conn, rows, now)
    return await _upsert_sqlite(conn, rows, now)


def _json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # e.g. integers beyond 64 bits, which orjson refuses
        return json.dumps(value, ensure_ascii=False).encode()


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # e.g. integers beyond 64 bits, which orjson refuses
        return json.dumps(value, ensure_ascii=False)


async def _copy_stage(conn: AsyncConnection, rows: Sequence[Row]) -> None:
    # Binary COPY with psycopg's C row writer: a fraction of the CPU of building COPY text here,
    # and less parsing for the server. `set_types` picks the dumpers by column type, so lists and
    # dicts reach the jsonb dumper (with our dumps) as they are: no per-row copy or wrapper.
    driver = await driver_connection(conn)
    sql = f"COPY ingest_stage ({_ALL}) FROM STDIN (FORMAT BINARY)"
    async with driver.cursor() as cursor:
        set_json_dumps(_json_bytes, context=cursor)
        async with cursor.copy(sql) as copy:
            copy.set_types(_PG_TYPES)
            for row in rows:
                await copy.write_row(row)


async def _upsert_postgresql(
    conn: AsyncConnection, rows: Sequence[Row], now: datetime
) -> UpsertCounts:
    # One staging table per connection (temporary tables are private to it), emptied after use;
    # creating one per batch would churn the catalog.
    await conn.execute(text(_PG_STAGE))
    await _copy_stage(conn, rows)
    inserted, updated = (await conn.execute(text(_PG_MERGE), {"now": now})).one()
    await conn.execute(text("DELETE FROM ingest_stage"))
    return UpsertCounts(inserted, updated, len(rows) - inserted - updated)


def _sqlite_datetime(value: datetime) -> str:
    # UTCDateTime's SQLite storage format: naive UTC with microseconds. Cut from orjson's
    # '"2000-01-01T00:00:00[.ffffff]+00:00"': half the CPU of `isoformat(" ")` (whose UTC offset
    # alone costs ~0.3 us) and a third of `replace(tzinfo=None).isoformat(" ", timespec)`.
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    text = orjson.dumps(value).decode()
    return (
        text[1:11]
        + " "
        + (text[12:27] if len(text) == _WITH_MICROSECONDS else text[12:20] + ".000000")
    )


_WITH_MICROSECONDS = len('"2000-01-01T00:00:00.000000+00:00"')


def _sqlite_params(rows: Sequence[Row], stamp: str) -> list[Any]:
    """The values `_sqlite_upsert(len(rows))` binds, flat: each row, then its two stamps."""
    params: list[Any] = []
    extend, stamps = params.extend, (stamp, stamp)
    for row in rows:
        extend(row)
        extend(stamps)
    # Only the datetime and JSON columns need converting (a per-value type check costs more),
    # a column at a time.
    for index in _DATETIMES:
        column = params[index::_SQLITE_WIDTH]
        params[index::_SQLITE_WIDTH] = _sqlite_datetime_column(column)
    for index in _JSON:
        column = params[index::_SQLITE_WIDTH]
        try:
            column = [v if v is None else orjson.dumps(v).decode() for v in column]
        except TypeError:  # e.g. integers beyond 64 bits, which orjson refuses
            column = [v if v is None else _json_text(v) for v in column]
        params[index::_SQLITE_WIDTH] = column
    return params


def _sqlite_datetime_column(column: list[datetime | None]) -> list[str | None]:
    """`column`'s values in UTCDateTime's SQLite storage format, cut from the column's orjson dump
    ("Z" for UTC, "T" made a space, ".000000" after every value so that characters 2-27 of an
    item are the format whether or not it had microseconds).

    String operations over the whole column and a slice per value: 0.21 us a value instead of
    0.52 with `_sqlite_datetime` (the three time columns of a million rows: ~0.9 s of the load's
    CPU). Cutting the items in SQL instead (substr) cost SQLite's thread 2.2 us a row."""
    text = orjson.dumps(column, option=orjson.OPT_UTC_Z).decode()
    if text.count('Z"') != len(column) - column.count(None):
        # Some value is not in UTC (or is naive, taken as local time as `astimezone` does).
        utc = [v if v is None or v.tzinfo is UTC else v.astimezone(UTC) for v in column]
        text = orjson.dumps(utc, option=orjson.OPT_UTC_Z).decode()
    items = text[1:-1].replace("T", " ").replace('Z"', '.000000"').split(",")
    return [None if item == "null" else item[1:27] for item in items]


async def _upsert_sqlite(conn: AsyncConnection, rows: Sequence[Row], now: datetime) -> UpsertCounts:
    # The batch is written in one call on aiosqlite's thread. Four calls (BEGIN, counting,
    # fetching the count, the statements) were four hand-overs between the threads, and each
    # waited for the parser to yield and then for the GIL: a million-row load was written
    # mostly after parsing instead of beside it (27 s -> 21-23 s on 2 cores).
    stamp = _sqlite_datetime(now)
    # Values are converted before the hand-over: SQLite's thread then holds the GIL only to bind.
    statements = [
        (_sqlite_upsert(len(part)), _sqlite_params(part, stamp))
        for part in (
            rows[start : start + SQLITE_STATEMENT_ROWS]
            for start in range(0, len(rows), SQLITE_STATEMENT_ROWS)
        )
    ]
    by_source: dict[str, list[str]] = {}
    sources, ids = list(map(_SOURCE, rows)), list(map(_EXTERNAL_ID, rows))
    if len(set(sources)) == 1:  # an upload's usual case, without a loop in Python
        by_source[sources[0]] = ids
    else:
        for source, external_id in zip(sources, ids, strict=True):
            by_source.setdefault(source, []).append(external_id)
    keys = [(source, _json_text(ids)) for source, ids in by_source.items()]
    driver = await driver_connection(conn)
    existing, changed = await on_sqlite_thread(driver, _write_sqlite, keys, statements)
    inserted = len(rows) - existing
    updated = changed - inserted
    return UpsertCounts(inserted, updated, existing - updated)


def _write_sqlite(
    db: sqlite3.Connection, keys: list[tuple[str, str]], statements: list[tuple[str, list[Any]]]
) -> tuple[int, int]:
    """On aiosqlite's thread: (rows whose key is stored, rows inserted or actually updated).
    `keys`: per source, its ids as a JSON array."""
    if not db.in_transaction:
        # Take the write lock before counting, so no other writer can add these keys meanwhile.
        db.execute("BEGIN IMMEDIATE")
    existing = 0
    for source_ids in keys:
        existing += db.execute(_SQLITE_EXISTING, source_ids).fetchone()[0]
    changed = 0
    # Each statement runs as one step with the GIL released, so the caller parses meanwhile.
    # Its rowcount counts inserted rows and rows the DO UPDATE actually touched; not
    # `total_changes`, which also counts the search index's trigger writes.
    for sql, params in statements:
        changed += db.execute(sql, params).rowcount
    return existing, changed
