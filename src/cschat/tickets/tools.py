"""The analytics tools (DESIGN §7): one registry behind the chat agents, stats and /data/query.

Every tool takes typed parameters, applies role scoping itself (an Agent never sees another agent's
figures), and returns JSON carrying the exact window (local dates, UTC bounds, time zone), the
filters and `data_as_of`. Windows: `start_date`/`end_date` are inclusive local dates in the caller's
time zone; a missing bound is open (no dates at all = all time).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import BigInteger, Select, String, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal
from cschat.core import kept
from cschat.core.db import MAX_BIGINT
from cschat.core.errors import BadRequest, Forbidden, NotFound
from cschat.core.sqlfunctions import fold, next_period_start, period_start
from cschat.tickets import daily, histogram, search
from cschat.tickets.models import FIRST_DAY, LAST_DAY, Ticket
from cschat.tickets.queries import (
    FILTER_FIELDS,
    DateField,
    Dimension,
    Interval,
    Selection,
    Status,
    Totals,
    Window,
    dialect_of,
    fold_sql,
    metric_columns,
    percentiles,
    period_label,
    period_sql,
)

ACTION_GROUP = "tickets_analytics"
Metric = Literal[
    "count",
    "avg_resolution_hours",
    "median_resolution_hours",
    "avg_first_response_minutes",
    "avg_csat",
]
MAX_PERIODS = 1000
# The most rows a breakdown returns, results a search returns, and characters a search takes.
MAX_ROWS = 500
MAX_RESULTS = 50
MAX_QUERY_CHARS = 500
TEXT = Field(default=None, min_length=1, max_length=255)


class ToolParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WindowParams(ToolParams):
    start_date: date | None = Field(None, description="First local day, YYYY-MM-DD (inclusive)")
    end_date: date | None = Field(None, description="Last local day, YYYY-MM-DD (inclusive)")
    date_field: DateField = Field("resolved", description="Which date the window applies to")
    category: str | None = TEXT
    priority: str | None = TEXT
    channel: str | None = TEXT
    agent: str | None = Field(None, min_length=1, max_length=255, description="Email or name")
    team: str | None = TEXT

    @field_validator("start_date", "end_date")
    @classmethod
    def _in_range(cls, day: date | None) -> date | None:
        # Stored times lie in this range; beyond it a local midnight or period may not exist.
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
        return day

    @model_validator(mode="after")
    def _ordered(self) -> WindowParams:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must be on or after start_date")
        return self


class CountParams(WindowParams):
    status: Status | None = Field(
        None, description="resolved | open (not resolved/closed) | any; default by date_field"
    )


class BreakdownParams(CountParams):
    dimension: Dimension
    metric: Metric = "count"
    limit: int = Field(10, ge=1, le=MAX_ROWS)
    order: Literal["desc", "asc"] = "desc"


class TrendParams(CountParams):
    interval: Interval
    metric: Metric = "count"


class ResolutionStatsParams(WindowParams):
    pass


class SearchParams(CountParams):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    limit: int = Field(5, ge=1, le=MAX_RESULTS)
    date_field: DateField = "created"


class GetTicketParams(ToolParams):
    ticket_id: str = Field(min_length=1, max_length=255, description="Our id or external id")


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    principal: Principal
    tz: ZoneInfo
    now: datetime
    data_as_of: str | None = None
    daily_zone: str | None = None  # the zone PostgreSQL's daily totals are built in

    @property
    def dialect(self) -> str:
        return dialect_of(self.session)


Handler = Callable[[Any, Context], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: type[ToolParams]
    handler: Handler


def _filters(params: WindowParams) -> dict[str, str]:
    return {f: v for f in FILTER_FIELDS if (v := getattr(params, f)) is not None}


def _is_self(principal: Principal, value: str) -> bool:
    names = {fold(principal.email)}
    full_name = " ".join(p for p in (principal.given_name, principal.family_name) if p)
    if full_name:
        names.add(fold(full_name))
    return fold(value) in names


def _selection(
    params: WindowParams, ctx: Context, *, status: Status, own_rows_only: bool = False
) -> Selection:
    """Window, filters and role scoping: an Agent's per-agent figures are always its own."""
    filters = _filters(params)
    own: str | None = None
    if not ctx.principal.is_supervisor:
        agent = filters.pop("agent", None)
        if agent is not None and not _is_self(ctx.principal, agent):
            raise Forbidden(
                f"agent: an Agent may only see its own figures, not those of '{agent}'."
            )
        if agent is not None or own_rows_only:
            own = ctx.principal.email
    window = Window(params.start_date, params.end_date, params.date_field, ctx.tz)
    return Selection(window=window, status=status, filters=filters, own_agent=own)


