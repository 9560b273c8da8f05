"""`GET /api/database/stats`: the seed's totals plus dashboard figures, built on the tools.

All-time aggregates over millions of tickets take a second or more, and dashboards poll, so
results are kept per process while the data is unchanged: the key holds max(updated_at) and max(id)
(two index lookups; every insert and update moves one of them) and the local day. Deletes do not
move them, so an entry also expires after CACHE_SECONDS.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from cschat.auth.dependencies import Principal
from cschat.core import kept
from cschat.integrations.hubspot.mapping import SOURCE as HUBSPOT_SOURCE
from cschat.integrations.hubspot.repository import last_run_summary
from cschat.tickets.ingest.repository import last_ingest
from cschat.tickets.models import Ticket
from cschat.tickets.tools import run_tool

BREAKDOWN_LIMIT = 500
CACHE_SECONDS = 60.0
_cache: dict[tuple[str, str], tuple[float, tuple[Any, ...], dict[str, Any]]] = {}
_tickets = Ticket.__table__
# What the data's version is read with, on every call: a kept statement (`core.kept`).
_VERSION = select(func.max(_tickets.c.updated_at), func.max(_tickets.c.id))


async def database_stats(
    session: AsyncSession, *, principal: Principal, tz: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """The stats below, reused while the data and the local day are unchanged."""
    ((updated, newest),) = await kept.rows(session, _VERSION)
    version = (updated, newest, now.astimezone(tz).date())
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), tz.key)
    hit = _cache.get(key)
    if hit and hit[1] == version and time.monotonic() - hit[0] < CACHE_SECONDS:
        result = hit[2]
    else:
        result = await compute_stats(session, principal=principal, tz=tz, now=now)
        _cache[key] = (time.monotonic(), version, result)
    # Not cached: a run that changed nothing still counts as the latest one.
    return {**result, **(await latest_runs(session))}


async def latest_runs(session: AsyncSession) -> dict[str, Any]:
    """The last finished ingest request and the last HubSpot sync run."""
    ingest = await last_ingest(session)
    return {
        "last_ingest": ingest.model_dump(mode="json") if ingest else None,
        "last_sync": await last_run_summary(session, HUBSPOT_SOURCE),
    }


async def compute_stats(
    session: AsyncSession, *, principal: Principal, tz: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """Totals, breakdowns by category/channel/priority, this week/month and resolution times."""

    async def tool(name: str, **params: Any) -> dict[str, Any]:
        return await run_tool(name, params, session=session, principal=principal, tz=tz, now=now)

    today = now.astimezone(tz).date()
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    everything = {"date_field": "created", "status": "any"}

    async def breakdown(dimension: str) -> dict[str, Any]:
        return await tool(
            "breakdown_tickets", dimension=dimension, limit=BREAKDOWN_LIMIT, **everything
        )

    def counts(result: dict[str, Any]) -> list[dict[str, Any]]:
        dimension = result["dimension"]
        return [{dimension: row["key"], "count": row["count"]} for row in result["rows"]]

    async def the_rest() -> list[dict[str, Any]]:
        # The category breakdown covers every ticket (NULL is a group), so it also gives the total.
        return [
            await breakdown("category"),
            await breakdown("channel"),
            await breakdown("priority"),
            await tool("count_tickets", date_field="created", status="open"),
            await tool("count_tickets", start_date=week_start.isoformat()),
            await tool("count_tickets", start_date=month_start.isoformat()),
        ]

    # All-time resolution times take longest (their median reads most): on PostgreSQL they are
    # read on a second connection while the rest is read on this one.
    side = _side_session(session)
    if side is None:
        resolution, rest = await tool("resolution_stats"), await the_rest()
    else:
        async with side:
            resolution, rest = await asyncio.gather(
                run_tool("resolution_stats", {}, session=side, principal=principal, tz=tz, now=now),
                the_rest(),
            )
    categories, channels, priorities, open_now, week, month = rest
    return {
        "success": True,
        "total_tickets": categories["total_count"],
        "categories": counts(categories),
        "channels": counts(channels),
        "priorities": counts(priorities),
        "resolved_total": resolution["count"],
        "resolved_this_week": week["count"],
        "resolved_this_month": month["count"],
        "open_tickets": open_now["count"],
        "avg_resolution_hours": resolution["avg_hours"],
        "median_resolution_hours": resolution["median_hours"],
        "timezone": tz.key,
        "week_start": week_start.isoformat(),
        "month_start": month_start.isoformat(),
        "data_as_of": resolution["data_as_of"],
    }


def _side_session(session: AsyncSession) -> AsyncSession | None:
    """A second read session beside `session`, on PostgreSQL only: there each statement reads a
    snapshot of its own anyway (`core.db.for_reads`), so figures read on two connections at once
    agree as well as figures read one after another. SQLite's read session has one snapshot for
    every figure: None."""
    bind = session.bind
    if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql":
        return AsyncSession(bind)
    return None
