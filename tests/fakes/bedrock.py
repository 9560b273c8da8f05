"""The Bedrock Agent emulator served by uvicorn on a loopback port, in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from cschat.chat.agents.bedrock.emulator import Emulator, EmulatorConfig, create_emulator_app
from cschat.core.db import Database
from tests.fakes.aws import free_port


@contextmanager
def emulator_server(
    db: Database | None = None, *, tz: str = "UTC", **config: Any
) -> Iterator[tuple[str, Emulator]]:
    """Start the emulator; yields (endpoint URL, its state for assertions and faults)."""
    app = create_emulator_app(db, tz=tz, config=EmulatorConfig(**config))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", backlog=2048)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("emulator did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", app.state.emulator
    finally:
        server.should_exit = True
        thread.join(timeout=10)
