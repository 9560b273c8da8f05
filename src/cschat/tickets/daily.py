"""The daily totals (PostgreSQL table `ticket_daily`, migration r001): when they can answer a tool.

They hold additive aggregates per (date field, local day, status, one dimension value), so they
answer exactly a count, a breakdown or a trend of an additive metric whose filters and grouping
touch at most one of category/priority/channel/agent/team, in the zone they were built for.
Anything else (medians, several dimensions, an agent given by name, another zone, SQLite) reads
`tickets`. Sums are added in another order than a scan of `tickets` would, so averages can differ
from it in the last bits of a float (about 1e-15 relative), never more.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.expression import TableClause

from cschat.core import kept
from cschat.core.db import make_engine
from cschat.core.sqlfunctions import fold
from cschat.tickets.models import Ticket
from cschat.tickets.queries import (
    FILTER_FIELDS,
    METRIC_NAMES,
    Selection,
    data_as_of_text,
    dialect_of,
    fold_sql,
    length_bounds,
    period_label,
    status_is,
)

TOTAL = ""  # the `dim` of the rows that count every ticket once
# Any constant works; it only keeps two processes from rebuilding at once.
_REBUILD_LOCK = 0x63736461696C79
log = structlog.get_logger(__name__)

daily = table(
    "ticket_daily",
    *(column(c) for c in ("date_field", "day", "status", "dim", "has_value", "value")),
    *(column(c) for c in METRIC_NAMES),
)


_state = table("ticket_daily_state", column("zone"), column("pending"))


# Built once; over the table, not the mapped class, so the ORM layer is skipped (every tool
# call runs it).
_LATEST = select(func.max(Ticket.__table__.c.updated_at)).scalar_subquery()
_STATE = select(_state.c.zone, _state.c.pending).subquery()
_SNAPSHOT = {
    "postgresql": select(_LATEST, _STATE.c.zone, _STATE.c.pending),
    "sqlite": select(_LATEST, literal_column("NULL"), literal_column("NULL")),
}


async def snapshot(session: AsyncSession) -> tuple[str | None, str | None]:
    """`data_as_of` and the zone the daily totals can answer in (None on SQLite, before they
    are built, and while a bulk load's changes are pending), in one round trip."""
    ((latest, zone, pending),) = await kept.rows(session, _SNAPSHOT[dialect_of(session)])
    return data_as_of_text(kept.utc(latest)), zone if pending == 0 else None


async def ready_zone(conn: AsyncConnection | AsyncSession) -> str | None:
    """The zone the totals answer in now: None before they are built or while changes wait."""
    row = (await conn.execute(select(_state.c.zone, _state.c.pending))).one_or_none()
    return row[0] if row is not None and row[1] == 0 else None


def ready_in() -> Any:
    """`ready_zone(...) == :zone` as an SQL expression, to read along with the totals."""
    zone = bindparam("zone", type_=String)
    state = select(_state.c.zone).where(_state.c.zone == zone, _state.c.pending == 0)
    return state.exists()


async def defer(conn: AsyncConnection) -> None:
    """In this transaction, queue the totals' changes for `merge` instead of applying them (bulk
    loads: one merge at the end touches each total once, not once per batch)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL cschat.daily_defer = 'on'"))


async def merge(conn: AsyncConnection) -> None:
    """Apply the queued changes (PostgreSQL; a no-op when none are queued)."""
    if conn.dialect.name == "postgresql":
        pending = await conn.scalar(text("SELECT pending FROM ticket_daily_state"))
        if pending:
            await conn.execute(text("SELECT ticket_daily_merge()"))


async def built_zone(conn: AsyncConnection | AsyncSession) -> str | None:
    """The zone the daily totals hold days of (None until built); PostgreSQL only."""
    zone: str | None = await conn.scalar(text("SELECT zone FROM ticket_daily_state"))
    return zone


async def ensure(conn: AsyncConnection, tz: ZoneInfo) -> bool:
    """Build the daily totals in `tz` unless they are; True when this call rebuilt them.

    Runs in the caller's transaction: writers to `tickets` wait until it commits (a few seconds
    per million tickets), so no change is counted twice or missed.
    """
    if conn.dialect.name != "postgresql":
        return False
    if await built_zone(conn) == tz.key:
        await merge(conn)  # what a load that stopped early left queued
        return False
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REBUILD_LOCK})
    await conn.execute(text("LOCK TABLE tickets IN SHARE MODE"))
    if await built_zone(conn) == tz.key:  # another process built them meanwhile
        return False
    await conn.execute(text("SELECT ticket_daily_rebuild(:zone)"), {"zone": tz.key})
    return True


async def build_at(url: URL, tz: ZoneInfo) -> None:
    """`build` on a database of its own engine (the CLI after migrating, the benchmarks)."""
    engine = make_engine(url)
    try:
        await build(engine, tz)
    finally:
        await engine.dispose()


async def build(engine: AsyncEngine, tz: ZoneInfo) -> None:
    """`ensure` in its own transaction, logged; at start-up and after migrating (never raises:
    until the totals exist the tools read `tickets`)."""
    if engine.dialect.name != "postgresql":
        return
    started = time.perf_counter()
    try:
        async with engine.begin() as conn:
            rebuilt = await ensure(conn, tz)
        if rebuilt:
            # Fresh statistics now, not when autovacuum gets to them: planned on the empty
            # tables' estimates, the histograms' sums sorted ~30,000 rows they could hash.
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE ticket_daily, ticket_daily_hist"))
    except SQLAlchemyError as exc:
        log.warning("daily_totals_not_built", zone=tz.key, error=type(exc).__name__)
        return
    if rebuilt:
        seconds = round(time.perf_counter() - started, 2)
        log.info("daily_totals_built", zone=tz.key, seconds=seconds)


def dimension_for(
    built: str | None,
    tz: ZoneInfo,
    selection: Selection,
    group: str | None = None,
    metric: str = "count",
) -> str | None:
    """The dimension whose rows answer `metric` over this selection (grouped by `group`), or None
    if none can; `built` is the zone the totals were built in (`snapshot`). Medians come from the
    resolution histograms (`histogram.percentiles`), which are kept per resolved day only."""
    if metric == "median_resolution_hours" and selection.window.date_field != "resolved":
        return None
    dims = set(selection.filters)
    agent = selection.filters.get("agent")
    if agent is not None and "@" not in agent:
        return None  # a name matches attributes.agent_name, which the totals do not keep
    if selection.own_agent is not None:
        dims.add("agent")
    if group in FILTER_FIELDS:
        dims.add(group)
    if len(dims) > 1:
        return None
    if built != tz.key:
        return None
    return dims.pop() if dims else TOTAL


class Where(NamedTuple):
    """A selection's WHERE clause over the totals: the statement's `shape` (statements are built
    once per shape, see `kept.built_once`) and the values it binds."""

    shape: tuple[Any, ...]
    params: dict[str, Any]


def where(selection: Selection, dim: str) -> Where:
    """`selection.conditions` on `tickets` as `conditions` over rows of dimension `dim`."""
    window = selection.window
    params: dict[str, Any] = {"dim": dim}
    if window.start_date is not None:
        params["start"] = window.start_date
    if window.end_date is not None:
        params["end"] = window.end_date
    for number, value in enumerate(selection.filters.values()):
        folded = params[f"value_{number}"] = fold(value)
        params[f"least_{number}"], params[f"most_{number}"] = length_bounds(folded)
    if selection.own_agent is not None:
        params["agent"] = selection.own_agent.lower()
    return Where((window.date_field == "resolved", selection.status, tuple(params)), params)


def conditions(shape: tuple[Any, ...], rows: TableClause = daily) -> list[ColumnElement[bool]]:
    """The WHERE clause of `shape` (from `where`) over `ticket_daily`, or over `rows` of the
    same key, such as the resolution histograms, which have no date field."""
    resolved, status, names = shape
    conds: list[ColumnElement[bool]] = [rows.c.dim == bindparam("dim", type_=String)]
    if "date_field" in rows.c:
        conds.append(rows.c.date_field == literal_column("'r'" if resolved else "'c'"))
    if "start" in names:
        conds.append(rows.c.day >= bindparam("start", type_=Date))
    if "end" in names:
        conds.append(rows.c.day <= bindparam("end", type_=Date))
    if status != "any":
        conds.append(status_is(rows.c.status, status))
    for name in names:
        if name.startswith("value_"):
            folded = fold_sql(rows.c.value, "postgresql") == bindparam(name, type_=String)
            conds += [rows.c.has_value, sized(rows.c.value, name), folded]
    if "agent" in names:
        conds += [rows.c.has_value, func.lower(rows.c.value) == bindparam("agent", type_=String)]
    return conds


def sized(column: Any, name: str) -> ColumnElement[bool]:
    """The length of `column` is one the filter value bound as `name` allows (`length_bounds`,
    bound by `where`): tested before folding, it spares folding most rows."""
    number = name.removeprefix("value_")
    least, most = (bindparam(f"{b}_{number}", type_=Integer) for b in ("least", "most"))
    return func.char_length(column).between(least, most)


def _count(name: str) -> Any:
    return cast(func.sum(getattr(daily.c, name)), BigInteger)


# The aggregates `queries.metric_columns` gives over `tickets`, with the same labels, built once
# (statements are immutable, so every query can share them). PostgreSQL sums bigints as
# numeric; counts come back as integers like count(*) does.
_SUMS = [
    (func.sum(getattr(daily.c, name)) if name.endswith("sum") else _count(name)).label(name)
    for name in METRIC_NAMES
]
_ZEROED = [func.coalesce(s.element, 0).label(s.name) for s in _SUMS]
_COUNT = _count("n")


@kept.built_once
def _count_of(shape: tuple[Any, ...]) -> Select[Any]:
    return select(_COUNT).where(*conditions(shape))


@kept.built_once
def _totals_of(shape: tuple[Any, ...]) -> Select[Any]:
    return select(*_ZEROED).where(*conditions(shape))


@kept.built_once
def _breakdown_of(shape: tuple[Any, ...], dimension: str) -> Select[Any]:
    if dimension == "status":
        key: Any = daily.c.status
        grouped = [daily.c.status]
    else:
        # The dimension value, NULL where the tickets had none.
        key = case((daily.c.has_value, daily.c.value))
        grouped = [daily.c.has_value, daily.c.value]
    stmt = select(key, fold_sql(key, "postgresql"), *_SUMS)
    stmt = stmt.where(*conditions(shape)).group_by(*grouped)
    return stmt.having(func.sum(daily.c.n) > 0)


@kept.built_once
def _trend_of(shape: tuple[Any, ...], interval: str) -> Select[Any]:
    period = func.date_trunc(literal_column(f"'{interval}'"), cast(daily.c.day, TIMESTAMP))
    label = period_label(period, "postgresql")
    stmt = select(label, *_SUMS).where(*conditions(shape)).group_by(period)
    return stmt.having(func.sum(daily.c.n) > 0)


Query = tuple[Select[Any], dict[str, Any]]  # a statement and the values to execute it with


def count(selection: Selection, dim: str) -> Query:
    """`count_tickets` over the daily totals."""
    shape, params = where(selection, dim)
    return _count_of(shape), params


def totals(selection: Selection, dim: str) -> Query:
    """The sums of the whole selection (one row; zeros when no day matches)."""
    shape, params = where(selection, dim)
    return _totals_of(shape), params


def breakdown(selection: Selection, dim: str, dimension: str) -> Query:
    """Label, folded label and sums per value of `dimension` (a filter field or `status`)."""
    shape, params = where(selection, dim)
    return _breakdown_of(shape, dimension), params


def trend(selection: Selection, dim: str, interval: str) -> Query:
    """'YYYY-MM-DD' of each local day, ISO week or month, and its sums (days are local already)."""
    shape, params = where(selection, dim)
    return _trend_of(shape, interval), params


def distinct_values(dimension: str) -> Select[Any]:
    """The values of a filter field that some ticket has (the local agent's vocabulary)."""
    rows = daily.c.dim == dimension, daily.c.has_value
    stmt = select(daily.c.value).where(*rows).group_by(daily.c.value)
    return stmt.having(func.sum(daily.c.n) > 0)
