"""What the emulator answers with: the local agent (tools run here or by the caller), or an echo."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cschat.auth.principal import Principal
from cschat.chat.agents.base import (
    AgentEvent,
    AgentRequest,
    CitationEvent,
    HistoryTurn,
    Role,
    TextDelta,
)
from cschat.core.db import Database
from cschat.core.errors import BadRequest
from cschat.tickets.tools import run_tool


def agent_request(
    session_id: str,
    text: str,
    attributes: Mapping[str, str],
    tz: str,
    *,
    history: tuple[HistoryTurn, ...] = (),
) -> AgentRequest:
    """The local agent's request: the caller from the attributes, the session's earlier turns."""
    role: Role = "Supervisor" if attributes.get("role") == "Supervisor" else "Agent"
    groups = tuple(g for g in attributes.get("groups", "").split(",") if g)
    return AgentRequest(
        session_id=session_id,
        text=text,
        role=role,
        user_email=attributes.get("user_email", ""),
        user_id=attributes.get("user_id") or None,
        groups=groups,
        now=datetime.now(UTC),
        tz=tz,
        history=history,
    )


class DatabaseTools:
    """Runs the analytics tools against the emulator's own database, as a Lambda action group."""

    def __init__(self, db: Database, request: AgentRequest) -> None:
        self.db = db
        self.principal = Principal(
            email=request.user_email,
            role=request.role,
            user_id=request.user_id or request.user_email,
            groups=request.groups,
        )
        self.tz = request.tz

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        async with self.db.sessionmaker() as session:
            return await run_tool(
                name,
                params,
                session=session,
                principal=self.principal,
                tz=ZoneInfo(self.tz),
                now=datetime.now(UTC),
            )


class ReturnedControl:
    """A tool runner that hands each call to the client and waits for its result."""

    def __init__(self, outbox: asyncio.Queue[Any]) -> None:
        self.outbox = outbox

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        await self.outbox.put(("control", name, dict(params), future))
        return await future


async def echo(text: str) -> AsyncIterator[AgentEvent]:
    """A model-free answer for load tests: the question back, word by word."""
    for word in f"Echo: {text}".split(" "):
        yield TextDelta(word + " ")
    yield CitationEvent("echo", {"text": text})


def failed_result(body: str) -> BadRequest:
    """A FAILURE result from the client, as the tool error the local agent expects."""
    return BadRequest(body)
