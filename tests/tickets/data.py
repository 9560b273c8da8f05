"""Test data for the analytics tests: demo rows, the reference CSV, and an independent reference.

The reference computations here use plain Python over rows read back from the database: local dates
through zoneinfo per row, folding through unicodedata, percentiles through `statistics.quantiles`.
"""

from __future__ import annotations

import csv
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from cschat.tickets import demo
from cschat.tickets.bulk import load_rows
from cschat.tickets.models import RESOLVED_STATUSES, Ticket
from tests.support.reference import MEASURED_BY, REFERENCE_CSV

DEMO_NOW = datetime(2024, 11, 10, 12, 0, tzinfo=UTC)
CSV_COLUMNS = (
    "source",
    "external_id",
    "category",
    "priority",
    "channel",
    "status",
    "agent",
    "team",
    "created_at",
    "first_response_minutes",
    "resolved_at",
    "resolution_minutes",
    "csat",
    "attributes",
    "ingested_at",
    "updated_at",
)


async def load_demo(engine: AsyncEngine, tz: ZoneInfo, count: int = 2000, days: int = 240) -> None:
    await demo.seed(engine, count=count, days=days, seed=11, now=DEMO_NOW, tz=tz)


def _local(text: str, tz: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC) if text else None


def _number(text: str) -> float | None:
    return float(text) if text else None


def reference_rows(tz: ZoneInfo) -> Iterable[tuple[Any, ...]]:
    """The reference CSV mapped onto our columns, naive times read in `tz`."""
    loaded = datetime.now(UTC)
    with REFERENCE_CSV.open(newline="") as handle:
        for rec in csv.DictReader(handle):
            hours = _number(rec["resolution_hours"])
            csat = _number(rec["csat_score"])
            yield (
                "csv",
                rec["ticket_id"],
                rec["category"],
                rec["priority"],
                rec["channel"],
                rec["status"].strip().lower().replace(" ", "_").replace("-", "_"),
                rec["agent"],
                rec["team"],
                _local(rec["created_date"], tz),
                _number(rec["first_response_minutes"]),
                _local(rec["resolved_date"], tz),
                None if hours is None else hours * 60,
                None if csat is None else int(csat),
                {"region": rec["region"], "country": rec["country"]},
                loaded,
                loaded,
            )


async def load_reference(engine: AsyncEngine, tz: ZoneInfo) -> None:
    async with engine.begin() as conn:
        await load_rows(conn, "tickets", CSV_COLUMNS, reference_rows(tz))


async def all_tickets(engine: AsyncEngine) -> list[Ticket]:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        return list((await session.scalars(select(Ticket))).all())


def folded(value: str | None) -> str | None:
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Reference:
    """Plain-Python answers over the same rows the database holds."""

    tickets: list[Ticket]
    tz: ZoneInfo

    def select(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        date_field: str = "resolved",
        status: str | None = None,
        agent_email: str | None = None,
        **filters: str,
    ) -> list[Ticket]:
        status = status or ("resolved" if date_field == "resolved" else "any")
        out = []
        for t in self.tickets:
            moment = t.resolved_at if date_field == "resolved" else t.created_at
            if moment is None:
                continue
            day = moment.astimezone(self.tz).date()
            if (start and day < start) or (end and day > end):
                continue
            if status == "resolved" and t.status not in RESOLVED_STATUSES:
                continue
            if status == "open" and t.status in RESOLVED_STATUSES:
                continue
            if any(folded(getattr(t, f)) != folded(v) for f, v in filters.items()):
                continue
            if agent_email and (t.agent or "").lower() != agent_email.lower():
                continue
            out.append(t)
        return out

    def local_day(self, t: Ticket, date_field: str) -> date:
        moment = t.resolved_at if date_field == "resolved" else t.created_at
        assert moment is not None
        return moment.astimezone(self.tz).date()


def period_of(day: date, interval: str) -> str:
    if interval == "day":
        return day.isoformat()
    if interval == "week":
        return (day - timedelta(days=day.isoweekday() - 1)).isoformat()
    return f"{day.year:04d}-{day.month:02d}-01"


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (the 'inclusive' method)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(q * 100) - 1]


def metric(tickets: list[Ticket], name: str) -> float | None:
    pick: Callable[[Ticket], Any]
    if name == "count":
        return float(len(tickets))
    if name == "avg_resolution_hours":
        return _scaled(
            mean([t.resolution_minutes for t in tickets if t.resolution_minutes is not None])
        )
    if name == "median_resolution_hours":
        values = [t.resolution_minutes for t in tickets if t.resolution_minutes is not None]
        return _scaled(quantile(values, 0.5))
    if name == "avg_first_response_minutes":
        pick = lambda t: t.first_response_minutes  # noqa: E731
    elif name == "avg_csat":
        pick = lambda t: t.csat  # noqa: E731
    else:
        raise ValueError(name)
    return mean([float(v) for t in tickets if (v := pick(t)) is not None])


def measured(tickets: list[Ticket], name: str) -> int:
    """How many of `tickets` have what metric `name` is computed from."""
    if name == "count":
        return len(tickets)
    return sum(getattr(t, MEASURED_BY[name]) is not None for t in tickets)


def _scaled(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60
