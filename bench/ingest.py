"""CSV through `POST /data/ingest` (a real uvicorn server) vs `psql \\copy` of the same rows.

Generates N realistic tickets (demo generator, our column names) into a temp CSV, starts uvicorn
in a subprocess on a fresh PostgreSQL database and POSTs the file streamed; the baseline is
`psql \\copy` of the same rows (as the ingest stores them) into the same, empty, table. Then the
same upload into a fresh SQLite file. Prints one JSON line: seconds, rows/s, ratio to psql
(target <= 2) and the
server's peak RSS (VmHWM, target < 300 MB) per engine; SQLite target >= 50,000 rows/s.

    python bench/ingest.py [--rows 1000000] [--server postgresql://postgres@127.0.0.1:5432]
                           [--skip-sqlite] [--skip-postgresql]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from _common import NOW, TZ, add_server_option, psql_copy_seconds, scratch_database, sqlalchemy_url
from sqlalchemy.engine import make_url

from cschat.core import migrate
from cschat.tickets import demo
from cschat.tickets.bulk import copy_text
from cschat.tickets.models import ROW_COLUMNS

KEY = "bench-ingest-key"
CSV_COLUMNS = [c for c in ROW_COLUMNS if c not in ("source", "attributes")]
ATTRIBUTE_COLUMNS = ["agent_name", "region"]


def write_files(rows: int, folder: Path) -> tuple[Path, Path]:
    """The upload (CSV) and the baseline's COPY file holding the same rows as stored."""
    upload, baseline = folder / "tickets.csv", folder / "tickets.copy"
    stamp = datetime.now(UTC)
    with upload.open("w", newline="") as up, baseline.open("w") as base:
        writer = csv.writer(up)
        writer.writerow([*CSV_COLUMNS, *ATTRIBUTE_COLUMNS])
        for row in demo.generate(count=rows, days=365, seed=1, now=NOW, tz=TZ):
            values = dict(zip(ROW_COLUMNS, row, strict=True))
            attributes = values["attributes"]
            writer.writerow(
                [
                    *(_csv_value(values[c]) for c in CSV_COLUMNS),
                    *(attributes[a] for a in ATTRIBUTE_COLUMNS),
                ]
            )
            stored = (*row[:-1], {a: attributes[a] for a in ATTRIBUTE_COLUMNS})
            base.writelines(copy_text([("bench", *stored[1:], stamp, stamp)]))
    return upload, baseline


def _csv_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def post_through_uvicorn(database_url: str, upload: Path) -> tuple[float, float, dict[str, object]]:
    """Seconds for the POST, the server's peak RSS (MB) and its reply."""
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
        "INGEST_API_KEY": KEY,
        "INGEST_MAX_BODY_BYTES": str(upload.stat().st_size + 1),
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "--factory", "cschat.main:create_app"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        start = time.perf_counter()
        response = httpx.post(
            f"{base}/data/ingest",
            params={"source": "bench"},
            content=file_chunks(upload),
            headers={"X-API-Key": KEY, "Content-Type": "text/csv"},
            timeout=httpx.Timeout(3600),
        )
        elapsed = time.perf_counter() - start
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    reply = response.json()
    if response.status_code != 200 or reply["rejected"]:
        raise SystemExit(f"ingest failed: {response.status_code} {str(reply)[:500]}")
    return elapsed, rss, reply


def bench_postgresql(server: str, rows: int, upload: Path, baseline: Path) -> dict[str, object]:
    with scratch_database(server, "bench_ingest") as dsn:
        ours, rss, reply = post_through_uvicorn(sqlalchemy_url(dsn), upload)
        assert reply["inserted"] == rows, reply
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("TRUNCATE tickets")
            conn.execute("VACUUM ANALYZE tickets")
        psql = psql_copy_seconds(dsn, baseline)
    return {
        "seconds": round(ours, 2),
        "rows_per_s": round(rows / ours),
        "psql_copy_seconds": round(psql, 2),
        "ratio_vs_psql_copy": round(ours / psql, 2),
        "target_ratio": 2.0,
        "server_peak_rss_mb": rss,
        "target_rss_mb": 300,
    }


def bench_sqlite(rows: int, upload: Path, folder: Path) -> dict[str, object]:
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    migrate.upgrade(make_url(url))
    ours, rss, reply = post_through_uvicorn(url, upload)
    assert reply["inserted"] == rows, reply
    return {
        "seconds": round(ours, 2),
        "rows_per_s": round(rows / ours),
        "target_rows_per_s": 50_000,
        "server_peak_rss_mb": rss,
        "target_rss_mb": 300,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    add_server_option(parser)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    result: dict[str, object] = {"bench": "ingest", "rows": args.rows}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        upload, baseline = write_files(args.rows, folder)
        result["csv_mb"] = round(upload.stat().st_size / 1e6, 1)
        if not args.skip_postgresql:
            result["postgresql"] = bench_postgresql(args.server, args.rows, upload, baseline)
        if not args.skip_sqlite:
            result["sqlite"] = bench_sqlite(args.rows, upload, folder)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
