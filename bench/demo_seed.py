"""Demo seed into PostgreSQL vs `psql \\copy` of the same generated rows.

Prints one JSON line: rows, seconds, rows/s for `cschat demo seed` (generation + COPY), and the
ratio to `psql \\copy` loading the same rows from a file into the same table. Target: 1,000,000 rows
<= 60 s.

    python bench/demo_seed.py [--rows N] [--server postgresql://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from _common import NOW, TZ, add_server_option, psql_copy_seconds, scratch_database, sqlalchemy_url
from sqlalchemy.engine import make_url

from cschat.core.db import make_engine
from cschat.tickets import demo
from cschat.tickets.bulk import copy_text


async def seed(url: str, rows: int) -> float:
    engine = make_engine(make_url(url))
    start = time.perf_counter()
    await demo.seed(engine, count=rows, days=365, seed=1, now=NOW, tz=TZ, replace=True)
    elapsed = time.perf_counter() - start
    await engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    add_server_option(parser)
    args = parser.parse_args()
    with scratch_database(args.server, "bench_demo") as dsn:
        ours = asyncio.run(seed(sqlalchemy_url(dsn), args.rows))

        loaded_at = datetime.now(UTC)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tickets.copy"
            with path.open("w") as handle:
                gen = demo.generate(count=args.rows, days=365, seed=1, now=NOW, tz=TZ)
                handle.writelines(copy_text((*row, loaded_at, loaded_at) for row in gen))
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("TRUNCATE tickets")
            baseline = psql_copy_seconds(dsn, path)
    print(
        json.dumps(
            {
                "bench": "demo_seed",
                "rows": args.rows,
                "seconds": round(ours, 2),
                "rows_per_s": round(args.rows / ours),
                "psql_copy_seconds": round(baseline, 2),
                "ratio_vs_psql_copy": round(ours / baseline, 2),
                "target_seconds": 60,
            }
        )
    )


if __name__ == "__main__":
    main()
