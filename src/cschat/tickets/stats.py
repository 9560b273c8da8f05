"""`GET /api/database/stats`: the seed's totals plus dashboard figures, built on the tools."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal
from cschat.tickets.tools import run_tool

BREAKDOWN_LIMIT = 500


async def database_stats(
    session: AsyncSession, *, principal: Principal, tz: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """Totals, breakdowns by category/channel/priority, this week/month and resolution times."""

    async def tool(name: str, **params: Any) -> dict[str, Any]:
        return await run_tool(name, params, session=session, principal=principal, tz=tz, now=now)

    today = now.astimezone(tz).date()
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    everything = {"date_field": "created", "status": "any"}

    async def counts(dimension: str) -> list[dict[str, Any]]:
        result = await tool(
            "breakdown_tickets", dimension=dimension, limit=BREAKDOWN_LIMIT, **everything
        )
        return [{dimension: row["key"], "count": row["count"]} for row in result["rows"]]

    total = await tool("count_tickets", **everything)
    open_now = await tool("count_tickets", date_field="created", status="open")
    week = await tool("count_tickets", start_date=week_start.isoformat())
    month = await tool("count_tickets", start_date=month_start.isoformat())
    resolution = await tool("resolution_stats")
    return {
        "success": True,
        "total_tickets": total["count"],
        "categories": await counts("category"),
        "channels": await counts("channel"),
        "priorities": await counts("priority"),
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
        # Filled in once ingest batches and the HubSpot sync record their runs.
        "last_ingest": None,
        "last_sync": None,
    }
