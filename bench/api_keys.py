"""The cost of checking an `X-API-Key` from the `api_keys` table, per request.

In one process, on a migrated SQLite file (or --database-url): time N calls of
`api_key_principal` with a table key, against the baseline of the cookie path's account lookup
(`identity_reader.find`, one indexed read on a dedicated connection). Prints one JSON line with
microseconds per call of each and their ratio.

    python bench/api_keys.py [--calls 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.engine import make_url
from starlette.requests import Request

from cschat.apikeys import service as apikeys
from cschat.apikeys.repository import KeyReader
from cschat.auth.dependencies import api_key_principal
from cschat.core import migrate
from cschat.core.config import load_settings
from cschat.core.db import Database
from cschat.users import service as users_service
from cschat.users.repository import identity_reader

EMAIL = "bench@example.com"


async def run(calls: int, url: str) -> dict[str, object]:
    settings = load_settings({"DATABASE_URL": url, "APP_ENV": "test"}, env_file=None)
    db = Database(settings.db)
    async with db.transaction() as session:
        await users_service.create_user(session, email=EMAIL, role="Agent")
        _, key = await apikeys.create_key(
            session, name="bench", scopes=["ingest"], expires_at=None, actor=EMAIL
        )
    key_reader = KeyReader(db.engine)
    app = SimpleNamespace(state=SimpleNamespace(db=db, key_reader=key_reader))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"x-api-key", key.encode())],
        "app": app,
    }
    reader = identity_reader(db.engine)
    try:
        for _ in range(50):  # warm both paths (connections, statement caches)
            await api_key_principal(Request(scope), settings)
            await reader.find(EMAIL)
        start = time.perf_counter()
        for _ in range(calls):
            await api_key_principal(Request(scope), settings)
        key_us = (time.perf_counter() - start) / calls * 1e6
        start = time.perf_counter()
        for _ in range(calls):
            await reader.find(EMAIL)
        baseline_us = (time.perf_counter() - start) / calls * 1e6
    finally:
        await reader.close()
        await key_reader.close()
        await db.dispose()
    return {
        "bench": "api_keys",
        "database": make_url(url).get_backend_name(),
        "calls": calls,
        "api_key_us_per_call": round(key_us, 1),
        "baseline_identity_lookup_us_per_call": round(baseline_us, 1),
        "ratio": round(key_us / baseline_us, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(make_url(url))
        print(json.dumps(asyncio.run(run(args.calls, url))))


if __name__ == "__main__":
    main()
