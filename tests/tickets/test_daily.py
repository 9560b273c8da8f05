"""PostgreSQL's daily totals: triggers keep them equal to a rebuild through every kind of write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from cschat.chat.vocabulary import read_vocabulary
from cschat.core import kept
from cschat.core.db import Database
from cschat.tickets import daily, histogram
from cschat.tickets.ingest.service import Caller, IngestOptions, ingest
from cschat.tickets.queries import METRIC_NAMES, Selection, Window
from cschat.tickets.upsert import upsert_tickets
from tests.tickets.data import DEMO_NOW, Reference, all_tickets, load_demo
from tests.tickets.test_tools import _run

MADRID = ZoneInfo("Europe/Madrid")
SINCE = (DEMO_NOW.date() - timedelta(days=30)).isoformat()
ROWS = "SELECT date_field, day, status, dim, has_value, value, {} FROM ticket_daily"
HIST_ROWS = (
    "SELECT dim, day, status, has_value, value, bucket, n FROM ticket_daily_hist WHERE n <> 0"
)


@pytest.fixture(autouse=True)
def _postgresql_only(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the daily totals are PostgreSQL's")


async def _snapshot(engine: AsyncEngine) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The daily totals and the resolution histograms (rows that count something)."""
    async with engine.connect() as conn:
        result = await conn.execute(text(ROWS.format(", ".join(METRIC_NAMES)) + " WHERE n <> 0"))
        rows = {tuple(row[:6]): tuple(row[6:]) for row in result}
        result = await conn.execute(text(HIST_ROWS))
        rows |= {("hist", *row[:6]): (row[6],) for row in result}
        return rows


async def _rebuilt(engine: AsyncEngine, tz: ZoneInfo) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE ticket_daily_state SET zone = NULL"))
        assert await daily.ensure(conn, tz)
    return await _snapshot(engine)


def _assert_same(kept: dict[Any, Any], rebuilt: dict[Any, Any]) -> None:
    assert kept.keys() == rebuilt.keys()
    for key, sums in rebuilt.items():
        assert kept[key] == pytest.approx(sums, rel=1e-9, abs=1e-6), key


async def test_triggers_match_a_rebuild_after_inserts_updates_and_deletes(db: Database) -> None:
    async with db.engine.begin() as conn:
        assert await daily.ensure(conn, MADRID)
        assert not await daily.ensure(conn, MADRID)  # built once
    await load_demo(db.engine, MADRID, count=600)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE tickets SET status = 'open', resolved_at = NULL, resolution_minutes = NULL "
                "WHERE id % 5 = 0"
            )
        )
        await conn.execute(text("UPDATE tickets SET category = 'Facturación' WHERE id % 3 = 0"))
        # Resolution times that move to other histogram buckets.
        await conn.execute(
            text("UPDATE tickets SET resolution_minutes = resolution_minutes * 3 WHERE id % 6 = 1")
        )
        await conn.execute(text("UPDATE tickets SET csat = NULL, agent = NULL WHERE id % 4 = 0"))
        await conn.execute(text("UPDATE tickets SET created_at = created_at - interval '20 hours'"))
        await conn.execute(text("DELETE FROM tickets WHERE id % 7 = 0"))
        # An upsert that updates some rows and inserts others (both trigger kinds in one go).
        rows = (await conn.execute(text("SELECT * FROM tickets ORDER BY id LIMIT 40"))).mappings()
        changed = [(r["source"], r["external_id"], *(_row_values(r)), None, None) for r in rows]
        new = [("other", f"N-{n}", *changed[0][2:]) for n in range(10)]
        await upsert_tickets(conn, [*changed, *new])
    _assert_same(await _snapshot(db.engine), await _rebuilt(db.engine, MADRID))


def _row_values(r: Any) -> tuple[Any, ...]:
    """A ticket's columns after `external_id` up to `language`, with a new priority and CSAT."""
    return (
        r["subject"], r["description"], r["resolution"], r["category"], "Urgent", r["channel"],
        r["status"], r["agent"], r["team"], r["customer"], r["created_at"],
        r["first_response_at"], r["first_response_minutes"], r["resolved_at"],
        r["resolution_minutes"], 5, r["language"],
    )  # fmt: skip


async def test_truncate_empties_the_totals(db: Database) -> None:
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=100)
    assert await _snapshot(db.engine)
    async with db.engine.begin() as conn:
        await conn.execute(text("TRUNCATE tickets"))
    assert await _snapshot(db.engine) == {}


