"""HubSpot sync throughput against the fake HubSpot, unthrottled and under HubSpot's limits.

Prints one JSON line: tickets/s with the fake answering as fast as it can (client throttle off),
then a second full sync with the fake enforcing HubSpot's limits (100 requests per 10 s, 4 search
requests per second; windows multiplied by --scale) and the client throttled to match. The baseline
is the rate-limit-bound minimum: the least time HubSpot's limits allow for the requests the sync
needed. Target: ratio (minimum / wall time) >= 0.9, with no 429s.

    python bench/hubspot.py [--tickets 25000] [--scale 1.0] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fakes

from cschat.core import migrate
from cschat.core.config import load_settings
from cschat.core.db import Database
from cschat.core.logging import configure_logging
from cschat.integrations.hubspot.runner import SyncRunner
from tests.fakes.hubspot import TOKEN, FakeHubSpot, serve

SEARCH_PER_SECOND = 4
PER_10S = 100


def bound_seconds(requests: int, limit: int, window: float) -> float:
    """Least time `requests` take when at most `limit` may start in any `window` seconds."""
    return max(0, math.ceil(requests / limit) - 1) * window


async def sync(database_url: str, url: str, **env: str) -> tuple[float, Any]:
    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "HUBSPOT_BASE_URL": url,
            "HUBSPOT_TOKEN": TOKEN,
            **env,
        },
        env_file=None,
    )
    db = Database(settings.db)
    try:
        start = time.perf_counter()
        run = await SyncRunner(db, settings.hubspot).run(full=True, trigger="cli")
        return time.perf_counter() - start, run
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=25_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply HubSpot's windows")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    configure_logging(json=False, level="WARNING")

    with tempfile.TemporaryDirectory() as tmp:
        fast_db = args.database_url or f"sqlite+aiosqlite:///{tmp}/fast.db"
        limited_db = args.database_url or f"sqlite+aiosqlite:///{tmp}/limited.db"
        for url in {fast_db, limited_db}:
            migrate.upgrade(make_url(url))

        fake = FakeHubSpot(args.tickets)
        with serve(fake) as base:
            fast_wall, fast_run = asyncio.run(
                sync(
                    fast_db,
                    base,
                    HUBSPOT_REQUESTS_PER_10S="0",
                    HUBSPOT_SEARCH_PER_SECOND="0",
                )
            )
            fake.requests.clear()
            fake.enforce_limits(PER_10S, SEARCH_PER_SECOND, args.scale)
            limited_wall, limited_run = asyncio.run(
                sync(
                    limited_db,
                    base,
                    HUBSPOT_REQUESTS_PER_10S=str(PER_10S),
                    HUBSPOT_SEARCH_PER_SECOND=str(SEARCH_PER_SECOND),
                    HUBSPOT_TIME_SCALE=str(args.scale),
                )
            )
        searches = fake.requests.get("search", 0)
        others = sum(fake.requests.values()) - searches
        # Search is exempt from the ten-secondly limit, so the two budgets run side by side.
        minimum = max(
            bound_seconds(searches, SEARCH_PER_SECOND, 1.0 * args.scale),
            bound_seconds(others, PER_10S, 10.0 * args.scale),
        )
        figures = {
            "bench": "hubspot_sync",
            "database": make_url(fast_db).get_backend_name(),
            "tickets": args.tickets,
            "unthrottled_seconds": round(fast_wall, 2),
            "unthrottled_tickets_per_s": round(args.tickets / fast_wall),
            "unthrottled_status": fast_run.status,
            "limits": f"{PER_10S}/10s, search {SEARCH_PER_SECOND}/s, scale {args.scale}",
            "limited_seconds": round(limited_wall, 2),
            "limited_tickets_per_s": round(args.tickets / limited_wall),
            "limited_status": limited_run.status,
            "search_requests": searches,
            "other_requests": others,
            "rate_limit_bound_seconds": round(minimum, 2),
            "ratio_to_bound": round(minimum / limited_wall, 3) if limited_wall else None,
            "target_ratio": 0.9,
            "rate_limited_429s": fake.rate_limited,
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
