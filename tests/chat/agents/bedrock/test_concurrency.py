"""Many slow invocations at once: all finish in about the latency, and the loop keeps answering."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from cschat.chat.agents.base import DoneEvent
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.db import Database
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request

CHATS = 200


async def test_200_concurrent_chats_at_1s_latency_keep_the_loop_responsive(
    make_agent: Callable[..., BedrockAgent],
    emulator: tuple[str, Emulator],
    app_db: Database,
    client: httpx.AsyncClient,
) -> None:
    emulator[1].config.update({"mode": "echo", "latency": 1.0})
    agent = make_agent(BEDROCK_MAX_CONCURRENCY=str(CHATS))
    tools = DbTools(app_db, SUPERVISOR)
    health_times: list[float] = []
    finished = asyncio.Event()

    async def probe() -> None:
        while not finished.is_set():
            started = time.perf_counter()
            response = await client.get("/health")
            assert response.status_code == 200
            health_times.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)

    async def chat(n: int) -> str:
        events = await collect(agent, request(f"pregunta {n}", session_id=f"s-{n}"), tools)
        assert isinstance(events[-1], DoneEvent)
        return events[-1].text

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    texts = await asyncio.gather(*(chat(n) for n in range(CHATS)))
    elapsed = time.perf_counter() - started
    finished.set()
    await prober
    assert texts == [f"Echo: pregunta {n} " for n in range(CHATS)]
    assert len(emulator[1].requests) == CHATS
    assert elapsed < 4.0, elapsed  # 1 s of latency, not 200 of them in sequence
    assert len(health_times) >= 10
    assert sorted(health_times)[len(health_times) // 2] < 0.1, health_times
