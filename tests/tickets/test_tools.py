"""Each tool against an independent Python computation over the same rows: both engines, DST."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.db import Database
from cschat.core.errors import BadRequest, NotFound
from cschat.core.sqlfunctions import fold
from cschat.tickets import daily
from cschat.tickets.models import Ticket
from cschat.tickets.queries import fold_sql, length_bounds
from cschat.tickets.tools import run_tool
from tests.tickets.conftest import SUPERVISOR
from tests.tickets.data import (
    DEMO_NOW,
    Reference,
    all_tickets,
    folded,
    load_demo,
    load_reference,
    measured,
    metric,
    period_of,
    quantile,
)

ZONES = ["UTC", "Europe/Madrid", "America/New_York"]
METRICS = [
    "count",
    "avg_resolution_hours",
    "median_resolution_hours",
    "avg_first_response_minutes",
    "avg_csat",
]
# Windows that straddle the 2024 DST changes (EU: Mar 31 and Oct 27; US: Mar 10 and Nov 3).
WINDOWS = [
    (date(2024, 3, 9), date(2024, 4, 2)),
    (date(2024, 10, 26), date(2024, 11, 4)),
    (date(2024, 10, 27), date(2024, 10, 27)),
]


def approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-9)


async def _run(session: AsyncSession, tz: ZoneInfo, name: str, **params: Any) -> dict[str, Any]:
    return await run_tool(name, params, session=session, principal=SUPERVISOR, tz=tz, now=DEMO_NOW)


@pytest.fixture(params=["demo", "csv"])
async def loaded(request: pytest.FixtureRequest, db: Database) -> tuple[str, Database]:
    return request.param, db


@pytest.mark.parametrize("daily_totals", [False, True], ids=["tickets", "daily"])
@pytest.mark.parametrize("zone", ZONES)
async def test_tools_match_reference(
    zone: str, daily_totals: bool, loaded: tuple[str, Database], session: AsyncSession
) -> None:
    """One load per dataset and zone; every tool is then checked against the reference.

    With `daily`, PostgreSQL's daily totals are built first and kept by their triggers during the
    load, so counts, breakdowns and trends come from them.
    """
    kind, db = loaded
    tz = ZoneInfo(zone)
    if daily_totals:
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the daily totals are PostgreSQL's")
        async with db.engine.begin() as conn:
            assert await daily.ensure(conn, tz)
    await (load_demo(db.engine, tz) if kind == "demo" else load_reference(db.engine, tz))
    if daily_totals:
        assert await daily.built_zone(session) == zone
    ref = Reference(await all_tickets(db.engine), tz)
    await _check_counts_and_stats(ref, session)
    await _check_breakdowns(ref, session)
    await _check_trends(ref, session)


async def _check_counts_and_stats(ref: Reference, session: AsyncSession) -> None:
    tz, zone = ref.tz, ref.tz.key

    for start, end in [*WINDOWS, (None, None)]:
        for date_field in ("resolved", "created"):
            for status in (None, "open", "any"):
                params: dict[str, Any] = {"date_field": date_field}
                if start and end:
                    params |= {"start_date": start.isoformat(), "end_date": end.isoformat()}
                if status:
                    params["status"] = status
                got = await _run(session, tz, "count_tickets", **params)
                want = ref.select(start=start, end=end, date_field=date_field, status=status)
                assert got["count"] == len(want), (params, zone)
        got = await _run(
            session,
            tz,
            "resolution_stats",
            **(
                {"start_date": start.isoformat(), "end_date": end.isoformat()}
                if start and end
                else {}
            ),
        )
        chosen = ref.select(start=start, end=end)
        minutes = [t.resolution_minutes for t in chosen if t.resolution_minutes is not None]
        assert got["count"] == len(chosen)
        assert got["avg_hours"] == approx(metric(chosen, "avg_resolution_hours"))
        assert got["median_hours"] == approx(metric(chosen, "median_resolution_hours"))
        p90 = quantile(minutes, 0.9)
        assert got["p90_hours"] == approx(None if p90 is None else p90 / 60)
        assert got["avg_csat"] == approx(metric(chosen, "avg_csat"))
        assert got["avg_first_response_minutes"] == approx(
            metric(chosen, "avg_first_response_minutes")
        )
        assert got["resolution_count"] == len(minutes)
        assert got["first_response_count"] == sum(
            t.first_response_minutes is not None for t in chosen
        )
        assert got["csat_count"] == sum(t.csat is not None for t in chosen)
        assert got["window"]["timezone"] == zone
    assert got["data_as_of"] is not None


async def _check_breakdowns(ref: Reference, session: AsyncSession) -> None:
    tz = ref.tz
    start, end = WINDOWS[1]
    for dimension in ("category", "priority", "channel", "agent", "team", "status"):
        for name in METRICS:
            got = await _run(
                session,
                tz,
                "breakdown_tickets",
                dimension=dimension,
                metric=name,
                start_date=start.isoformat(),
                end_date=end.isoformat(),
                date_field="created",
                limit=500,
            )
            groups: dict[Any, list[Any]] = defaultdict(list)
            for t in ref.select(start=start, end=end, date_field="created"):
                groups[folded(getattr(t, dimension))].append(t)
            assert got["total_groups"] == len(groups)
            assert got["total_count"] == sum(len(m) for m in groups.values())
            by_key = {folded(r["key"]): r for r in got["rows"]}
            for key, members in groups.items():
                assert by_key[key]["count"] == len(members)
                assert by_key[key]["measured"] == measured(members, name), (dimension, name)
                assert by_key[key]["value"] == approx(metric(members, name)), (dimension, name)
            values = [r["value"] for r in got["rows"] if r["value"] is not None]
            assert values == sorted(values, reverse=True)
    await _check_resolved_medians(ref, session)


async def _check_resolved_medians(ref: Reference, session: AsyncSession) -> None:
    """Median breakdowns over a resolved-date window (PostgreSQL: from the histograms), also
    with a filter on another dimension and for an Agent-free status breakdown."""
    tz = ref.tz
    start, end = WINDOWS[0]
    cases: list[tuple[str, dict[str, str]]] = [
        *((d, {}) for d in ("category", "priority", "channel", "agent", "team", "status")),
        ("status", {"priority": "high"}),
    ]
    for dimension, filters in cases:
        got = await _run(
            session,
            tz,
            "breakdown_tickets",
            dimension=dimension,
            metric="median_resolution_hours",
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            status="any",
            limit=500,
            **filters,
        )
        groups: dict[Any, list[Any]] = defaultdict(list)
        for t in ref.select(start=start, end=end, status="any", **filters):
            groups[folded(getattr(t, dimension))].append(t)
        by_key = {folded(r["key"]): r for r in got["rows"]}
        assert set(by_key) == set(groups), (dimension, filters)
        for key, members in groups.items():
            want = metric(members, "median_resolution_hours")
            assert by_key[key]["value"] == approx(want), (dimension, filters, key)


async def _check_trends(ref: Reference, session: AsyncSession) -> None:
    """Trends group by local day, ISO week and month, empty periods included."""
    tz, zone = ref.tz, ref.tz.key
    start, end = date(2024, 3, 1), date(2024, 11, 8)
    for interval, name in [
        ("day", "count"),
        ("week", "median_resolution_hours"),
        ("week", "count"),
        ("month", "avg_csat"),
        ("month", "median_resolution_hours"),
    ]:
        got = await _run(
            session,
            tz,
            "ticket_trend",
            interval=interval,
            metric=name,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
        )
        groups: dict[str, list[Any]] = defaultdict(list)
        for t in ref.select(start=start, end=end):
            groups[period_of(ref.local_day(t, "resolved"), interval)].append(t)
        series = {p["period"]: p for p in got["series"]}
        assert set(groups) <= set(series)
        assert got["series"][0]["period"] == period_of(start, interval)
        assert got["series"][-1]["period"] == period_of(end, interval)
        for period, point in series.items():
            members = groups.get(period, [])
            assert point["count"] == len(members), (period, zone, interval)
            assert point["measured"] == measured(members, name), (period, zone, interval)
            expected = metric(members, name) if members or name == "count" else None
            assert point["value"] == approx(expected), (period, zone, interval, name)


@pytest.mark.parametrize("daily_totals", [False, True], ids=["tickets", "daily"])
async def test_medians_merge_the_spellings_of_a_group(
    daily_totals: bool, db: Database, session: AsyncSession
) -> None:
    """'Billing', 'billing' and 'BÍLLING' are one group, and so is its median."""
    tz = ZoneInfo("Europe/Madrid")
    if daily_totals:
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the daily totals are PostgreSQL's")
        async with db.engine.begin() as conn:
            assert await daily.ensure(conn, tz)
    await load_demo(db.engine, tz, count=800)
    respell = "UPDATE tickets SET category = :new WHERE category = 'Billing' AND id % 3 = :rest"
    async with db.engine.begin() as conn:
        await conn.execute(text(respell), {"new": "billing", "rest": 0})
        await conn.execute(text(respell), {"new": "BÍLLING", "rest": 1})
    ref = Reference(await all_tickets(db.engine), tz)
    got = await _run(
        session, tz, "breakdown_tickets", dimension="category", metric="median_resolution_hours"
    )
    groups: dict[Any, list[Any]] = defaultdict(list)
    for t in ref.select():
        groups[folded(t.category)].append(t)
    assert len({t.category for t in groups["billing"]}) == 3
    by_key = {folded(r["key"]): r for r in got["rows"]}
    for key, members in groups.items():
        assert by_key[key]["value"] == approx(metric(members, "median_resolution_hours")), key


async def test_filters_fold_case_and_accents(db: Database, session: AsyncSession) -> None:
    tz = ZoneInfo("Europe/Madrid")
    await load_demo(db.engine, tz, count=800)
    ref = Reference(await all_tickets(db.engine), tz)
    got = await _run(
        session,
        tz,
        "count_tickets",
        date_field="created",
        category="  bÍlling ",
        priority="HIGH",
        agent="LUCÍA FERNÁNDEZ",
    )
    want = [
        t
        for t in ref.select(date_field="created", category="billing", priority="high")
        if t.agent == "lucia.fernandez@demo.cschat.dev"
    ]
    assert got["count"] == len(want) > 0
    assert got["filters"] == {"category": "bÍlling", "priority": "HIGH", "agent": "LUCÍA FERNÁNDEZ"}


@pytest.mark.parametrize(
    ("name", "params", "needle"),
    [
        ("nope", {}, "Unknown tool 'nope'"),
        ("count_tickets", {"colour": "red"}, "unknown parameter 'colour'"),
        ("count_tickets", {"start_date": "2024-13-01"}, "start_date"),
        ("count_tickets", {"start_date": "2024-05-02", "end_date": "2024-05-01"}, "end_date"),
        ("count_tickets", {"status": "done"}, "status"),
        ("breakdown_tickets", {}, "dimension"),
        ("breakdown_tickets", {"dimension": "colour"}, "dimension"),
        ("breakdown_tickets", {"dimension": "team", "limit": 0}, "limit"),
        ("ticket_trend", {"interval": "year"}, "interval"),
        ("ticket_trend", {"interval": "day", "start_date": "1990-01-01"}, "interval"),
        ("search_tickets", {"query": "!!!"}, "query"),
        ("get_ticket", {}, "ticket_id"),
    ],
)
async def test_bad_parameters_are_named(
    name: str, params: dict[str, Any], needle: str, session: AsyncSession
) -> None:
    with pytest.raises(BadRequest, match=needle):
        await _run(session, ZoneInfo("UTC"), name, **params)


def test_function_schemas_describe_every_tool() -> None:
    from cschat.tickets.tools import ACTION_GROUP, TOOLS, function_schemas

    schemas = {s["name"]: s for s in function_schemas()}
    assert ACTION_GROUP == "tickets_analytics"
    assert set(schemas) == set(TOOLS)
    assert schemas["breakdown_tickets"]["parameters"]["required"] == ["dimension"]
    assert schemas["ticket_trend"]["parameters"]["required"] == ["interval"]
    assert "start_date" in schemas["count_tickets"]["parameters"]["properties"]
    assert all(s["description"] for s in schemas.values())


@pytest.mark.parametrize(
    ("zone", "day", "start_utc", "end_utc"),
    [
        # Europe/Madrid falls back on 2024-10-27: that local day lasts 25 hours.
        ("Europe/Madrid", "2024-10-27", "2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"),
        # America/New_York springs forward on 2024-03-10: 23 hours.
        ("America/New_York", "2024-03-10", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"),
        ("UTC", "2024-03-10", "2024-03-10T00:00:00Z", "2024-03-11T00:00:00Z"),
    ],
)
async def test_window_bounds_follow_dst(
    zone: str, day: str, start_utc: str, end_utc: str, session: AsyncSession
) -> None:
    got = await _run(session, ZoneInfo(zone), "count_tickets", start_date=day, end_date=day)
    assert got["window"] == {
        "start_date": day,
        "end_date": day,
        "date_field": "resolved",
        "timezone": zone,
        "start_utc": start_utc,
        "end_utc_exclusive": end_utc,
    }
    assert got["count"] == 0 and got["data_as_of"] is None


@pytest.mark.parametrize("ticket_id", ["99999999999999999999", "9223372036854775808", "²", "１２"])
async def test_get_ticket_by_a_number_that_is_no_id_is_not_found(
    db: Database, session: AsyncSession, ticket_id: str
) -> None:
    """Past BIGINT, or digits other than ASCII: looked up as an external id only, not a 500.

    Tickets 1-12 exist, so reading "１２" (int() accepts it) or "²" as an id would find one."""
    async with db.transaction() as writer:
        writer.add_all(
            Ticket(source="t", external_id=f"E-{n}", status="new", created_at=DEMO_NOW)
            for n in range(12)
        )
    async with db.engine.connect() as conn:
        ids = set((await conn.execute(text("SELECT id FROM tickets"))).scalars())
    assert {2, 12} <= ids
    found = await _run(session, ZoneInfo("UTC"), "get_ticket", ticket_id="12")
    assert found["ticket"]["id"] == 12  # the ASCII spelling is an id
    with pytest.raises(NotFound, match="ticket_id"):
        await _run(session, ZoneInfo("UTC"), "get_ticket", ticket_id=ticket_id)


async def test_get_ticket_prefers_the_external_id_the_user_quotes(
    db: Database, session: AsyncSession
) -> None:
    """ "Ticket 3" is HubSpot's ticket 3 when one has that external id, even if our row 3 is
    another ticket; our id answers only when no external id matches."""
    async with db.transaction() as writer:
        writer.add_all(
            Ticket(source="demo", external_id=f"DEMO-{n}", status="new", created_at=DEMO_NOW)
            for n in range(5)
        )
        writer.add(Ticket(source="hubspot", external_id="3", status="open", created_at=DEMO_NOW))
    quoted = await _run(session, ZoneInfo("UTC"), "get_ticket", ticket_id="3")
    assert (quoted["ticket"]["source"], quoted["ticket"]["external_id"]) == ("hubspot", "3")
    ours = await _run(session, ZoneInfo("UTC"), "get_ticket", ticket_id="2")
    assert (ours["ticket"]["id"], ours["ticket"]["external_id"]) == (2, "DEMO-1")


async def test_get_ticket_shows_every_field_as_stored_in_utc(
    db: Database, session: AsyncSession
) -> None:
    """All fields, times in UTC even when the server's session zone is another (PostgreSQL)."""
    created = datetime(2024, 3, 31, 0, 30, 15, 123456, tzinfo=UTC)
    async with db.transaction() as writer:
        writer.add(
            Ticket(
                source="t", external_id="X-1", subject="Cobro doble", description="Dos cargos",
                resolution="Reembolso", category="Billing", priority="High", channel="Email",
                status="resolved", agent="ana@example.com", team="Care", customer="ACME",
                created_at=created, first_response_at=None, first_response_minutes=12.5,
                resolved_at=created + timedelta(hours=3), resolution_minutes=180.0, csat=4,
                language="es", tags=["refund", "vip"], attributes={"region": "LATAM", "n": 2},
            )
        )  # fmt: skip
    if db.dialect == "postgresql":
        await session.execute(text("SET TIME ZONE 'America/New_York'"))
    reply = await _run(session, ZoneInfo("UTC"), "get_ticket", ticket_id="X-1")
    ticket = reply["ticket"]
    assert ticket.pop("id") > 0
    assert ticket == {
        "external_id": "X-1", "source": "t", "subject": "Cobro doble", "resolution": "Reembolso",
        "status": "resolved", "category": "Billing", "priority": "High", "channel": "Email",
        "agent": "ana@example.com", "team": "Care",
        "created_at": "2024-03-31T00:30:15.123456+00:00",
        "resolved_at": "2024-03-31T03:30:15.123456+00:00",
        "description": "Dos cargos", "customer": "ACME", "first_response_minutes": 12.5,
        "resolution_minutes": 180.0, "csat": 4, "language": "es", "tags": ["refund", "vip"],
        "attributes": {"region": "LATAM", "n": 2},
    }  # fmt: skip
    assert list(reply) == ["tool", "ticket", "data_as_of"]


