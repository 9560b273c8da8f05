"""`make eval`: every evaluation question through the local agent on a real database.

Loads the evaluation tickets (`evals/dataset.py`) into a fresh SQLite file, or into an empty
migrated database given with `--database-url`, and prints accuracy per capability.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from cschat.core.db import make_engine
from cschat.core.migrate import upgrade
from evals import dataset
from evals.harness import accuracy, evaluate, load_questions

TARGET = 0.95


async def run(url: str, *, fresh: bool) -> float:
    engine = make_engine(make_url(url))
    try:
        if fresh:
            await dataset.load(engine)
        graded = await evaluate(
            async_sessionmaker(engine, expire_on_commit=False), load_questions()
        )
    finally:
        await engine.dispose()
    for g in graded:
        if not g.ok:
            print(f"MISS {g.case['id']}: {g.case['text']} -> {g.why}")
    scores = accuracy(graded)
    for capability, (right, total) in sorted(scores.items(), key=lambda kv: kv[0] == "overall"):
        print(f"{capability:12} {right:4}/{total:<4} {right / total:7.1%}")
    right, total = scores["overall"]
    return right / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an empty database to migrate and load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'eval.db'}"
        upgrade(make_url(url))
        overall = asyncio.run(run(url, fresh=True))
    return 0 if overall >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
