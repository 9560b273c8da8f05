"""Ticket upsert by (source, external_id) with exact inserted/updated counts, on both engines.

Kept apart and with a plain signature (`executor, rows -> counts`) so the shared ingest upsert can
replace it. A row whose values did not change is not written, so `updated` counts real changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from cschat.core.db import utcnow
from cschat.tickets.models import Ticket

KEY_COLUMNS = ("source", "external_id")
# Columns an upsert may change; `ingested_at` keeps the first arrival.
DATA_COLUMNS = tuple(
    c.name
    for c in Ticket.__table__.columns
    if c.name not in ("id", "ingested_at", "updated_at", *KEY_COLUMNS)
)


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def upserted(self) -> int:
        return self.inserted + self.updated


async def upsert_tickets(
    executor: AsyncSession | AsyncConnection, rows: list[dict[str, Any]]
) -> UpsertCounts:
    """Insert or update `tickets` rows (dicts of Ticket columns) by (source, external_id)."""
    by_key = {(r["source"], r["external_id"]): r for r in rows}  # last one wins within a batch
    if not by_key:
        return UpsertCounts()
    now = utcnow()
    values = [{**row, "ingested_at": now, "updated_at": now} for row in by_key.values()]
    conn = await executor.connection() if isinstance(executor, AsyncSession) else executor
    if conn.dialect.name == "postgresql":
        inserted, updated = await _upsert_postgresql(conn, values)
    else:
        inserted, updated = await _upsert_sqlite(conn, values, set(by_key))
    return UpsertCounts(inserted, updated, len(by_key) - inserted - updated)


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


@cache
def _postgresql_statement() -> str:
    """One parameter (the batch as JSON) instead of 24 per row: PostgreSQL parses it once and
    psycopg can prepare the statement, where a multi-row VALUES list is re-parsed every batch."""
    table = cast(Table, Ticket.__table__)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    columns = [c for c in table.columns if c.name != "id"]
    names = ", ".join(c.name for c in columns)
    record = ", ".join(f"{c.name} {c.type.compile(dialect=dialect)}" for c in columns)
    assignments = ", ".join(f"{n} = EXCLUDED.{n}" for n in (*DATA_COLUMNS, "updated_at"))
    current = ", ".join(f"tickets.{n}" for n in DATA_COLUMNS)
    incoming = ", ".join(f"EXCLUDED.{n}" for n in DATA_COLUMNS)
    # xmax = 0 only on a row version this statement inserted: tells inserts from updates.
    # Every name comes from the Ticket model, never from input; the batch is the one parameter.
    return (
        f"INSERT INTO tickets ({names}) "  # noqa: S608
        f"SELECT {names} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({record}) "
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {assignments} "
        f"WHERE ({current}) IS DISTINCT FROM ({incoming}) "
        "RETURNING (xmax = 0) AS inserted"
    )


async def _upsert_postgresql(
    conn: AsyncConnection, values: list[dict[str, Any]]
) -> tuple[int, int]:
    payload = json.dumps(values, default=_json_value)
    flags = (await conn.execute(text(_postgresql_statement()), {"rows": payload})).scalars().all()
    inserted = sum(1 for flag in flags if flag)
    return inserted, len(flags) - inserted


async def _upsert_sqlite(
    conn: AsyncConnection, values: list[dict[str, Any]], keys: set[tuple[str, str]]
) -> tuple[int, int]:
    found = await conn.execute(
        select(Ticket.source, Ticket.external_id).where(
            Ticket.source.in_({source for source, _ in keys}),
            Ticket.external_id.in_([external_id for _, external_id in keys]),
        )
    )
    existing = {(source, external_id) for source, external_id in found}
    table = cast(Table, Ticket.__table__)
    stmt = sqlite.insert(table)
    changed = or_(*(table.c[name].is_distinct_from(stmt.excluded[name]) for name in DATA_COLUMNS))
    upsert = stmt.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={
            **{name: stmt.excluded[name] for name in DATA_COLUMNS},
            "updated_at": stmt.excluded.updated_at,
        },
        where=changed,
    ).returning(table.c.source, table.c.external_id)
    # Core statement + executemany: compiled once, sent as multi-row VALUES batches.
    written = {(source, external_id) for source, external_id in await conn.execute(upsert, values)}
    inserted = len(written - existing)
    return inserted, len(written & existing)
