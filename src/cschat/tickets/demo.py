"""Deterministic demo tickets: the same seed, count, window and "now" give the same rows."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

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
from cschat.tickets.models import Ticket

DEMO_SOURCE = "demo"

# Column order of the rows `generate` yields; the bulk loaders use it as is.
COLUMNS = (
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

# Contacts per local hour: quiet nights, a morning peak, a dip at lunch.
HOUR_WEIGHTS = (
    1,
    1,
    1,
    1,
    1,
    2,
    4,
    8,
    14,
    18,
    19,
    17,
    13,
    12,
    16,
    17,
    15,
    12,
    8,
    6,
    4,
    3,
    2,
    1,
)
WEEKEND_FACTOR = 0.35
SPANISH_SHARE = 0.55
CSAT_SHARE = 0.7


def _weights(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    values = [v for v, _ in pairs]
    return values, list(accumulate(w for _, w in pairs))


def generate(
    *, count: int, days: int, seed: int, now: datetime, tz: ZoneInfo
) -> Iterator[tuple[Any, ...]]:
    """Yield `count` ticket rows (in COLUMNS order) created over the `days` before `now`."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    now = now.astimezone(UTC)
    local_today = now.astimezone(tz).date()
    first_day = local_today - timedelta(days=days - 1)
    day_list = [first_day + timedelta(days=i) for i in range(days)]
    # Slow growth over the window, fewer contacts at weekends.
    day_cum = list(
        accumulate(
            (WEEKEND_FACTOR if d.weekday() >= 5 else 1.0) * (0.8 + 0.4 * i / max(days - 1, 1))
            for i, d in enumerate(day_list)
        )
    )
    hour_cum = list(accumulate(HOUR_WEIGHTS))
    priorities, priority_cum = _weights(PRIORITIES)
    channels, channel_cum = _weights(CHANNELS)
    open_statuses, open_cum = _weights(OPEN_STATUSES)
    categories = list(CATEGORIES)
    category_cum = list(accumulate(CATEGORIES[c].weight for c in categories))
    choices = rng.choices
    rand = rng.random
    lognorm = rng.lognormvariate

    for n in range(1, count + 1):
        day = choices(day_list, cum_weights=day_cum)[0]
        hour = choices(range(24), cum_weights=hour_cum)[0]
        local = datetime(day.year, day.month, day.day, hour, tzinfo=tz) + timedelta(
            seconds=rng.randrange(3600)
        )
        created = local.astimezone(UTC)
        if created > now:
            created = now - timedelta(seconds=rng.randrange(1, 3600))
        priority = choices(priorities, cum_weights=priority_cum)[0]
        channel = choices(channels, cum_weights=channel_cum)[0]
        category = choices(categories, cum_weights=category_cum)[0]
        agent = AGENTS[rng.randrange(len(AGENTS))]
        texts = CATEGORIES[category]
        spanish = rand() < SPANISH_SHARE
        speed = CHANNEL_SPEED[channel]

        first_minutes = round(lognorm(math.log(FIRST_RESPONSE_MEDIAN[priority] * speed), 0.8), 2)
        resolution_minutes = round(
            max(lognorm(math.log(RESOLUTION_MEDIAN[priority] * speed), 1.0), first_minutes + 1), 2
        )
        first_at: datetime | None = created + timedelta(minutes=first_minutes)
        resolved_at: datetime | None = created + timedelta(minutes=resolution_minutes)
        assert first_at is not None and resolved_at is not None
        # A few recent tickets stay open even if they "would" have been solved by now.
        still_open = resolved_at > now or (now - created < timedelta(days=14) and rand() < 0.15)
        if first_at > now:
            first_at, first_minutes_out = None, None
        else:
            first_minutes_out = first_minutes
        if still_open:
            status = choices(open_statuses, cum_weights=open_cum)[0]
            resolved_at, resolution_out, resolution_text, csat = None, None, None, None
        else:
            status = "closed" if rand() < 0.15 else "resolved"
            resolution_out = resolution_minutes
            resolution_text = rng.choice(texts.resolutions_es if spanish else texts.resolutions_en)
            csat = _csat(rng, resolution_minutes / RESOLUTION_MEDIAN[priority])
        subject = rng.choice(texts.subjects_es if spanish else texts.subjects_en)
        description = rng.choice(texts.details_es if spanish else texts.details_en)
        tags = [category.lower().replace(" ", "-"), priority.lower()]
        attributes = {"agent_name": agent.name, "region": "EMEA" if spanish else "NA"}
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
            CUSTOMERS[rng.randrange(len(CUSTOMERS))],
            created,
            first_at,
            first_minutes_out,
            resolved_at,
            resolution_out,
            csat,
            "es" if spanish else "en",
            tags,
            attributes,
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
        loaded = await load_rows(conn, "tickets", (*COLUMNS, "ingested_at", "updated_at"), rows)
        if conn.dialect.name == "sqlite":
            from cschat.tickets.search import catch_up_sqlite

            await catch_up_sqlite(conn)
        return loaded