async def test_totals_of_another_zone_are_not_used(db: Database, session: AsyncSession) -> None:
    await load_demo(db.engine, MADRID, count=400)
    async with db.engine.begin() as conn:
        await daily.ensure(conn, ZoneInfo("UTC"))
    selection = Selection(Window(None, None, "created", MADRID), "any", {})
    assert daily.dimension_for(await daily.built_zone(session), MADRID, selection) is None
    assert daily.dimension_for("UTC", ZoneInfo("UTC"), selection) == daily.TOTAL
    # Rebuilt for Madrid, the same question is answered from the totals with the same number.
    raw = await _run(session, MADRID, "count_tickets", date_field="created", start_date=SINCE)
    async with db.engine.begin() as conn:
        assert await daily.ensure(conn, MADRID)
    await session.rollback()
    assert daily.dimension_for(await daily.built_zone(session), MADRID, selection) == daily.TOTAL
    summed = await _run(session, MADRID, "count_tickets", date_field="created", start_date=SINCE)
    ref = Reference(await all_tickets(db.engine), MADRID)
    want = ref.select(start=date.fromisoformat(SINCE), date_field="created")
    assert summed["count"] == raw["count"] == len(want) > 0


@pytest.mark.parametrize(
    ("filters", "own", "group", "expected"),
    [
        ({}, None, None, daily.TOTAL),
        ({"category": "billing"}, None, None, "category"),
        ({"category": "billing"}, None, "category", "category"),
        ({"category": "billing"}, None, "priority", None),
        ({}, "a@example.com", "agent", "agent"),
        ({}, "a@example.com", "team", None),
        ({"agent": "Lucía Fernández"}, None, None, None),
        ({"agent": "lucia@example.com"}, None, None, "agent"),
        ({}, None, "status", daily.TOTAL),
    ],
)
async def test_which_questions_the_totals_answer(
    db: Database,
    session: AsyncSession,
    filters: dict[str, str],
    own: str | None,
    group: str | None,
    expected: str | None,
) -> None:
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    selection = Selection(Window(None, None, "resolved", MADRID), "resolved", filters, own)
    assert (
        daily.dimension_for(await daily.built_zone(session), MADRID, selection, group) == expected
    )


async def test_vocabulary_from_the_totals_equals_the_tickets_values(
    db: Database, session: AsyncSession
) -> None:
    await load_demo(db.engine, MADRID, count=300)
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE tickets SET category = NULL WHERE id % 9 = 0"))
        await conn.execute(text("UPDATE tickets SET team = ' ' WHERE id % 11 = 0"))
    from_tickets = await read_vocabulary(session, {})
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
        # A value whose last ticket went away leaves no trace in the vocabulary.
        await conn.execute(text("UPDATE tickets SET channel = 'Fax' WHERE id = 1"))
        await conn.execute(text("DELETE FROM tickets WHERE id = 1"))
    await session.rollback()
    assert await daily.built_zone(session) == MADRID.key
    from_totals = await read_vocabulary(session, {})
    assert from_totals.values == from_tickets.values
    assert "Fax" not in from_totals.values["channel"]
    # A bulk load's queued values are in `tickets` only until the merge: read them there.
    async with db.engine.begin() as conn:
        await daily.defer(conn)
        await conn.execute(text("UPDATE tickets SET category = 'Garantías' WHERE id = 2"))
    await session.rollback()
    assert "Garantías" in (await read_vocabulary(session, {})).values["category"]


async def test_a_deferred_bulk_load_is_merged_once_and_read_around_until_then(
    db: Database, session: AsyncSession
) -> None:
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=200)
    async with db.engine.begin() as conn:
        rows = (await conn.execute(text("SELECT * FROM tickets ORDER BY id LIMIT 30"))).mappings()
        changed = [(r["source"], r["external_id"], *_row_values(r), None, None) for r in rows]
        new = [("bulk", f"B-{n}", *changed[n][2:]) for n in range(25)]
        await daily.defer(conn)
        await upsert_tickets(conn, [*changed, *new])
        await conn.execute(text("SET LOCAL cschat.daily_defer = 'on'"))
        await conn.execute(text("DELETE FROM tickets WHERE id % 13 = 0"))
    # Queued, not applied: the tools read `tickets` meanwhile.
    assert (await daily.snapshot(session))[1] is None
    # A median that chose the histograms just before the queue began reads `tickets` instead.
    window = Window(None, None, "resolved", MADRID)
    everything = Selection(window=window, status="resolved", filters={})
    assert await histogram.percentiles(session, everything, daily.TOTAL, [0.5]) is None
    async with db.engine.begin() as conn:
        await daily.merge(conn)
    await session.rollback()
    assert (await daily.snapshot(session))[1] == MADRID.key
    _assert_same(await _snapshot(db.engine), await _rebuilt(db.engine, MADRID))
    # Merged: the histograms answer, with percentile_cont's value.
    cuts = await histogram.percentiles(session, everything, daily.TOTAL, [0.5, 0.9])
    exact = await session.execute(
        text(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_minutes), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_minutes) FROM tickets "
            "WHERE resolved_at IS NOT NULL AND status IN ('resolved', 'closed')"
        )
    )
    assert cuts == {None: list(exact.one())}