def _default_status(params: CountParams) -> Status:
    if params.status is not None:
        return params.status
    return "resolved" if params.date_field == "resolved" else "any"


def _envelope(ctx: Context, selection: Selection, **result: Any) -> dict[str, Any]:
    filters: dict[str, Any] = dict(selection.filters)
    if selection.own_agent is not None:
        filters["agent"] = selection.own_agent
    return {
        **result,
        "window": selection.window.to_json(),
        "status": selection.status,
        "filters": filters,
        "scope": "own" if selection.own_agent else "all",
        "data_as_of": ctx.data_as_of,
    }


async def count_tickets(params: CountParams, ctx: Context) -> dict[str, Any]:
    """How many tickets match the window, status and filters."""
    selection = _selection(params, ctx, status=_default_status(params))
    dim = daily.dimension_for(ctx.daily_zone, ctx.tz, selection)
    if dim is not None:
        ((count,),) = await kept.rows(ctx.session, *daily.count(selection, dim))
    else:
        stmt = select(func.count()).select_from(Ticket).where(*selection.conditions(ctx.dialect))
        count = await ctx.session.scalar(stmt)
    return _envelope(ctx, selection, count=int(count or 0))


async def _grouped(
    ctx: Context, selection: Selection, dimension: str, metric: Metric
) -> dict[Any, tuple[Any, Totals, float | None]]:
    """Totals per folded key (spellings merged), with a display label and the median if asked."""
    dim = daily.dimension_for(ctx.daily_zone, ctx.tz, selection, dimension, metric)
    if dim is None:
        key = getattr(Ticket, dimension)
        stmt = select(key, fold_sql(key, ctx.dialect), *metric_columns())
        stmt = stmt.where(*selection.conditions(ctx.dialect)).group_by(key)
        found: Sequence[Sequence[Any]] = (await ctx.session.execute(stmt)).all()
    else:
        found = await kept.rows(ctx.session, *daily.breakdown(selection, dim, dimension))
    # folded key -> [label, totals, rows behind the label]; the commonest spelling is the label.
    groups: dict[Any, list[Any]] = {}
    for row in found:
        label, group, n = row[:3]  # spelling, folded key, tickets; then the other sums
        entry = groups.setdefault(group, [label, Totals(), -1])
        if n > entry[2]:
            entry[0], entry[2] = label, n
        entry[1].add(row)
    medians: dict[Any, list[float | None]] = {}
    if metric == "median_resolution_hours":
        folded = fold_sql(getattr(Ticket, dimension), ctx.dialect)
        medians = await _medians(ctx, selection, dim, dimension, folded)
    return {
        k: (label, totals, _hours(medians.get(k, [None])[0]))
        for k, (label, totals, _) in groups.items()
    }


async def _medians(
    ctx: Context, selection: Selection, dim: str | None, group: str, key: Any
) -> dict[Any, list[float | None]]:
    """Median resolution minutes per `group` (a dimension or an interval; `key` is its expression
    over `tickets`): from the histograms when they answer, else sorted from `tickets`."""
    if dim is not None:
        found = await histogram.percentiles(ctx.session, selection, dim, [0.5], group)
        if found is not None:
            return found
    conditions = selection.conditions(ctx.dialect)
    return await percentiles(ctx.session, Ticket.resolution_minutes, conditions, [0.5], key=key)


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


