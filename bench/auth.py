"""`GET /auth/me` with a session cookie vs `GET /health`, on one real uvicorn server.

Starts the app in a subprocess on a free loopback port (SQLite in a temporary folder unless
--database-url names another database), signs a user in through `POST /auth/login`, then drives
each endpoint with the same concurrent httpx client for a bounded time, in alternating rounds.
Prints one JSON line: both rates and their ratio (target: at least 0.6), and the server process's
CPU time per request of each, whose ratio does not depend on how fast the client is.

    python bench/auth.py [--seconds 10] [--rounds 10] [--concurrency 16] [--database-url URL]

--database-url names an existing database (it is migrated, and one account is added).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from cschat.auth.keys import generate_private_key_pem
from cschat.core import migrate
from cschat.core.config import DatabaseSettings
from cschat.core.db import Database
from cschat.users import service as users_service

EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123"  # noqa: S105 (a throwaway account in a temporary database)
ORIGIN = "http://localhost:3000"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def create_user(url: str) -> None:
    db = Database(DatabaseSettings(DATABASE_URL=url))
    try:
        async with db.transaction() as session:
            if await users_service.list_users(session):
                return
            await users_service.create_user(session, email=EMAIL, role="Agent", password=PASSWORD)
    finally:
        await db.dispose()


async def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(200):
            if server.poll() is not None:
                raise SystemExit("the server exited during start-up")
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise SystemExit("the server did not start in 10 s")


async def count(
    client: httpx.AsyncClient, path: str, seconds: float, concurrency: int
) -> tuple[int, float]:
    """Successful responses to `path` in `seconds` with `concurrency` requests in flight."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            response = await client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: {response.text}")
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - start


async def measure(
    base: str, seconds: float, concurrency: int, rounds: int, server_pid: int
) -> dict[str, dict[str, float]]:
    """Rate and server CPU per request of both paths, in alternating rounds so load hits both."""
    async with httpx.AsyncClient(base_url=base, headers={"Origin": ORIGIN}) as client:
        login = await client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD})
        if login.status_code != 200:
            raise SystemExit(f"sign-in failed: {login.status_code} {login.text}")
        cookies = httpx.Cookies({"id_token": client.cookies["id_token"]})
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    totals = {"/health": [0, 0.0, 0.0], "/auth/me": [0, 0.0, 0.0]}
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits) as client:
        for path in totals:  # warm-up: connections, caches, first queries
            await count(client, path, 0.5, concurrency)
        for n in range(rounds):
            order = list(totals) if n % 2 == 0 else list(reversed(totals))
            for path in order:
                cpu_before = cpu_seconds(server_pid)
                done, elapsed = await count(client, path, seconds / rounds, concurrency)
                totals[path][0] += done
                totals[path][1] += elapsed
                totals[path][2] += cpu_seconds(server_pid) - cpu_before
    return {
        path: {"rps": done / elapsed, "server_cpu_ms": cpu * 1000 / done}
        for path, (done, elapsed, cpu) in totals.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint, in total")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(make_url(url).set(drivername=make_url(url).drivername))
        asyncio.run(create_user(url))
        port = free_port()
        env = {
            **os.environ,
            "APP_ENV": "development",
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-" + "x" * 32,
            "JWT_PRIVATE_KEY": generate_private_key_pem(),
            "CORS_ORIGINS": ORIGIN,
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "cschat.main:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=tmp,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(wait_ready(base, server))
            figures = asyncio.run(
                measure(base, args.seconds, args.concurrency, args.rounds, server.pid)
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    health, me = figures["/health"], figures["/auth/me"]
    print(
        json.dumps(
            {
                "bench": "auth",
                "database": make_url(url).get_backend_name(),
                "seconds": args.seconds,
                "concurrency": args.concurrency,
                "health_rps": round(health["rps"]),
                "me_rps": round(me["rps"]),
                "ratio_me_vs_health": round(me["rps"] / health["rps"], 2),
                "health_server_cpu_ms": round(health["server_cpu_ms"], 3),
                "me_server_cpu_ms": round(me["server_cpu_ms"], 3),
                "cpu_ratio_health_vs_me": round(health["server_cpu_ms"] / me["server_cpu_ms"], 2),
                "target_ratio": 0.6,
            }
        )
    )


if __name__ == "__main__":
    main()
