"""Many slow invocations at once: all are in flight together, and the loop keeps answering.

No timing thresholds (DESIGN §8): the test checks the order of events instead. Every request
reaches the emulator before the first answer comes back (run one after another, the first would
come back while the other 199 were still unsent), and health checks complete meanwhile (a blocked
loop would answer none until the answers came back).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from cschat.chat.agents.base import DoneEvent
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.db import Database
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request

CHATS = 200
# Long enough that sending 200 requests on a slow, busy machine still ends well before it.
LATENCY_S = 4.0


async def test_200_concurrent_chats_are_in_flight_together_and_the_loop_keeps_answering(
    make_agent: Callable[..., BedrockAgent],
    emulator: tuple[str, Emulator],
    app_db: Database,
    client: httpx.AsyncClient,
) -> None:
    server = emulator[1]
    server.config.update({"mode": "echo", "latency": LATENCY_S})
    agent = make_agent(BEDROCK_MAX_CONCURRENCY=str(CHATS))
    tools = DbTools(app_db, SUPERVISOR)
    first_answer = asyncio.Event()
    arrived_at_first_answer: list[int] = []
    health_while_all_in_flight = 0

    async def probe() -> None:
        nonlocal health_while_all_in_flight
        while not first_answer.is_set():
            response = await client.get("/health")
            assert response.status_code == 200
            if len(server.requests) == CHATS and not first_answer.is_set():
                health_while_all_in_flight += 1
            await asyncio.sleep(0.05)

    async def chat(n: int) -> str:
        events = await collect(agent, request(f"pregunta {n}", session_id=f"s-{n}"), tools)
        if not first_answer.is_set():
            arrived_at_first_answer.append(len(server.requests))
            first_answer.set()
        assert isinstance(events[-1], DoneEvent)
        return events[-1].text

    prober = asyncio.create_task(probe())
    texts = await asyncio.gather(*(chat(n) for n in range(CHATS)))
    await prober
    assert texts == [f"Echo: pregunta {n} " for n in range(CHATS)]
    assert len(server.requests) == CHATS
    assert arrived_at_first_answer == [CHATS]
    assert health_while_all_in_flight >= 5
