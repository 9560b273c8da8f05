"""Request and response shapes of the ticket analytics endpoints."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cschat.tickets.queries import DateField, Status
from cschat.tickets.tools import Metric

GroupBy = Literal[
    "category", "priority", "channel", "agent", "team", "status", "day", "week", "month"
]


class QueryParams(BaseModel):
    """`GET /data/query`: a metric, optionally grouped, over a window and filters."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric = "count"
    group_by: GroupBy | None = None
    start_date: date | None = None
    end_date: date | None = None
    date_field: DateField = "resolved"
    status: Status | None = None
    category: str | None = Field(None, max_length=255)
    priority: str | None = Field(None, max_length=255)
    channel: str | None = Field(None, max_length=255)
    agent: str | None = Field(None, max_length=255)
    team: str | None = Field(None, max_length=255)
    limit: int = Field(100, ge=1, le=500)
    order: Literal["desc", "asc"] = "desc"
    format: Literal["json", "csv"] = "json"


class QueryRead(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    tool: str
    window: dict[str, Any] | None = None
    filters: dict[str, Any]
    data_as_of: str | None


class SqlQueryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sql: str = Field(min_length=1, description="One SELECT over tickets / resolved_tickets")


class SqlQueryRead(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool


class CategoryCount(BaseModel):
    category: str | None
    count: int


class ChannelCount(BaseModel):
    channel: str | None
    count: int


class PriorityCount(BaseModel):
    priority: str | None
    count: int


class DatabaseStatsRead(BaseModel):
    """The seed's `{success, total_tickets, categories}` plus the figures a dashboard needs."""

    success: bool
    total_tickets: int
    categories: list[CategoryCount]
    channels: list[ChannelCount]
    priorities: list[PriorityCount]
    resolved_total: int
    resolved_this_week: int
    resolved_this_month: int
    open_tickets: int
    avg_resolution_hours: float | None
    median_resolution_hours: float | None
    timezone: str
    week_start: str
    month_start: str
    data_as_of: str | None
    last_ingest: dict[str, Any] | None
    last_sync: dict[str, Any] | None