async def test_an_ingest_upload_leaves_the_totals_merged(
    db: Database, session: AsyncSession
) -> None:
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    body = "external_id,created_at,status,category,resolution_minutes\n" + "".join(
        f"X{n},2024-0{1 + n % 9}-1{n % 10}T10:00:00,closed,Cat{n % 4},{n * 7}\n" for n in range(300)
    )

    async def chunks() -> AsyncIterator[bytes]:
        yield body.encode()

    outcome = await ingest(
        db.engine,
        chunks(),
        options=IngestOptions(format="csv", source="csv"),
        caller=Caller(id="test", name="test"),
        app_tz=MADRID,
        batch_rows=50,
    )
    assert outcome.body["inserted"] == 300
    assert (await daily.snapshot(session))[1] == MADRID.key
    _assert_same(await _snapshot(db.engine), await _rebuilt(db.engine, MADRID))


async def test_a_queue_lost_in_a_crash_is_rebuilt_not_merged(db: Database) -> None:
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=150)
    async with db.engine.begin() as conn:
        await daily.defer(conn)
        await conn.execute(text("UPDATE tickets SET status = 'open' WHERE id % 3 = 0"))
    async with db.engine.begin() as conn:
        # What a crash does to an unlogged table; the logged count stays.
        await conn.execute(text("DELETE FROM ticket_daily_pending"))
        await daily.merge(conn)
    assert await _snapshot(db.engine) == await _rebuilt(db.engine, MADRID)


_MEDIAN = text(
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_minutes) FROM tickets "
    "WHERE resolved_at IS NOT NULL AND status IN ('resolved', 'closed')"
)


def _late_tickets(db: Database, written: list[bool]) -> kept.Observer:
    """A `kept.observed` observer that commits 40 tickets resolved in a minute, from another
    connection, just before the histogram's first lookup of `tickets` runs (a whole window's
    lookups are kept statements)."""
    dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def write_first(statement: str, _values: Any) -> None:
        if "OFFSET" in statement and not written:
            written.append(True)
            with psycopg.connect(dsn, autocommit=True) as other:
                other.execute(
                    "INSERT INTO tickets (source, external_id, status, created_at, resolved_at, "
                    "resolution_minutes, ingested_at, updated_at) "
                    "SELECT 'late', 'L-' || n, 'resolved', now(), now(), 1, now(), now() "
                    "FROM generate_series(1, 40) n"
                )

    return write_first


async def test_a_write_between_counts_and_tickets_is_read_again(
    db: Database, session: AsyncSession
) -> None:
    """Tickets resolved fast, committed after the histogram is read and before the tickets are:
    the ranks move, so the median is computed again, and equals percentile_cont after the write."""
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=300)
    written: list[bool] = []
    write_first = _late_tickets(db, written)
    window = Window(None, None, "resolved", MADRID)
    everything = Selection(window=window, status="resolved", filters={})
    with kept.observed(write_first):
        cuts = await histogram.percentiles(session, everything, daily.TOTAL, [0.5])
    assert written
    assert cuts == {None: [await session.scalar(_MEDIAN)]}


async def test_a_read_session_reads_counts_and_tickets_in_one_snapshot(db: Database) -> None:
    """On a read session (autocommit) the counts and the tickets share one REPEATABLE READ
    snapshot: tickets committed in between are not seen, and the counts are read only once."""
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=300)
    async with db.sessionmaker() as session:
        before = await session.scalar(_MEDIAN)
    written: list[bool] = []
    write_first = _late_tickets(db, written)
    sent: list[str] = []
    window = Window(None, None, "resolved", MADRID)
    everything = Selection(window=window, status="resolved", filters={})
    async with db.read_sessionmaker() as read:
        with kept.observed(write_first), kept.observed(lambda sql, _: sent.append(sql)):
            cuts = await histogram.percentiles(read, everything, daily.TOTAL, [0.5])
    async with db.sessionmaker() as session:
        after = await session.scalar(_MEDIAN)
    assert written and after != before
    assert cuts == {None: [before]}
    assert sum("ticket_daily_hist" in statement for statement in sent) == 1