def _value(totals: Totals, median: float | None, metric: Metric) -> float | int | None:
    if metric == "count":
        return totals.n
    if metric == "median_resolution_hours":
        return median
    return totals.value(metric)


async def breakdown_tickets(params: BreakdownParams, ctx: Context) -> dict[str, Any]:
    """The metric per category, priority, channel, agent, team or status."""
    selection = _selection(
        params, ctx, status=_default_status(params), own_rows_only=params.dimension == "agent"
    )
    groups = await _grouped(ctx, selection, params.dimension, params.metric)
    rows = [
        {
            "key": label,
            "value": _value(totals, median, params.metric),
            "count": totals.n,
            "measured": totals.measured(params.metric),
        }
        for label, totals, median in groups.values()
    ]
    sign = -1 if params.order == "desc" else 1
    rows.sort(key=lambda r: (r["value"] is None, sign * (r["value"] or 0), str(r["key"] or "")))
    return _envelope(
        ctx,
        selection,
        dimension=params.dimension,
        metric=params.metric,
        rows=rows[: params.limit],
        total_groups=len(rows),
        total_count=sum(r["count"] for r in rows),
    )


def _periods(first: date, last: date, interval: Interval) -> list[str]:
    out, day = [], period_start(first, interval)
    while day <= last:
        out.append(day.isoformat())
        if len(out) > MAX_PERIODS:
            raise BadRequest(
                f"interval: more than {MAX_PERIODS} {interval}s in the window; "
                "narrow start_date/end_date or use a longer interval."
            )
        day = next_period_start(day, interval)
    return out


_NO_TICKETS = Totals()  # an empty period's (read only)


async def ticket_trend(params: TrendParams, ctx: Context) -> dict[str, Any]:
    """The metric per local day, ISO week (Monday) or month, empty periods included."""
    selection = _selection(params, ctx, status=_default_status(params))
    dim = daily.dimension_for(ctx.daily_zone, ctx.tz, selection, metric=params.metric)
    by_median = params.metric == "median_resolution_hours"
    if dim is None or by_median:  # the period of each ticket, for whatever reads `tickets`
        period = period_sql(selection.window.column, params.interval, ctx.tz, ctx.dialect)
        label = period_label(period, ctx.dialect)
    if dim is None:
        stmt = select(label, *metric_columns()).where(*selection.conditions(ctx.dialect))
        found: Sequence[Sequence[Any]] = (await ctx.session.execute(stmt.group_by(period))).all()
    else:
        found = await kept.rows(ctx.session, *daily.trend(selection, dim, params.interval))
    totals: dict[str, Totals] = {}
    for row in found:
        totals.setdefault(row[0], Totals()).add(row)
    medians: dict[Any, list[float | None]] = {}
    if by_median:
        medians = await _medians(ctx, selection, dim, params.interval, label)
    seen = sorted(totals)
    today = ctx.now.astimezone(ctx.tz).date()
    first = params.start_date or (date.fromisoformat(seen[0]) if seen else None)
    last = params.end_date or (date.fromisoformat(seen[-1]) if seen else today)
    keys = _periods(first, last, params.interval) if first and last else []
    series = []
    for key in keys:
        group = totals.get(key, _NO_TICKETS)
        median = _hours(medians.get(key, [None])[0])
        value = _value(group, median, params.metric)
        measured = group.measured(params.metric)
        series.append({"period": key, "value": value, "count": group.n, "measured": measured})
    return _envelope(ctx, selection, interval=params.interval, metric=params.metric, series=series)


