"""Deterministic demo tickets: the same seed, count, window and "now" give the same rows."""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from cschat.tickets import search
from cschat.tickets.bulk import load_rows
from cschat.tickets.demo_catalog import (
    AGENTS,
    CATEGORIES,
    CHANNEL_SPEED,
    CHANNELS,
    CUSTOMERS,
    FIRST_RESPONSE_MEDIAN,
    OPEN_STATUSES,
    PRIORITIES,
    RESOLUTION_MEDIAN,
)
from cschat.tickets.models import ROW_COLUMNS, Ticket

DEMO_SOURCE = "demo"
T = TypeVar("T")

# Contacts per local hour: quiet nights, a morning peak, a dip at lunch.
# fmt: off
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 17, 13, 12, 16, 17, 15, 12, 8, 6, 4, 3, 2, 1)
# fmt: on
WEEKEND_FACTOR = 0.35
SPANISH_SHARE = 0.55
CSAT_SHARE = 0.7


class _Picker(Generic[T]):
    """Weighted choice by bisecting cumulative weights: cheaper than `Random.choices` per call."""

    def __init__(self, values: Sequence[T], weights: Iterable[float], rand: Callable[[], float]):
        self.values = list(values)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]
        self.rand = rand

    def __call__(self) -> T:
        return self.values[bisect(self.cum, self.rand() * self.total)]


def _pairs(pairs: tuple[tuple[str, int], ...], rand: Callable[[], float]) -> _Picker[str]:
    return _Picker([v for v, _ in pairs], [w for _, w in pairs], rand)


def _hour_slots(now: datetime, days: int, tz: ZoneInfo) -> tuple[list[datetime], list[float]]:
    """UTC start of every local hour in the window, and how busy each one is."""
    first_day = now.astimezone(tz).date() - timedelta(days=days - 1)
    slots, weights = [], []
    for i in range(days):
        day = first_day + timedelta(days=i)
        # Slow growth over the window, fewer contacts at weekends.
        day_weight = (WEEKEND_FACTOR if day.weekday() >= 5 else 1.0) * (
            0.8 + 0.4 * i / max(days - 1, 1)
        )
        for hour, hour_weight in enumerate(HOUR_WEIGHTS):
            local = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
            slots.append(local.astimezone(UTC))
            weights.append(day_weight * hour_weight)
    return slots, weights


def generate(
    *, count: int, days: int, seed: int, now: datetime, tz: ZoneInfo
) -> Iterator[tuple[Any, ...]]:
    """Yield `count` ticket rows (in ROW_COLUMNS order) created over the `days` before `now`."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    rand = rng.random
    randrange = rng.randrange
    lognorm = rng.lognormvariate
    now = now.astimezone(UTC)
    slots, slot_weights = _hour_slots(now, days, tz)
    pick_slot = _Picker(slots, slot_weights, rand)
    pick_priority = _pairs(PRIORITIES, rand)
    pick_channel = _pairs(CHANNELS, rand)
    pick_open_status = _pairs(OPEN_STATUSES, rand)
    pick_category = _Picker(list(CATEGORIES), [c.weight for c in CATEGORIES.values()], rand)
    first_median = {p: math.log(m) for p, m in FIRST_RESPONSE_MEDIAN.items()}
    resolution_median = {p: math.log(m) for p, m in RESOLUTION_MEDIAN.items()}
    speed_log = {c: math.log(s) for c, s in CHANNEL_SPEED.items()}
    recent = now - timedelta(days=14)

    for n in range(1, count + 1):
        created = pick_slot() + timedelta(seconds=randrange(3600))
        if created > now:
            created = now - timedelta(seconds=randrange(1, 3600))
        priority = pick_priority()
        channel = pick_channel()
        category = pick_category()
        agent = AGENTS[randrange(len(AGENTS))]
        texts = CATEGORIES[category]
        spanish = rand() < SPANISH_SHARE

        first_minutes = round(lognorm(first_median[priority] + speed_log[channel], 0.8), 2)
        resolution_minutes = round(
            max(lognorm(resolution_median[priority] + speed_log[channel], 1.0), first_minutes + 1),
            2,
        )
        first_at: datetime | None = created + timedelta(minutes=first_minutes)
        resolved_at: datetime | None = created + timedelta(minutes=resolution_minutes)
        assert first_at is not None and resolved_at is not None
        # A few recent tickets stay open even if they "would" have been solved by now.
        still_open = resolved_at > now or (created > recent and rand() < 0.15)
        first_minutes_out: float | None = first_minutes
        if first_at > now:
            first_at, first_minutes_out = None, None
        if still_open:
            status = pick_open_status()
            resolved_at, resolution_out, resolution_text, csat = None, None, None, None
        else:
            status = "closed" if rand() < 0.15 else "resolved"
            resolution_out = resolution_minutes
            resolution_text = rng.choice(texts.resolutions_es if spanish else texts.resolutions_en)
            csat = _csat(rng, resolution_minutes / RESOLUTION_MEDIAN[priority])
        subject = rng.choice(texts.subjects_es if spanish else texts.subjects_en)
        description = rng.choice(texts.details_es if spanish else texts.details_en)
        yield (
            DEMO_SOURCE,
            f"DEMO-{n:07d}",
            subject,
            description,
            resolution_text,
            category,
            priority,
            channel,
            status,
            agent.email,
            agent.team,
            CUSTOMERS[randrange(len(CUSTOMERS))],
            created,
            first_at,
            first_minutes_out,
            resolved_at,
            resolution_out,
            csat,
            "es" if spanish else "en",
            [category.lower().replace(" ", "-"), priority.lower()],
            {"agent_name": agent.name, "region": "EMEA" if spanish else "NA"},
        )


def _csat(rng: random.Random, slowness: float) -> int | None:
    """Slower than usual resolutions score lower; not every customer answers the survey."""
    if rng.random() >= CSAT_SHARE:
        return None
    base = 4.6 - 0.6 * math.log1p(slowness)
    return max(1, min(5, round(rng.gauss(base, 0.8))))


async def seed(
    engine: AsyncEngine,
    *,
    count: int,
    days: int,
    seed: int,
    now: datetime,
    tz: ZoneInfo,
    replace: bool = False,
) -> int:
    """Load demo tickets unless some are there already (or `replace`); returns rows loaded."""
    async with engine.begin() as conn:
        existing = await conn.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.source == DEMO_SOURCE)
        )
        if existing and not replace:
            return 0
        if existing:
            await conn.execute(delete(Ticket).where(Ticket.source == DEMO_SOURCE))
        loaded_at = datetime.now(UTC)
        rows = (
            (*row, loaded_at, loaded_at)
            for row in generate(count=count, days=days, seed=seed, now=now, tz=tz)
        )
        loaded = await load_rows(conn, "tickets", (*ROW_COLUMNS, "ingested_at", "updated_at"), rows)
        if conn.dialect.name == "sqlite":
            await search.catch_up_sqlite(conn)
    if existing:
        async with engine.connect() as conn:
            await search.prune(conn)  # the search documents of texts no longer loaded
    return loaded
