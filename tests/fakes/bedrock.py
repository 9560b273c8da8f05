"""The Bedrock Agent emulator served by uvicorn on a loopback port, in a thread; and a scripted
InvokeAgent that streams whatever bytes a test gives it (broken frames included)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from cschat.chat.agents.bedrock import eventstream
from cschat.chat.agents.bedrock.emulator import Emulator, EmulatorConfig, create_emulator_app
from cschat.core.db import Database
from tests.support.uvicorn_thread import serve_in_thread


@contextmanager
def _serve(app: Starlette) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", backlog=2048)
    with serve_in_thread(config, what="fake Bedrock") as url:
        yield url


@contextmanager
def emulator_server(
    db: Database | None = None, *, tz: str = "UTC", **config: Any
) -> Iterator[tuple[str, Emulator]]:
    """Start the emulator; yields (endpoint URL, its state for assertions and faults)."""
    app = create_emulator_app(db, tz=tz, config=EmulatorConfig(**config))
    with _serve(app) as url:
        yield url, app.state.emulator


@dataclass
class Scripted:
    """InvokeAgent answers as raw event-stream bytes: one list of parts per request, in order."""

    answers: list[Sequence[bytes]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    pause: float = 0.0  # seconds before each part after the first

    def next_answer(self) -> Sequence[bytes]:
        """The next answer; the last one repeats."""
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@contextmanager
def scripted_server() -> Iterator[tuple[str, Scripted]]:
    """An InvokeAgent that streams the scripted parts as they are, with a 200."""
    state = Scripted()

    async def invoke(request: Request) -> Response:
        state.requests.append({**request.path_params, "body": json.loads(await request.body())})
        parts = state.next_answer()

        async def body() -> Any:
            for n, part in enumerate(parts):
                if n and state.pause:
                    await asyncio.sleep(state.pause)
                yield part

        return StreamingResponse(body(), media_type=eventstream.CONTENT_TYPE)

    path = "/agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text"
    with _serve(Starlette(routes=[Route(path, invoke, methods=["POST"])])) as url:
        yield url, state
