"""Exact percentiles of resolution time from the daily histograms (PostgreSQL, migration v001).

`percentile_cont(p)` over N values is two order statistics, at ranks floor and ceil of p*(N-1),
interpolated. The window's histogram (`ticket_daily_hist`, per resolved local day and bucket of
resolution minutes) gives N and, for each wanted rank, its bucket and its offset in the bucket;
then only those buckets' tickets in the window are read and ranked: by resolved time
(`ix_tickets_res_bucket`) over a short window, in resolution order (`ix_tickets_res_order`,
migration x001) over a long one. The answer is the same float8 as `percentile_cont` over
`tickets`. Used where the daily totals answer (`daily.dimension_for`) and the window is on the
resolved date.
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg.pq import TransactionStatus
from sqlalchemy import (
    ARRAY,
    TIMESTAMP,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core import kept
from cschat.core.db import driver_connection
from cschat.core.sqlfunctions import fold, next_period_start
from cschat.tickets import daily
from cschat.tickets.models import Ticket
from cschat.tickets.queries import (
    FILTER_FIELDS,
    Selection,
    fold_sql,
    interpolate,
    local_midnight,
    period_sql,
    status_is,
)

PG = "postgresql"
hist = table(
    "ticket_daily_hist",
    *(column(c) for c in ("dim", "day", "status", "has_value", "value", "bucket", "n")),
)


@dataclass(frozen=True)
class _Keys:
    """How one grouping reads: its raw key over the histogram and over `tickets` (cheap to
    compute per ticket), and the group each raw key belongs to (folded labels, 'YYYY-MM-DD')."""

    hist: Any
    tickets: Any
    group_of: Callable[[Any], Any]


def _raw_value(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=64)
def _keys(group: str | None, tz: ZoneInfo) -> _Keys:
    """`group`: None, a dimension (category ... team, status) or an interval (day, week, month).
    Dimensions group like the breakdowns (folded), periods like the trends."""
    hist_key = _hist_key(group)
    if group is None:
        return _Keys(hist_key, hist_key, _raw_value)
    if group == "status":  # statuses are lower-case already: folding changes none
        return _Keys(hist_key, Ticket.status, _raw_value)
    if group in FILTER_FIELDS:
        return _Keys(hist_key, getattr(Ticket, group), _folded)
    return _Keys(hist_key, period_sql(Ticket.resolved_at, group, tz, PG), _day)  # type: ignore[arg-type]


def _hist_key(group: str | None) -> Any:
    """The histograms' column or expression for `group` (see `_keys`)."""
    if group is None:
        return literal_column("''")
    if group == "status":
        return hist.c.status
    if group in FILTER_FIELDS:
        return case((hist.c.has_value, hist.c.value))
    unit: Any = literal_column(f"'{group}'")
    return func.date_trunc(unit, cast(hist.c.day, TIMESTAMP))


def _folded(value: str | None) -> str | None:
    return None if value is None else fold(value)


def _day(value: datetime) -> str:
    return value.date().isoformat()


def _locate(counts: list[tuple[int, int]], rank: int) -> tuple[int, int]:
    """(bucket, offset in it) of 0-based `rank`, given (bucket, count) in bucket order."""
    below = 0
    for bucket, n in counts:
        if rank < below + n:
            return bucket, rank - below
        below += n
    raise ValueError(f"rank {rank} beyond {below} values")


async def percentiles(
    session: AsyncSession,
    selection: Selection,
    dim: str,
    fractions: Sequence[float],
    group: str | None = None,
) -> dict[Any, list[float | None]] | None:
    """Exact continuous percentiles of resolution minutes per group, keyed like the breakdowns
    (folded value) and trends ('YYYY-MM-DD'), or by None when ungrouped; `dim` is from
    `daily.dimension_for`. None when the histograms cannot answer after all: read `tickets` then.

    The counts and the tickets are separate statements, and a write committed between them would
    shift the ranks. On a read session (autocommit on PostgreSQL) both run in one read-only
    REPEATABLE READ transaction, so they see the same data. Inside a caller's transaction
    (READ COMMITTED) the counts are read again afterwards instead: the answer stands when they
    did not change (it is then exact as of the tickets' read), else it is tried once more.
    """
    keys = _keys(group, selection.window.tz)
    async with _one_snapshot(session) as snapshot:
        if snapshot:
            counts = await _counts(session, selection, dim, group)
            if counts is None:
                return None
            return await _answer(session, selection, dim, keys, fractions, group, counts)
    for _ in range(2):
        counts = await _counts(session, selection, dim, group)
        if counts is None:
            return None
        result = await _answer(session, selection, dim, keys, fractions, group, counts)
        if await _counts(session, selection, dim, group) == counts:
            return result
    return None


