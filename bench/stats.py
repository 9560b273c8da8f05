"""Stats and analytics tools over 1,000,000 demo tickets on PostgreSQL vs the same raw SQL.

For `GET /api/database/stats` (cached while the data is unchanged, and uncached) and each tool,
times the service function the endpoint calls, in-process (the HTTP layer would need a real
Supervisor sign-in, which the identity work adds), and the raw SQL that call sends, replayed with
psycopg directly (statements captured from the engine). The two are timed in alternation, so a
change in the machine's speed during the run weighs on both. Tool windows: the last 30 local
days, and all time for one `resolution_stats`.
Prints one JSON line of p50s in ms and ratios. Targets: p50 <= 50 ms, ratio <= 2x.

    python bench/stats.py [--rows N] [--runs N] [--keep NAME] [--server postgresql://...]

`--keep NAME` reuses (or creates and keeps) database NAME, so a second run skips seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from _common import add_server_option, build_daily_totals, scratch_database, sqlalchemy_url
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from cschat.auth.dependencies import Principal
from cschat.core import kept
from cschat.core.db import for_reads, make_engine
from cschat.tickets import demo
from cschat.tickets.stats import compute_stats, database_stats
from cschat.tickets.tools import run_tool

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TZ = ZoneInfo("Europe/Madrid")
BOSS = Principal(email="boss@example.com", role="Supervisor", user_id="bench")
LAST_30 = {
    "start_date": (NOW.date() - timedelta(days=29)).isoformat(),
    "end_date": NOW.date().isoformat(),
}
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "count_tickets": ("count_tickets", LAST_30),
    "breakdown_tickets": ("breakdown_tickets", {"dimension": "category", **LAST_30}),
    "breakdown_median": (
        "breakdown_tickets",
        {"dimension": "priority", "metric": "median_resolution_hours", **LAST_30},
    ),
    "ticket_trend": ("ticket_trend", {"interval": "day", **LAST_30}),
    "trend_median": (
        "ticket_trend",
        {"interval": "day", "metric": "median_resolution_hours", **LAST_30},
    ),
    "resolution_stats": ("resolution_stats", LAST_30),
    "resolution_stats_all_time": ("resolution_stats", {}),
    "search_tickets": ("search_tickets", {"query": "cobro duplicado"}),
}


class Recorder:
    """Collects the SQL statements an engine sends while `on` is set: through SQLAlchemy, and
    kept statements sent on the driver (`cschat.core.kept`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.on = False
        self.statements: list[tuple[str, Any]] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._executed)

    def _executed(self, _c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        self.record(statement, params)

    def record(self, statement: str, params: Any) -> None:
        if self.on:
            self.statements.append((statement, params))


WARM_UP = 10


def replay(conn: psycopg.Connection[Any], statements: list[tuple[str, Any]]) -> None:
    for sql, params in statements:
        conn.execute(sql, params).fetchall()
    conn.rollback()


async def paired_p50(
    fn: Callable[[], Awaitable[Any]], statements: list[tuple[str, Any]], dsn: str, runs: int
) -> tuple[float, float]:
    """p50 in ms of `fn` and of replaying its `statements` with psycopg, timed in alternation
    (ours, raw, ours, raw...) after both are warm, so a drift in the machine's speed falls on
    both sides alike. Both sides reach psycopg's prepare threshold in the warm-up."""
    ours, raw = [], []
    with psycopg.connect(dsn) as conn:
        for _ in range(WARM_UP):
            await fn()
            replay(conn, statements)
        for _ in range(runs):
            start = time.perf_counter()
            await fn()
            ours.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            replay(conn, statements)
            raw.append((time.perf_counter() - start) * 1000)
    return statistics.median(ours), statistics.median(raw)


async def measure(url: str, dsn: str, runs: int, rows: int) -> dict[str, Any]:
    engine = make_engine(make_url(url))
    recorder = Recorder(engine)
    # The endpoints' read sessions (`Database.read_sessionmaker`).
    sessions = async_sessionmaker(for_reads(engine), expire_on_commit=False)
    figures: dict[str, Any] = {}

    calls: dict[str, Callable[[], Awaitable[Any]]] = {}

    async def stats() -> Any:
        async with sessions() as session:
            return await database_stats(session, principal=BOSS, tz=TZ, now=NOW)

    async def stats_uncached() -> Any:
        async with sessions() as session:
            return await compute_stats(session, principal=BOSS, tz=TZ, now=NOW)

    # What a polling dashboard gets (data unchanged: the cached answer after one version check),
    # and the full computation behind it.
    calls["database_stats"] = stats
    calls["database_stats_uncached"] = stats_uncached
    middle = ("get_ticket", {"ticket_id": f"DEMO-{rows // 2:07d}"})
    for label, (name, params) in {**CASES, "get_ticket": middle}.items():

        async def call(name: str = name, params: dict[str, Any] = params) -> Any:
            async with sessions() as session:
                return await run_tool(name, params, session=session, principal=BOSS, tz=TZ, now=NOW)

        calls[label] = call

    for label, fn in calls.items():
        await fn()  # warm-up: plans, caches, pool
        recorder.statements, recorder.on = [], True
        with kept.observed(recorder.record):
            await fn()
        recorder.on = False
        ours, raw = await paired_p50(fn, recorder.statements, dsn, runs)
        figures[label] = {
            "p50_ms": round(ours, 2),
            "raw_sql_p50_ms": round(raw, 2),
            "ratio": round(ours / raw, 2) if raw else None,
            "statements": len(recorder.statements),
        }
    await engine.dispose()
    return figures


async def seed(url: str, rows: int) -> float:
    engine = make_engine(make_url(url))
    start = time.perf_counter()
    await demo.seed(engine, count=rows, days=365, seed=1, now=NOW, tz=TZ, replace=True)
    await engine.dispose()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=51)
    parser.add_argument("--keep", help="reuse or create this database and keep it")
    add_server_option(parser)
    args = parser.parse_args()
    with scratch_database(args.server, "bench_stats", keep=args.keep) as dsn:
        url = sqlalchemy_url(dsn)
        with psycopg.connect(dsn) as conn:
            count = conn.execute("SELECT count(*) FROM tickets").fetchone()
        seeded = 0.0
        if not count or count[0] != args.rows:
            seeded = asyncio.run(seed(url, args.rows))
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE tickets, ticket_search, ticket_search_documents")
        totals = build_daily_totals(dsn, TZ)
        figures = asyncio.run(measure(url, dsn, args.runs, args.rows))
    worst = max(f["p50_ms"] for f in figures.values())
    worst_ratio = max(f["ratio"] or 0 for f in figures.values())
    print(
        json.dumps(
            {
                "bench": "stats",
                "rows": args.rows,
                "engine": "postgresql",
                "timing": "in-process service functions (no HTTP) and the same statements via "
                f"psycopg (raw), timed in alternation: p50 of {args.runs} runs each after "
                f"{WARM_UP} warm-up runs",
                "seed_seconds": round(seeded, 1),
                "daily_totals_build_seconds": round(totals, 1),
                "results": figures,
                "max_p50_ms": worst,
                "max_ratio": worst_ratio,
                "targets": {"p50_ms": 50, "ratio": 2.0},
            }
        )
    )


if __name__ == "__main__":
    main()