async def resolution_stats(params: ResolutionStatsParams, ctx: Context) -> dict[str, Any]:
    """Count, mean, median and p90 resolution hours, first response and CSAT (resolved)."""
    selection = _selection(params, ctx, status="resolved")
    dim = daily.dimension_for(ctx.daily_zone, ctx.tz, selection, metric="median_resolution_hours")
    totals = Totals()
    cuts = None
    if dim is not None:
        cuts = await histogram.percentiles(ctx.session, selection, dim, [0.5, 0.9])
    if dim is not None and cuts is not None:  # the histograms answered
        (row,) = await kept.rows(ctx.session, *daily.totals(selection, dim))
        totals.add(row)
        median, p90 = cuts.get(None, [None, None])
    elif ctx.dialect == "postgresql":
        # One scan: percentile_cont skips NULLs itself.
        conditions = selection.conditions(ctx.dialect)
        columns = [
            *(func.percentile_cont(p).within_group(Ticket.resolution_minutes) for p in (0.5, 0.9)),
            *metric_columns(),
        ]
        row = (await ctx.session.execute(select(*columns).where(*conditions))).one()
        totals.add(row)
        median, p90 = row[0], row[1]
    else:
        conditions = selection.conditions(ctx.dialect)
        totals.add((await ctx.session.execute(select(*metric_columns()).where(*conditions))).one())
        cuts = await percentiles(ctx.session, Ticket.resolution_minutes, conditions, [0.5, 0.9])
        median, p90 = next(iter(cuts.values()), [None, None])
    return _envelope(
        ctx,
        selection,
        count=totals.n,
        avg_hours=totals.value("avg_resolution_hours"),
        median_hours=_hours(median),
        p90_hours=_hours(p90),
        avg_first_response_minutes=totals.value("avg_first_response_minutes"),
        avg_csat=totals.value("avg_csat"),
        # How many tickets each figure comes from: a ticket may lack a rating or a time.
        resolution_count=totals.res_n,
        first_response_count=totals.frt_n,
        csat_count=totals.csat_n,
    )


# What a search result shows, then what only `get_ticket` adds, in the replies' order.
_SHOWN: tuple[str, ...] = ("id", "external_id", "source", "subject", "resolution", "status")
_SHOWN += ("category", "priority", "channel", "agent", "team", "created_at", "resolved_at")
_DETAIL: tuple[str, ...] = ("description", "customer", "first_response_minutes")
_DETAIL += ("resolution_minutes", "csat", "language", "tags", "attributes")


def _shown(fields: dict[str, Any]) -> dict[str, Any]:
    for name in ("created_at", "resolved_at"):
        moment = kept.utc(fields[name])
        fields[name] = moment.isoformat() if moment else None
    return fields


async def search_tickets(params: SearchParams, ctx: Context) -> dict[str, Any]:
    """Tickets ranked by text relevance; an Agent searches only its own tickets."""
    words = search.terms(params.query)
    if not words:
        raise BadRequest("query: give at least one word to search for.")
    status = params.status or "any"
    selection = _selection(params, ctx, status=status, own_rows_only=True)
    found: Sequence[Sequence[Any]] = []
    for need in search.tiers(len(words)):
        found = await search.search(
            ctx.session,
            columns=_SHOWN,
            words=words,
            limit=params.limit,
            selection=selection,
            need=need,
        )
        if found:
            break
    results = [
        {**_shown(dict(zip(_SHOWN, row[:-1], strict=True))), "score": float(row[-1])}
        for row in found
    ]
    return _envelope(
        ctx,
        selection,
        query=params.query,
        terms=words,
        matched=_matched(need, len(words)),
        words_required=need,
        results=results,
    )


def _matched(need: int, count: int) -> str:
    if need == count:
        return "all_words"
    if need == 1:
        return "any_word"
    return "all_but_one_word" if need == count - 1 else "some_words"


