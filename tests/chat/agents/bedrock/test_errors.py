"""Each Bedrock failure, where it happens, and what it becomes; no retry after text was sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from fastapi import FastAPI

from cschat.chat.agents.base import DoneEvent, ErrorEvent, TextDelta
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.db import Database
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request
from tests.chat.conftest import SignedIn

QUESTION = "How many tickets were resolved in October 2024?"


async def test_throttling_before_the_stream_is_retried(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"throttle_before": 1})
    events = await collect(make_agent(), request(QUESTION), DbTools(app_db, SUPERVISOR))
    assert isinstance(events[-1], DoneEvent)
    assert len(emulator[1].requests) == 2


async def test_throttling_that_persists_is_503_with_retry_after(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"throttle_before": 10})
    events = await collect(
        make_agent(BEDROCK_MAX_RETRIES="0", BEDROCK_RETRY_DELAY="3"),
        request(QUESTION),
        DbTools(app_db, SUPERVISOR),
    )
    [error] = events
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 503 and error.error.headers == {"Retry-After": "3"}
    assert len(emulator[1].requests) == 1


@pytest.mark.parametrize(
    ("code", "status", "says"),
    [
        ("AccessDeniedException", 502, "bedrock:InvokeAgent"),
        ("ResourceNotFoundException", 502, "BEDROCK_AGENT_ALIAS_ID"),
        ("ValidationException", 502, "action group schema"),
        ("DependencyFailedException", 502, "Lambda"),
    ],
)
async def test_client_side_failures_are_502_a_supervisor_can_act_on(
    make_agent: Callable[..., BedrockAgent],
    emulator: tuple[str, Emulator],
    app_db: Database,
    code: str,
    status: int,
    says: str,
) -> None:
    emulator[1].config.update({"error_before": code, "error_before_times": 5})
    events = await collect(make_agent(), request(QUESTION), DbTools(app_db, SUPERVISOR))
    [error] = events
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == status and says in error.error.detail
    assert len(emulator[1].requests) == 1  # not retried: it would fail the same way


async def test_in_stream_exception_before_text_is_retried(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update(
        {
            "exception_mid_stream": "throttlingException",
            "exception_after_chunks": 0,
            "exception_times": 1,
        }
    )
    events = await collect(make_agent(), request(QUESTION), DbTools(app_db, SUPERVISOR))
    assert isinstance(events[-1], DoneEvent)
    assert len(emulator[1].requests) == 2


async def test_no_retry_after_partial_text(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update(
        {
            "mode": "echo",
            "exception_mid_stream": "internalServerException",
            "exception_after_chunks": 2,
            "exception_times": 5,
        }
    )
    events = await collect(
        make_agent(BEDROCK_MAX_RETRIES="3"),
        request("uno dos tres cuatro"),
        DbTools(app_db, SUPERVISOR),
    )
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Echo: ", "uno "]
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 502
    assert len(emulator[1].requests) == 1


async def test_read_timeout_is_504(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"latency": 1.5})
    agent = make_agent(BEDROCK_READ_TIMEOUT="0.3", BEDROCK_MAX_RETRIES="0")
    events = await collect(agent, request(QUESTION), DbTools(app_db, SUPERVISOR))
    [error] = events
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 504 and error.error.code == "UpstreamTimeout"


async def test_stalled_stream_after_text_is_504_without_retry(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"mode": "echo", "chunk_delay": 1.0})
    agent = make_agent(BEDROCK_READ_TIMEOUT="0.3", BEDROCK_MAX_RETRIES="2")
    events = await collect(agent, request("uno dos"), DbTools(app_db, SUPERVISOR))
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Echo: "]
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 504
    assert len(emulator[1].requests) == 1


async def test_the_chat_api_answers_with_the_upstream_status(
    chat_app: FastAPI,
    signed_in: SignedIn,
    make_agent: Callable[..., BedrockAgent],
    emulator: tuple[str, Emulator],
) -> None:
    emulator[1].config.update({"throttle_before": 10})
    chat_app.state.agent = make_agent(BEDROCK_MAX_RETRIES="0", BEDROCK_RETRY_DELAY="3")
    boss = await signed_in("boss@example.com", "Supervisor")
    response = await boss.post("/api/chat", json={"message": QUESTION})
    assert response.status_code == 503 and response.headers["Retry-After"] == "3"
    body = response.json()
    assert body["success"] is False and body["error"] == "ServiceUnavailable"
    assert "Traceback" not in response.text
    stored = (await boss.get(f"/api/chat/sessions/{body['session_id']}")).json()
    assert stored["messages"][-1]["error"] == "ServiceUnavailable"


async def test_in_stream_throttling_of_every_round_is_503_not_a_rejected_retry(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    # A fault armed before any text hits the round that returns control too, and a retry finds
    # the session as it was: the answer ends as the throttle it is (503, Retry-After).
    emulator[1].config.update(
        {
            "mode": "return_control",
            "exception_mid_stream": "throttlingException",
            "exception_after_chunks": 0,
            "exception_times": 10,
        }
    )
    events = await collect(make_agent(), request(QUESTION), DbTools(app_db, SUPERVISOR))
    [error] = events
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 503 and error.error.headers == {"Retry-After": "1"}
    assert [r["body"].get("inputText") for r in emulator[1].requests] == [QUESTION, QUESTION]


class _ThrottleNextRound(DbTools):
    """Runs the tool, and has Bedrock throttle the round that brings its result back, once."""

    def __init__(self, db: Database, emulator: Emulator) -> None:
        super().__init__(db, SUPERVISOR)
        self.emulator = emulator

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.emulator.config.update(
            {
                "exception_mid_stream": "throttlingException",
                "exception_after_chunks": 0,
                "exception_times": 1,
            }
        )
        return await super().__call__(name, params)


async def test_a_throttled_result_round_is_retried_with_the_same_invocation(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    emulator[1].config.update({"mode": "return_control"})
    tools = _ThrottleNextRound(app_db, emulator[1])
    events = await collect(make_agent(), request(QUESTION), tools)
    assert isinstance(events[-1], DoneEvent), events[-1]
    first, throttled, retried = emulator[1].requests
    assert "inputText" in first["body"]
    ids = [r["body"]["sessionState"].get("invocationId") for r in (throttled, retried)]
    assert ids[0] and ids[0] == ids[1]
    assert len(tools.calls) == 1


async def test_the_answer_timeout_cuts_off_a_stalled_stream_at_its_deadline(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator], app_db: Database
) -> None:
    # BEDROCK_ANSWER_TIMEOUT bounds the whole answer: a stream that goes quiet within the read
    # timeout must end at that deadline, not when the next event or the read timeout comes.
    emulator[1].config.update({"latency": 5.0})
    agent = make_agent(
        BEDROCK_ANSWER_TIMEOUT="0.5", BEDROCK_READ_TIMEOUT="20", BEDROCK_MAX_RETRIES="0"
    )
    events = await asyncio.wait_for(
        collect(agent, request(QUESTION), DbTools(app_db, SUPERVISOR)), timeout=3
    )
    [error] = events
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 504 and "BEDROCK_ANSWER_TIMEOUT" in error.error.detail
