"""The Bedrock provider against the emulator (a separate process, echo mode, no database).

1. Wall time of 500 concurrent invocations through the provider at 1 s emulator latency, against
   the 1 s ideal (target <= 1.5 s); the first round also starts threads and connections, so a second
   (warm) round is reported too.
2. Time to the first text delta through the provider minus time to the first event-stream bytes
   of a raw HTTP call to the same emulator, no latency, alternating, p50 (target <= 10 ms).

Prints one JSON line.

    python bench/bedrock.py [--chats 500] [--latency 1.0] [--samples 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from cschat.chat.agents.base import AgentRequest, DoneEvent, TextDelta
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.core.config import load_settings

AGENT, ALIAS = "AGENT12345", "ALIAS12345"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _request(n: int) -> AgentRequest:
    return AgentRequest(
        session_id=f"bench-{n}",
        text=f"how many tickets {n}",
        role="Supervisor",
        user_email="bench@example.com",
        now=datetime.now(UTC),
        tz="UTC",
    )


async def _no_tools(name: str, params: object) -> dict[str, object]:
    raise RuntimeError("echo mode calls no tools")


async def _chat(agent: BedrockAgent, n: int) -> float:
    started = time.perf_counter()
    async for event in agent.run(_request(n), _no_tools):
        if isinstance(event, DoneEvent):
            return time.perf_counter() - started
    raise RuntimeError("no answer")


async def _first_delta(agent: BedrockAgent, n: int) -> float:
    started = time.perf_counter()
    first = 0.0
    async for event in agent.run(_request(n), _no_tools):
        if isinstance(event, TextDelta) and not first:
            first = time.perf_counter() - started
    return first


async def _first_bytes_raw(client: httpx.AsyncClient, url: str, n: int) -> float:
    body = {
        "inputText": f"how many tickets {n}",
        "enableTrace": True,
        "sessionState": {"sessionAttributes": {"role": "Supervisor"}},
        "streamingConfigurations": {"streamFinalResponse": True},
    }
    path = f"{url}/agents/{AGENT}/agentAliases/{ALIAS}/sessions/bench-{n}/text"
    started = time.perf_counter()
    first = 0.0
    async with client.stream("POST", path, json=body) as response:
        async for _ in response.aiter_bytes():
            first = first or time.perf_counter() - started
    return first


async def run(url: str, chats: int, latency: float, samples: int) -> dict[str, object]:
    settings = load_settings(
        {
            "AGENT_PROVIDER": "bedrock",
            "BEDROCK_AGENT_ID": AGENT,
            "BEDROCK_AGENT_ALIAS_ID": ALIAS,
            "BEDROCK_MAX_CONCURRENCY": str(chats),
            "BEDROCK_READ_TIMEOUT": "30",
        },
        env_file=None,
    )
    agent = BedrockAgent(settings.agent, region="us-east-1")
    async with httpx.AsyncClient(timeout=30) as client:
        await client.post(f"{url}/_emulator/config", json={"mode": "echo", "latency": latency})
        walls = []
        for _ in range(2):
            started = time.perf_counter()
            await asyncio.gather(*(_chat(agent, n) for n in range(chats)))
            walls.append(time.perf_counter() - started)
        await client.post(f"{url}/_emulator/config", json={"latency": 0})
        ours, raw = [], []
        for n in range(samples):
            ours.append(await _first_delta(agent, n))
            raw.append(await _first_bytes_raw(client, url, n))
    agent.close()
    p50_ours, p50_raw = statistics.median(ours), statistics.median(raw)
    return {
        "bench": "bedrock",
        "chats": chats,
        "latency_s": latency,
        "wall_cold_s": round(walls[0], 3),
        "wall_warm_s": round(walls[1], 3),
        "ideal_s": latency,
        "wall_target_s": 1.5 * latency,
        "first_delta_p50_ms": round(p50_ours * 1000, 2),
        "raw_first_bytes_p50_ms": round(p50_raw * 1000, 2),
        "overhead_p50_ms": round((p50_ours - p50_raw) * 1000, 2),
        "overhead_target_ms": 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # The emulator checks no signature; any credentials will do.
    fake = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    env = {**os.environ, **fake}
    emulator = subprocess.Popen(
        [str(Path(sys.executable).parent / "cschat"), "bedrock", "emulator", "--mode", "echo",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/_emulator/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        os.environ.update(
            fake, AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=url, AWS_ENDPOINT_URL_BEDROCK_AGENT=url
        )
        print(json.dumps(asyncio.run(run(url, args.chats, args.latency, args.samples))))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    main()
