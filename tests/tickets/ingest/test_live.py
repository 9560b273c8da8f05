"""A real uvicorn server: batches commit while the upload goes on; a dropped upload keeps them."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.tickets.ingest.models import IngestBatch
from cschat.tickets.models import Ticket
from tests.conftest import TEST_SECRET_KEY
from tests.tickets.ingest.conftest import BATCH_ROWS, INGEST_KEY


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(database_url: URL) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "SECRET_KEY": TEST_SECRET_KEY,
        "INGEST_API_KEY": INGEST_KEY,
        "INGEST_BATCH_ROWS": str(BATCH_ROWS),
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "--factory", "cschat.main:create_app"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


State = tuple[int, str | None, int | None]


async def counts(db: Database) -> State:
    # The batch record first: its status is committed after the tickets it counts, so a read
    # that sees a final status sees them too (SQLite reads each statement on its own snapshot).
    async with db.sessionmaker() as session:
        batch = (await session.execute(select(IngestBatch.status, IngestBatch.inserted))).first()
        tickets = await session.scalar(select(func.count()).select_from(Ticket))
    return tickets or 0, *(batch if batch else (None, None))


async def wait_for(db: Database, condition: Callable[[State], bool]) -> State:
    deadline = time.monotonic() + 20
    while True:
        state = await counts(db)
        if condition(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; last state {state}")
        await asyncio.sleep(0.05)


def open_chunked_upload(server: str) -> socket.socket:
    """A socket that has sent the headers of a chunked CSV upload, its body still to come."""
    host, port = server.split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        b"POST /data/ingest?map=id%3Dexternal_id HTTP/1.1\r\n"
        + f"Host: {server}\r\n".encode()
        + b"Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n"
        + f"X-API-Key: {INGEST_KEY}\r\n\r\n".encode()
    )
    return sock


async def test_dropped_upload_keeps_committed_batches(server: str, settings: Settings) -> None:
    complete = BATCH_ROWS * 3 + 7
    rows = [f"K{i},2024-05-01 10:00:00,Open\n".encode() for i in range(complete)]
    db = Database(settings.db)
    with open_chunked_upload(server) as sock:
        sock.sendall(chunk(b"id,created_at,status\n" + b"".join(rows)))
        # Batches are committed while the body is still open. (A poll may read no record and
        # then tickets committed after it: wait for both.)
        state = await wait_for(db, lambda s: s[0] >= BATCH_ROWS * 3 and s[1] is not None)
        assert state[0] == BATCH_ROWS * 3 and state[1] == "running"
        sock.sendall(chunk(b"K-partial,2024-05-01 1"))
    # The connection is gone: the complete records stay, the partial one is not guessed at.
    final = await wait_for(db, lambda s: s[1] == "interrupted")
    async with db.sessionmaker() as session:
        ids = set(await session.scalars(select(Ticket.external_id)))
    await db.dispose()
    assert final == (complete, "interrupted", complete)
    assert ids == {f"K{i}" for i in range(complete)}


async def test_a_connection_reset_mid_write_records_what_was_committed(
    server: str, settings: Settings
) -> None:
    rows = [f"R{i},2024-05-01 10:00:00,Open\n".encode() for i in range(BATCH_ROWS * 100)]
    db = Database(settings.db)
    sock = open_chunked_upload(server)
    sock.sendall(chunk(b"id,created_at,status\n" + b"".join(rows)))
    await wait_for(db, lambda s: s[0] >= BATCH_ROWS and s[1] is not None)
    # A reset, not a close: the server learns it while batches are being written.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    stored, status, inserted = await wait_for(db, lambda s: s[1] not in (None, "running"))
    await db.dispose()
    assert (status, inserted) == ("interrupted", stored)
