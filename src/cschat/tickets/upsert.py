"""Upsert ticket rows by `(source, external_id)` with exact inserted/updated/unchanged counts.

Callers (ingest, the HubSpot sync) pass tuples in `UPSERT_COLUMNS` order with Python values
(aware UTC datetimes, lists, dicts) and own the transaction. A row whose columns all equal the
stored ones is left alone, so `updated_at` moves only on a real change; `ingested_at` keeps the
first ingest time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from cschat.core.db import utcnow
from cschat.tickets.bulk import _sqlite_value, copy_rows

KEY_COLUMNS = ("source", "external_id")
UPSERT_COLUMNS = (
    "source",
    "external_id",
    "subject",
    "description",
    "resolution",
    "category",
    "priority",
    "channel",
    "status",
    "agent",
    "team",
    "customer",
    "created_at",
    "first_response_at",
    "first_response_minutes",
    "resolved_at",
    "resolution_minutes",
    "csat",
    "language",
    "tags",
    "attributes",
)
VALUE_COLUMNS = tuple(c for c in UPSERT_COLUMNS if c not in KEY_COLUMNS)
# SQLite's default limit on bound parameters is 32766; stay far below it.
_SQLITE_KEYS_PER_QUERY = 900

Row = Sequence[Any]


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


def _columns(prefix: str = "") -> str:
    return ", ".join(f"{prefix}{c}" for c in VALUE_COLUMNS)


_SET = ", ".join(f"{c} = excluded.{c}" for c in VALUE_COLUMNS)
_ALL = ", ".join(UPSERT_COLUMNS)

# Column names come from this module only; values are always bound or COPYed.
_PG_STAGE = (
    f"CREATE TEMP TABLE ingest_stage ON COMMIT DROP AS SELECT {_ALL} FROM tickets WITH NO DATA"  # noqa: S608
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
_MARKS = ", ".join("?" * (len(UPSERT_COLUMNS) + 2))
_SQLITE_UPSERT = f"""
INSERT INTO tickets ({_ALL}, ingested_at, updated_at) VALUES ({_MARKS})
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


async def _upsert_postgresql(
    conn: AsyncConnection, rows: Sequence[Row], now: datetime
) -> UpsertCounts:
    # The staging table lives until the end of the caller's transaction; one per transaction.
    exists = await conn.scalar(text("SELECT to_regclass('pg_temp.ingest_stage') IS NOT NULL"))
    if exists:
        await conn.execute(text("TRUNCATE ingest_stage"))
    else:
        await conn.execute(text(_PG_STAGE))
    await copy_rows(conn, "ingest_stage", UPSERT_COLUMNS, rows)
    inserted, updated = (await conn.execute(text(_PG_MERGE), {"now": now})).one()
    return UpsertCounts(inserted, updated, len(rows) - inserted - updated)


async def _existing_keys(conn: AsyncConnection, rows: Sequence[Row]) -> int:
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row[0], []).append(row[1])
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    found = 0
    for source, ids in by_source.items():
        for start in range(0, len(ids), _SQLITE_KEYS_PER_QUERY):
            chunk = ids[start : start + _SQLITE_KEYS_PER_QUERY]
            sql = (
                "SELECT count(*) FROM tickets WHERE source = ? "  # noqa: S608
                f"AND external_id IN ({', '.join('?' * len(chunk))})"
            )
            async with driver.execute(sql, (source, *chunk)) as cursor:
                (count,) = await cursor.fetchone()
            found += count
    return found


async def _upsert_sqlite(conn: AsyncConnection, rows: Sequence[Row], now: datetime) -> UpsertCounts:
    existing = await _existing_keys(conn, rows)
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    stamp = _sqlite_value(now)
    params = [(*map(_sqlite_value, row), stamp, stamp) for row in rows]
    before = driver.total_changes
    await driver.executemany(_SQLITE_UPSERT, params)
    # total_changes counts inserted rows and rows the DO UPDATE actually touched.
    changed = driver.total_changes - before
    inserted = len(rows) - existing
    updated = changed - inserted
    return UpsertCounts(inserted, updated, existing - updated)