_Counts = list[tuple[Any, int, int]]  # (raw key, bucket, tickets)


@asynccontextmanager
async def _one_snapshot(session: AsyncSession) -> AsyncIterator[bool]:
    """True inside a read-only REPEATABLE READ transaction opened for the block, when the
    session's PostgreSQL connection is in autocommit with none open; else False (no change).
    One snapshot saves reading the counts twice (~8 ms each over all time on a million)."""
    conn = await session.connection()
    driver = await driver_connection(conn)
    if (
        conn.dialect.name != PG
        or not driver.autocommit
        or driver.info.transaction_status != TransactionStatus.IDLE
    ):
        yield False
        return
    await driver.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        yield True
    finally:
        await driver.execute("COMMIT")  # a read-only transaction: nothing to keep or lose


@kept.built_once
def _counted(shape: tuple[Any, ...], group: str | None) -> Select[Any]:
    key = _hist_key(group)
    return (
        select(
            key.label("k"),
            hist.c.bucket,
            func.sum(hist.c.n).label("n"),
            daily.ready_in().label("ready"),
        )
        .where(*daily.conditions(shape, hist))
        .group_by(literal_column("1"), hist.c.bucket)
        .having(func.sum(hist.c.n) > 0)
        .order_by(hist.c.bucket, literal_column("1"))
    )


async def _counts(
    session: AsyncSession, selection: Selection, dim: str, group: str | None
) -> _Counts | None:
    """The window's histogram, or None while the histograms do not answer in this zone (a bulk
    load queued changes since the tool checked). Whether they answer comes with the counts, in
    the same statement; an empty window asks separately."""
    zone = selection.window.tz.key
    shape, params = daily.where(selection, dim)
    counted = _counted(shape, group)
    rows = await kept.rows(session, counted, {**params, "zone": zone})
    ready = rows[0][3] if rows else await daily.ready_zone(session) == zone
    if not ready:
        return None
    return [(raw, bucket, int(n)) for raw, bucket, n, _ in rows]


async def _answer(
    session: AsyncSession,
    selection: Selection,
    dim: str,
    keys: _Keys,
    fractions: Sequence[float],
    group: str | None,
    counts: _Counts,
) -> dict[Any, list[float | None]] | None:
    histograms: dict[Any, dict[int, int]] = {}
    spellings: dict[Any, set[Any]] = {}
    groups: dict[Any, Any] = {}  # raw key -> group: a month of days has ~1,500 rows, 30 keys
    for raw, bucket, n in counts:
        key = groups.get(raw)
        if key is None:
            key = groups[raw] = keys.group_of(raw)
            spellings.setdefault(key, set()).add(raw)
        per_bucket = histograms.setdefault(key, {})
        per_bucket[bucket] = per_bucket.get(bucket, 0) + n

    # Per group and fraction: the position p*(N-1) and its two ranks as (group, bucket, offset).
    cuts: dict[Any, list[tuple[float, tuple[Any, int, int], tuple[Any, int, int]]]] = {}
    for key, per_bucket in histograms.items():
        buckets = sorted(per_bucket.items())
        total = sum(n for _, n in buckets)
        cuts[key] = []
        for fraction in fractions:
            position = fraction * (total - 1)
            low = (key, *_locate(buckets, math.floor(position)))
            high = (key, *_locate(buckets, math.ceil(position)))
            cuts[key].append((position, low, high))
    wanted = {rank for per_key in cuts.values() for _, low, high in per_key for rank in (low, high)}
    if not wanted:
        return {}

    if group in FILTER_FIELDS or group == "status":
        single = all(len(raws) == 1 for raws in spellings.values())
        if single and len(cuts) <= FEW_GROUPS:
            raw = {key: next(iter(raws)) for key, raws in spellings.items()}
            values = await _each(session, selection, dim, wanted, None, (group, raw))
        else:
            values = await _ranked(session, selection, keys, wanted, spellings)
    else:
        values = await _each(session, selection, dim, wanted, group)

    if any(values.get(w) is None for w in wanted):
        return None  # a write between the counts and the tickets
    return {
        None if group is None else key: [
            interpolate(values[low], values[high], position) for position, low, high in per_key
        ]
        for key, per_key in cuts.items()
    }