async def test_a_filtered_histogram_read_uses_the_folded_value_index(
    db: Database, session: AsyncSession
) -> None:
    """Migration w001 indexes the fold expression `fold_sql` sends: if either changes alone,
    the planner stops matching them and a filtered median reads every value's rows again."""
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=300)
    sent: list[tuple[str, Any]] = []

    def keep(statement: str, parameters: Any) -> None:
        if "ticket_daily_hist" in statement and not sent:
            sent.append((statement, parameters))

    window = Window(None, None, "resolved", MADRID)
    billing = Selection(window=window, status="resolved", filters={"category": "BILLING"})
    with kept.observed(keep):  # the histogram's counts are a kept statement
        assert await histogram.percentiles(session, billing, "category", [0.5])
    scans = _plan(db, *sent[0])
    used = [n for n in scans if n.get("Index Name") == "ix_ticket_daily_hist_value"]
    assert used, scans
    assert "lower" in used[0]["Index Cond"]  # the folded value, not only `dim`, finds the rows


def _plan(db: Database, statement: str, parameters: Any) -> list[dict[str, Any]]:
    """The nodes of the plan PostgreSQL makes for `statement` with these values, sequential
    scans discouraged (the test tables are small)."""
    dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute("EXPLAIN (FORMAT JSON) " + statement, parameters).fetchone()
    assert plan is not None
    return list(_plan_nodes(plan[0][0]["Plan"]))


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


_PERCENTILES = text(
    "SELECT percentile_cont(:p) WITHIN GROUP (ORDER BY resolution_minutes) FROM tickets "
    "WHERE resolved_at IS NOT NULL AND status IN ('resolved', 'closed') "
    "AND resolved_at >= :lo AND resolved_at < :hi AND (:category = '' OR category = :category)"
)
_FRACTIONS = [0.0, 0.01, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 0.99, 1.0]


@pytest.mark.parametrize(
    ("days", "category"),
    [(None, ""), (30, ""), (None, "Billing")],
    ids=["all_time", "30_days", "all_time_billing"],
)
async def test_whole_window_percentiles_equal_percentile_cont(
    db: Database, session: AsyncSession, days: int | None, category: str
) -> None:
    """The lookups of a whole window (planned per run, `histogram._whole`) at ranks all over the
    distribution, both ends and a bucket's last value included."""
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=400)
    start = DEMO_NOW.date() - timedelta(days=days) if days else None
    window = Window(start, DEMO_NOW.date() if days else None, "resolved", MADRID)
    filters = {"category": category.upper()} if category else {}
    selection = Selection(window=window, status="resolved", filters=filters)
    dim = "category" if category else daily.TOTAL
    sent: list[str] = []
    with kept.observed(lambda sql, _: sent.append(sql)):
        cuts = await histogram.percentiles(session, selection, dim, _FRACTIONS)
    assert any("OFFSET" in sql and "unnest" not in sql for sql in sent)  # the path under test
    bounds = {
        "lo": window.start or DEMO_NOW.replace(year=1),
        "hi": window.end or DEMO_NOW.replace(year=9999),
    }
    values = {**bounds, "category": category}
    want = [await session.scalar(_PERCENTILES, {"p": p, **values}) for p in _FRACTIONS]
    assert want[0] is not None
    assert cuts is not None and list(cuts) == [None]
    assert cuts[None] == pytest.approx(want, rel=1e-12)


async def test_an_all_time_lookup_reads_the_bucket_in_resolution_order(db: Database) -> None:
    """Migration x001's index serves the all-time lookup with no sort: if the bucket expression
    or the statement changes alone, the planner stops matching them."""
    async with db.engine.begin() as conn:
        await daily.ensure(conn, MADRID)
    await load_demo(db.engine, MADRID, count=300)
    sent: list[tuple[str, Any]] = []

    def keep(statement: str, parameters: Any) -> None:
        if "OFFSET" in statement:
            sent.append((statement, parameters))

    everything = Selection(Window(None, None, "resolved", MADRID), status="resolved", filters={})
    async with db.read_sessionmaker() as read:
        with kept.observed(keep):
            assert await histogram.percentiles(read, everything, daily.TOTAL, [0.5])
    nodes = _plan(db, *sent[0])
    assert any(n.get("Index Name") == "ix_tickets_res_order" for n in nodes), nodes
    assert not any(n["Node Type"] == "Sort" for n in nodes), nodes