def test_length_bounds_hold_every_text_that_folds_to_a_value() -> None:
    """A text whose fold is `f` has a length `length_bounds(f)` allows, for every character: the
    length test before folding never drops a row that matches."""
    for point in range(0x110000):
        if 0xD800 <= point <= 0xDFFF:
            continue  # surrogates are no text
        written = f"a{chr(point)}{chr(point)}b"
        least, most = length_bounds(fold(written))
        assert least <= len(written) <= most, hex(point)


async def test_the_length_test_keeps_every_spelling_a_filter_matches(
    db: Database, session: AsyncSession
) -> None:
    """Spellings whose fold has another length than what was written ("İ" lower-cases to two
    characters in Python and with ICU) are counted as folding alone counts them."""
    spellings = ["İade", "iade", "İADE", "Facturación", "FACTURACION", "Ärger", "ärger", "Straße"]
    resolved = DEMO_NOW - timedelta(days=1)
    async with db.transaction() as writer:
        writer.add_all(
            Ticket(source="t", external_id=f"L-{n}-{k}", status="resolved", category=spelling,
                   agent=spelling, created_at=resolved, resolved_at=resolved,
                   resolution_minutes=60.0 * (n + k))
            for n, spelling in enumerate(spellings)
            for k in range(n + 1)
        )  # fmt: skip
    for value in [*spellings, "iade", "facturacion", "arger", "İade "]:
        folded = fold(value.strip())
        column = fold_sql(Ticket.category, db.dialect)
        want = await session.scalar(
            select(func.count()).select_from(Ticket).where(column == folded)
        )
        for field in ("category", "agent"):
            got = await _run(session, ZoneInfo("UTC"), "count_tickets", **{field: value})
            assert got["count"] == want, (field, value)