# Up to this many groups, one lookup per group and rank; past it, one ranked pass over them all.
FEW_GROUPS = 8
_Wanted = set[tuple[Any, int, int]]  # (group, bucket, offset in the bucket)
_Values = dict[tuple[Any, int, int], float]


def _bucket() -> Any:
    return func.cschat_res_bucket(Ticket.resolution_minutes)


async def _ranked(
    session: AsyncSession,
    selection: Selection,
    keys: _Keys,
    wanted: _Wanted,
    spellings: dict[Any, set[Any]],
) -> _Values:
    """The wanted values of dimension groups: one pass over the wanted buckets' tickets in the
    window, ranked per group and bucket. Partitions follow the raw value (a byte-wise sort, no
    folding per ticket) unless two spellings share a group."""
    partition = keys.tickets
    if any(len(raws) > 1 for raws in spellings.values()):
        partition = fold_sql(partition, PG)
        keys = _Keys(keys.hist, partition, _raw_value)
    partition = partition.collate("C")
    bucket, minutes = _bucket(), Ticket.resolution_minutes
    number = func.row_number().over(partition_by=[partition, bucket], order_by=minutes)
    ranked = (
        select(partition.label("k"), bucket.label("b"), minutes.label("v"), (number - 1).label("i"))
        .where(
            *selection.conditions(PG),
            minutes.is_not(None),
            bucket.in_(sorted({b for _, b, _ in wanted})),
        )
        .subquery()
    )
    offsets = sorted({i for _, _, i in wanted})
    stmt = select(ranked.c.k, ranked.c.b, ranked.c.i, ranked.c.v).where(ranked.c.i.in_(offsets))
    return {(keys.group_of(k), b, i): v for k, b, i, v in (await session.execute(stmt)).all()}


async def _each(
    session: AsyncSession,
    selection: Selection,
    dim: str,
    wanted: _Wanted,
    interval: str | None,
    column: tuple[str, dict[Any, Any]] | None = None,
) -> _Values:
    """The wanted values of the whole window, of its periods (`interval`) or of a few groups
    (`column`: the grouped column's name and each group's one raw value), one index lookup each:
    the tickets of one bucket in one period or group, sorted, at an offset, with the value after
    it (the other rank of a percentile is usually the next one in the same bucket)."""
    window, tz = selection.window, selection.window.tz
    lookups: list[tuple[Any, int, int]] = []
    for key, b, i in sorted(wanted, key=lambda w: (str(w[0]), w[1], w[2])):
        if not lookups or lookups[-1] != (key, b, i - 1):
            lookups.append((key, b, i))
    shape, params = _on_tickets(selection, dim)
    if interval is None and column is None:
        pairs = await _whole(session, shape, params, [(b, i) for _, b, i in lookups])
        return _spread(lookups, pairs)
    rows = []
    for key, b, i in lookups:
        lo, hi = window.start or _EARLIEST, window.end or _LATEST
        if interval is not None:
            first = date.fromisoformat(key)
            lo = max(lo, local_midnight(first, tz))
            hi = min(hi, local_midnight(next_period_start(first, interval), tz))
        rows.append((b, i, lo, hi, column[1][key] if column else None))
    # Arrays bound as parameters, not a VALUES list: the statement is built once per shape.
    columns = [list(c) for c in zip(*[(n, *row) for n, row in enumerate(rows)], strict=True)]
    params |= {f"want_{name}": values for name, values in zip("nbilhk", columns, strict=True)}
    stmt = _lookups(shape, column[0] if column else None)
    found = dict((await session.execute(stmt, params)).all())
    return _spread(lookups, [found[n] for n in range(len(lookups))])


