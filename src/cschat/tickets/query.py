"""`/data/query`: structured queries built on the tools, and the sandboxed SQL endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal
from cschat.core import csv_export
from cschat.core.config import DatabaseSettings
from cschat.core.db import Database
from cschat.core.errors import BadRequest
from cschat.tickets import sql_runner
from cschat.tickets.queries import FILTER_FIELDS
from cschat.tickets.schemas import QueryParams
from cschat.tickets.sql_guard import check_sql
from cschat.tickets.tools import run_tool

log = structlog.get_logger(__name__)
PERIODS = ("day", "week", "month")
# Without group_by, a non-count metric is one of resolution_stats' fields.
STATS_FIELDS = {
    "avg_resolution_hours": "avg_hours",
    "median_resolution_hours": "median_hours",
    "avg_first_response_minutes": "avg_first_response_minutes",
    "avg_csat": "avg_csat",
}


def _tool_call(q: QueryParams) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"date_field": q.date_field}
    for name in ("start_date", "end_date", *FILTER_FIELDS):
        if (value := getattr(q, name)) is not None:
            params[name] = value.isoformat() if hasattr(value, "isoformat") else value
    if q.group_by is None and q.metric != "count":
        if q.status not in (None, "resolved"):
            raise BadRequest(
                f"status: {q.metric} without group_by covers resolved tickets; "
                "add group_by to use another status."
            )
        return "resolution_stats", params
    if q.status is not None:
        params["status"] = q.status
    if q.group_by is None:
        return "count_tickets", params
    if q.group_by in PERIODS:
        return "ticket_trend", {**params, "interval": q.group_by, "metric": q.metric}
    return "breakdown_tickets", {
        **params,
        "dimension": q.group_by,
        "metric": q.metric,
        "limit": q.limit,
        "order": q.order,
    }


async def structured_query(
    q: QueryParams, *, session: AsyncSession, principal: Principal, tz: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """Run the tool behind a structured query and shape its result as columns and rows."""
    name, params = _tool_call(q)
    result = await run_tool(name, params, session=session, principal=principal, tz=tz, now=now)
    if name == "count_tickets":
        columns, rows = ["count"], [[result["count"]]]
    elif name == "resolution_stats":
        columns, rows = [q.metric, "count"], [[result[STATS_FIELDS[q.metric]], result["count"]]]
    else:
        label, items = (
            ("period", result["series"]) if name == "ticket_trend" else ("key", result["rows"])
        )
        columns = [str(q.group_by), q.metric]
        rows = [[i[label], i["value"]] for i in items]
        if q.metric != "count":
            columns.append("count")
            rows = [[*row, i["count"]] for row, i in zip(rows, items, strict=True)]
    return {
        "columns": columns,
        "rows": rows,
        "tool": name,
        "window": result["window"],
        "filters": result["filters"],
        "data_as_of": result["data_as_of"],
    }


def csv_lines(columns: list[str], rows: list[list[Any]]) -> Iterator[str]:
    """Columns and rows as CSV text, one line at a time (text never read as a formula)."""
    for record in (columns, *rows):
        yield csv_export.line(record)


async def run_sql(sql: str, *, db: Database, settings: DatabaseSettings) -> dict[str, Any]:
    """Check and run one read-only SELECT; `{columns, rows, row_count, truncated}`."""
    engine = db.read_engine
    checked = check_sql(sql, engine.dialect.name)
    cap, seconds = settings.sql_max_rows, settings.sql_timeout_seconds
    if engine.dialect.name == "postgresql":
        result = await sql_runner.run_postgres(engine, checked, cap=cap, seconds=seconds)
    else:
        path = engine.url.database
        if not path or path == ":memory:":
            raise BadRequest("sql: SQL queries need a file-backed SQLite database.")
        result = await sql_runner.run_sqlite(path, checked, cap=cap, seconds=seconds)
    return result.to_json()