@kept.built_once
def _ticket_by_id(numeric: bool, own_only: bool) -> Select[Any]:
    """The ticket whose external id (else id, when `numeric`) is `:ticket_id`; an agent's own."""
    tickets = Ticket.__table__
    match = [tickets.c.external_id == bindparam("ticket_id", type_=String)]
    if numeric:
        match.append(tickets.c.id == bindparam("id", type_=BigInteger))
    stmt = select(*(tickets.c[name] for name in (*_SHOWN, *_DETAIL)))
    # The id a user quotes is usually their help desk's: an exact external id wins over ours.
    quoted_first = case((match[0], 0), else_=1)
    stmt = stmt.where(or_(*match)).order_by(quoted_first, tickets.c.id).limit(1)
    if own_only:
        stmt = stmt.where(func.lower(tickets.c.agent) == bindparam("agent", type_=String))
    return stmt


def _as_id(text: str) -> int | None:
    """`text` as one of our ids: ASCII digits within BIGINT ("²" is a digit to `isdigit`)."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_BIGINT else None


async def get_ticket(params: GetTicketParams, ctx: Context) -> dict[str, Any]:
    """One ticket by id or external id; an Agent gets only its own tickets."""
    id_, own_only = _as_id(params.ticket_id), not ctx.principal.is_supervisor
    numeric = id_ is not None
    values: dict[str, Any] = {"ticket_id": params.ticket_id}
    if numeric:
        values["id"] = id_
    if own_only:
        values["agent"] = ctx.principal.email.lower()
    found = await kept.rows(ctx.session, _ticket_by_id(numeric, own_only), values)
    if not found:
        raise NotFound(f"ticket_id: no ticket '{params.ticket_id}' that you may see.")
    ticket = _shown(dict(zip((*_SHOWN, *_DETAIL), found[0], strict=True)))
    return {"ticket": ticket, "data_as_of": ctx.data_as_of}


def _tool(name: str, params: type[ToolParams], handler: Any) -> Tool:
    return Tool(name, (handler.__doc__ or "").strip(), params, handler)


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        _tool("count_tickets", CountParams, count_tickets),
        _tool("breakdown_tickets", BreakdownParams, breakdown_tickets),
        _tool("ticket_trend", TrendParams, ticket_trend),
        _tool("resolution_stats", ResolutionStatsParams, resolution_stats),
        _tool("search_tickets", SearchParams, search_tickets),
        _tool("get_ticket", GetTicketParams, get_ticket),
    )
}


def _describe(error: ValidationError) -> str:
    parts = []
    for err in error.errors()[:10]:
        where = ".".join(str(p) for p in err["loc"]) or "parameters"
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown parameter '{where}'")
        else:
            parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_params(name: str, params: Mapping[str, Any]) -> ToolParams:
    """Validate a tool's parameters; an unknown tool or a bad value is a BadRequest naming it."""
    tool = TOOLS.get(name)
    if tool is None:
        raise BadRequest(f"Unknown tool '{name}'; known tools: {', '.join(TOOLS)}.")
    try:
        return tool.params.model_validate(dict(params))
    except ValidationError as exc:
        raise BadRequest(f"{name}: {_describe(exc)}") from None


async def run_tool(
    name: str,
    params: Mapping[str, Any],
    *,
    session: AsyncSession,
    principal: Principal,
    tz: ZoneInfo,
    now: datetime,
) -> dict[str, Any]:
    """Validate `params` and run the tool `name` for `principal`; returns a JSON-able dict."""
    parsed = parse_params(name, params)
    as_of, daily_zone = await daily.snapshot(session)
    context = Context(session, principal, tz, now, as_of, daily_zone)
    result = await TOOLS[name].handler(parsed, context)
    return {"tool": name, **result}


def function_schemas() -> list[dict[str, Any]]:
    """JSON Schema of every tool's parameters (for agents that call functions)."""
    return [
        {"name": t.name, "description": t.description, "parameters": t.params.model_json_schema()}
        for t in TOOLS.values()
    ]