def _on_tickets(selection: Selection, dim: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """`selection`'s WHERE clause over `tickets` as a shape (`_conditions`) and its values, for a
    selection the histograms answer (`daily.dimension_for` gave `dim`): its one filtered
    dimension is `dim`."""
    where = daily.where(selection, dim)
    params = {**where.params, "start_at": selection.window.start, "end_at": selection.window.end}
    return (where.shape, dim), params


def _conditions(shape: tuple[Any, ...]) -> list[ColumnElement[bool]]:
    """`Selection.conditions` over `tickets` for a shape of `_on_tickets`, with values bound."""
    (resolved, status, names), dim = shape
    column = Ticket.resolved_at if resolved else Ticket.created_at
    timestamp = DateTime(timezone=True)
    conds: list[ColumnElement[bool]] = [column.is_not(None)] if resolved else []
    if "start" in names:
        conds.append(column >= bindparam("start_at", type_=timestamp))
    if "end" in names:
        conds.append(column < bindparam("end_at", type_=timestamp))
    if status != "any":
        conds.append(status_is(Ticket.status, status))
    for name in names:
        if name.startswith("value_"):
            column = getattr(Ticket, dim)
            folded = fold_sql(column, PG) == bindparam(name, type_=Text)
            conds += [daily.sized(column, name), folded]
    if "agent" in names:
        conds.append(func.lower(Ticket.agent) == bindparam("agent", type_=Text))
    return conds


@kept.built_once
def _lookups(shape: tuple[Any, ...], grouped: str | None) -> Select[Any]:
    """`_each`'s lookups of periods, or of groups of the column named `grouped`."""
    timestamp = DateTime(timezone=True)
    types: list[Any] = [Integer, Integer, Integer, timestamp, timestamp, Text]
    arrays = [
        bindparam(f"want_{name}", type_=ARRAY(kind))
        for name, kind in zip("nbilhk", types, strict=True)
    ]
    want = func.unnest(*arrays).table_valued("n", "b", "i", "lo", "hi", "k").render_derived("want")
    in_group = [getattr(Ticket, grouped).is_not_distinct_from(want.c.k)] if grouped else []
    minutes = Ticket.resolution_minutes
    pick = (
        select(array([minutes, func.lead(minutes).over(order_by=minutes)]))
        .where(
            *_conditions(shape),
            minutes.is_not(None),
            _bucket() == want.c.b,
            Ticket.resolved_at >= want.c.lo,
            Ticket.resolved_at < want.c.hi,
            *in_group,
        )
        .order_by(minutes)
        .offset(want.c.i)
        .limit(1)
        .scalar_subquery()
    )
    return select(want.c.n, pick)


def _spread(
    lookups: list[tuple[Any, int, int]], found: Sequence[Sequence[float] | None]
) -> _Values:
    """The values of lookup results: each lookup's value at its offset and the one after it."""
    values: _Values = {}
    for (key, b, i), pair in zip(lookups, found, strict=True):
        if not pair:
            continue  # no ticket at that offset (see `percentiles`)
        values[(key, b, i)] = pair[0]
        if len(pair) > 1 and pair[1] is not None:
            values[(key, b, i + 1)] = pair[1]
    return values


async def _whole(
    session: AsyncSession,
    shape: tuple[Any, ...],
    params: dict[str, Any],
    lookups: list[tuple[int, int]],
) -> list[Sequence[float] | None]:
    """`_each` over the whole window: per lookup (bucket, offset), the value there and the next.
    Planned for each run's values: over a short window the planner reads the bucket's tickets in
    the window and sorts them (`ix_tickets_res_bucket`); over a long one it reads the bucket in
    resolution order up to the offset (`ix_tickets_res_order`, ~4x faster over all time on a
    million tickets). A plan made once for any values would take the first for both."""
    for n, (b, i) in enumerate(lookups):
        params[f"b{n}"], params[f"i{n}"] = b, i
    stmt = _whole_lookups(shape, len(lookups))
    (row,) = await kept.rows(session, stmt, params, planned_each_time=True)
    return list(row)


@kept.built_once
def _whole_lookups(shape: tuple[Any, ...], count: int) -> Select[Any]:
    minutes = Ticket.resolution_minutes
    conditions = [*_conditions(shape), minutes.is_not(None)]
    picks = [
        func.array(
            select(minutes)
            .where(*conditions, _bucket() == bindparam(f"b{n}", type_=Integer))
            .order_by(minutes)
            .offset(bindparam(f"i{n}", type_=Integer))
            .limit(2)
            .scalar_subquery()
        )
        for n in range(count)
    ]
    return select(*picks)


_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)
