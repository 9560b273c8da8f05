"""The evaluation's fixed data: seeded demo tickets around `now` plus the 2024 reference CSV.

`rows()` gives the tickets as plain dicts (ids in load order, as a fresh database numbers them), the
input of the independent reference; `load(engine)` puts the very same rows into a database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from cschat.tickets import demo
from cschat.tickets.bulk import load_rows
from cschat.tickets.models import ROW_COLUMNS
from tests.support.reference import REFERENCE_CSV

NOW = datetime.fromisoformat("2026-11-27T10:00:00+01:00")
TZ = ZoneInfo("Europe/Madrid")
DEMO_COUNT, DEMO_DAYS, DEMO_SEED = 3000, 365, 7

LOADED_AT = NOW.astimezone(UTC)
COLUMNS = (*ROW_COLUMNS, "ingested_at", "updated_at")


def _local(text: str) -> datetime | None:
    # The CSV's times are naive local times of the team (the app's time zone).
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(UTC) if text else None


def _number(text: str) -> float | None:
    return float(text) if text else None


def csv_rows(path: Path = REFERENCE_CSV) -> Iterator[tuple[Any, ...]]:
    """The reference CSV mapped onto `COLUMNS`."""
    with path.open(newline="", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            values: dict[str, Any] = dict.fromkeys(COLUMNS)
            hours = _number(rec["resolution_hours"])
            csat = _number(rec["csat_score"])
            values.update(
                source="csv",
                external_id=rec["ticket_id"],
                category=rec["category"],
                priority=rec["priority"],
                channel=rec["channel"],
                status=rec["status"].strip().lower().replace(" ", "_").replace("-", "_"),
                agent=rec["agent"],
                team=rec["team"],
                created_at=_local(rec["created_date"]),
                first_response_minutes=_number(rec["first_response_minutes"]),
                resolved_at=_local(rec["resolved_date"]),
                resolution_minutes=None if hours is None else hours * 60,
                csat=None if csat is None else int(csat),
                attributes={"region": rec["region"], "country": rec["country"]},
                ingested_at=LOADED_AT,
                updated_at=LOADED_AT,
            )
            yield tuple(values[c] for c in COLUMNS)


def tuples(csv_path: Path = REFERENCE_CSV) -> Iterator[tuple[Any, ...]]:
    """Demo rows, then the CSV's, in `COLUMNS` order."""
    for row in demo.generate(count=DEMO_COUNT, days=DEMO_DAYS, seed=DEMO_SEED, now=NOW, tz=TZ):
        yield (*row, LOADED_AT, LOADED_AT)
    yield from csv_rows(csv_path)


def rows(csv_path: Path = REFERENCE_CSV) -> list[dict[str, Any]]:
    """Every ticket as a dict with the id a fresh database gives it."""
    return [
        {"id": i, **dict(zip(COLUMNS, row, strict=True))}
        for i, row in enumerate(tuples(csv_path), start=1)
    ]


async def load(engine: AsyncEngine, csv_path: Path = REFERENCE_CSV) -> None:
    """Load the evaluation tickets into an empty, migrated database."""
    async with engine.begin() as conn:
        await load_rows(conn, "tickets", COLUMNS, tuples(csv_path))
        if conn.dialect.name == "sqlite":
            from cschat.tickets.search import catch_up_sqlite

            await catch_up_sqlite(conn)
