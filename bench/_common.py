"""What the PostgreSQL benchmarks share: the demo rows' clock, a scratch database, psql's COPY."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy.engine import make_url

from cschat.core import migrate
from cschat.tickets import daily
from cschat.tickets.models import ROW_COLUMNS

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TZ = ZoneInfo("Europe/Madrid")
# The bulk files carry the row columns plus the two write stamps.
COPY_COLUMNS = (*ROW_COLUMNS, "ingested_at", "updated_at")


def add_server_option(parser: argparse.ArgumentParser) -> None:
    """`--server`: the PostgreSQL server (default $BENCH_PG_SERVER or the local one)."""
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432"),
    )


@contextmanager
def scratch_database(server: str, prefix: str, keep: str | None = None) -> Iterator[str]:
    """A migrated database on `server` (yields its psycopg DSN): fresh and dropped afterwards, or
    the database named `keep`, created if missing and left in place for the next run."""
    name = keep or f"{prefix}_{os.getpid()}"
    admin = f"{server}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{server}/{name}"
    try:
        migrate.upgrade(make_url(sqlalchemy_url(dsn)))
        yield dsn
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_daily_totals(dsn: str, tz: ZoneInfo) -> float:
    """Seconds to build PostgreSQL's daily totals in `tz` (what `cschat db upgrade` and the app's
    start-up do; near zero when they already are), then VACUUM ANALYZE their tables (what
    autovacuum does soon after a load: steady state)."""
    start = time.perf_counter()
    asyncio.run(daily.build_at(make_url(sqlalchemy_url(dsn)), tz))
    seconds = time.perf_counter() - start
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE ticket_daily, ticket_daily_hist")
    return seconds


def sqlalchemy_url(dsn: str) -> str:
    """The app's URL for a psycopg DSN."""
    return dsn.replace("postgresql://", "postgresql+psycopg://")


def psql_copy_seconds(dsn: str, path: Path) -> float:
    """Wall time of `psql \\copy` loading a COPY text file (`COPY_COLUMNS`) into `tickets`."""
    start = time.perf_counter()
    subprocess.run(
        ["psql", dsn, "-q", "-c", f"\\copy tickets ({', '.join(COPY_COLUMNS)}) FROM '{path}'"],
        check=True,
    )
    return time.perf_counter() - start
