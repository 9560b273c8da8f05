"""Whatever bytes Bedrock sends, the answer ends in text or a 502 in the question's language."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from fastapi import FastAPI

from cschat.chat.agents.base import DoneEvent, ErrorEvent, TextDelta, ToolResultEvent
from cschat.chat.agents.bedrock import eventstream
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.db import Database
from tests.chat.agents.bedrock.conftest import SUPERVISOR, DbTools, collect, request
from tests.chat.conftest import SignedIn
from tests.fakes.bedrock import Scripted

SPANISH = "¿Cuántos tickets se resolvieron esta semana?"
FAILED_ES = "No he podido obtener respuesta del agente"
FAILED_EN = "I could not get an answer from the agent"
COUNT = {
    "functionInvocationInput": {"actionGroup": "tickets_analytics", "function": "count_tickets"}
}
EVENT = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}


def chunk(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return eventstream.event("chunk", {"bytes": base64.b64encode(raw).decode()})


def flipped(frame: bytes, at: int) -> bytes:
    damaged = bytearray(frame)
    damaged[at] ^= 0xFF
    return bytes(damaged)


def trace(body: Any) -> bytes:
    return eventstream.event("trace", {"trace": body})


def control(*inputs: dict[str, Any]) -> bytes:
    return eventstream.event(
        "returnControl", {"invocationId": "inv-1", "invocationInputs": list(inputs)}
    )


@pytest.mark.parametrize(
    ("question", "says"),
    [
        (SPANISH, FAILED_ES),
        ("average resolution time for billing last month?", FAILED_EN),
    ],
)
async def test_failures_are_worded_in_the_questions_language(
    make_agent: Callable[..., BedrockAgent],
    emulator: tuple[str, Emulator],
    app_db: Database,
    question: str,
    says: str,
) -> None:
    emulator[1].config.update({"error_before": "AccessDeniedException", "error_before_times": 1})
    [error] = await collect(make_agent(), request(question), DbTools(app_db, SUPERVISOR))
    assert isinstance(error, ErrorEvent) and error.message.startswith(says)


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param([flipped(chunk("Hay 12"), 9)], id="prelude-crc"),
        pytest.param([flipped(chunk("Hay 12"), -6)], id="message-crc"),
        pytest.param([chunk("Hay "), flipped(chunk("12"), -6)], id="message-crc-after-text"),
        pytest.param([chunk("Hay "), chunk("12")[:-1]], id="last-frame-cut"),
        pytest.param([b"<html><body>Bad gateway</body></html>"], id="not-an-event-stream"),
        pytest.param([eventstream.encode_message(EVENT, b"[1, 2]")], id="payload-not-an-object"),
        pytest.param([eventstream.event("chunk", {"bytes": "abcde"})], id="bytes-not-base64"),
        pytest.param([trace("text"), chunk("Hay 12")], id="trace-not-an-object"),
        pytest.param([trace({}), chunk("Hay 12")], id="trace-without-member"),
        pytest.param(
            [trace({"failureTrace": {}, "guardrailTrace": {}}), chunk("Hay 12")],
            id="trace-with-two-members",
        ),
    ],
)
async def test_unreadable_streams_are_a_502(
    make_agent: Callable[..., BedrockAgent],
    scripted: Scripted,
    app_db: Database,
    parts: list[bytes],
) -> None:
    scripted.answers = [parts]
    events = await collect(make_agent(), request(SPANISH), DbTools(app_db, SUPERVISOR))
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 502 and "event stream" in error.error.detail
    assert error.message.startswith(FAILED_ES)


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param([[]], id="empty-body"),
        pytest.param([[eventstream.event("mysteryEvent", {"x": 1})]], id="unknown-event-only"),
        pytest.param([[chunk(" \n")]], id="blank-text"),
        pytest.param([[control(COUNT)], []], id="empty-after-return-of-control"),
    ],
)
async def test_a_stream_without_text_is_a_502_not_an_empty_answer(
    make_agent: Callable[..., BedrockAgent],
    scripted: Scripted,
    app_db: Database,
    answers: list[Sequence[bytes]],
) -> None:
    scripted.answers = answers
    events = await collect(make_agent(), request(SPANISH), DbTools(app_db, SUPERVISOR))
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 502 and "without any text" in error.error.detail
    assert error.message.startswith(FAILED_ES)


async def test_a_character_split_between_chunks_is_whole(
    make_agent: Callable[..., BedrockAgent], scripted: Scripted, app_db: Database
) -> None:
    raw = "Tiempo medio: 3,5 h — 12 € más".encode()
    cut = raw.index("—".encode()) + 1
    scripted.answers = [[chunk(raw[:cut]), chunk(raw[cut:])]]
    events = await collect(make_agent(), request(SPANISH), DbTools(app_db, SUPERVISOR))
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.text == raw.decode()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == done.text


async def test_frames_split_anywhere_between_reads_are_whole(
    make_agent: Callable[..., BedrockAgent], scripted: Scripted, app_db: Database
) -> None:
    raw = trace({"x": 1}) + chunk("Hay 12 ") + chunk("tickets.")
    # 3-byte parts, paused so that each is its own read: frame lengths are split too.
    scripted.answers, scripted.pause = [[raw[n : n + 3] for n in range(0, len(raw), 3)]], 0.001
    events = await collect(make_agent(), request(SPANISH), DbTools(app_db, SUPERVISOR))
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.text == "Hay 12 tickets."


async def test_a_trace_output_that_is_not_text_still_answers(
    make_agent: Callable[..., BedrockAgent], scripted: Scripted, app_db: Database
) -> None:
    output = {"observation": {"actionGroupInvocationOutput": {"text": 12}}}
    scripted.answers = [[trace({"orchestrationTrace": output}), chunk("Hay 12 tickets.")]]
    events = await collect(make_agent(), request(SPANISH), DbTools(app_db, SUPERVISOR))
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.text == "Hay 12 tickets."
    assert [step.observation for step in done.trace] == [{"value": 12}]


@pytest.mark.parametrize(
    ("invocation", "result_key", "names"),
    [
        pytest.param(
            {
                "functionInvocationInput": {
                    "actionGroup": "tickets_analytics",
                    "function": "count_tickets",
                    "parameters": [{"type": "string", "value": "Billing"}],
                }
            },
            "functionResult",
            "None",
            id="parameter-without-name",
        ),
        pytest.param(
            {
                "apiInvocationInput": {
                    "actionGroup": "tickets_analytics",
                    "apiPath": "/tickets/delete",
                    "httpMethod": "POST",
                }
            },
            "apiResult",
            "/tickets/delete",
            id="api-schema-call",
        ),
    ],
)
async def test_bad_returned_control_is_a_tool_failure_for_the_model(
    make_agent: Callable[..., BedrockAgent],
    scripted: Scripted,
    app_db: Database,
    invocation: dict[str, Any],
    result_key: str,
    names: str,
) -> None:
    scripted.answers = [[control(invocation)], [chunk("No he podido contarlos.")]]
    tools = DbTools(app_db, SUPERVISOR)
    events = await collect(make_agent(), request(SPANISH), tools)
    assert isinstance(events[-1], DoneEvent)
    [result] = [e.result for e in events if isinstance(e, ToolResultEvent)]
    assert "error" in result and names in result["detail"]
    assert not [call for call in tools.calls if call[0] != "count_tickets"]
    [member] = scripted.requests[1]["body"]["sessionState"]["returnControlInvocationResults"]
    assert member[result_key]["responseState"] == "FAILURE"
    body = next(iter(member[result_key]["responseBody"].values()))["body"]
    assert names in json.dumps(body)


async def test_an_answer_that_never_ends_is_a_504(
    make_agent: Callable[..., BedrockAgent], scripted: Scripted, app_db: Database
) -> None:
    # An event every 0.2 s: the read timeout (2 s) never fires, the answer's deadline (1 s) does.
    scripted.answers, scripted.pause = (
        [[chunk("Counting")] + [trace({"x": n}) for n in range(60)]],
        0.2,
    )
    agent = make_agent(BEDROCK_READ_TIMEOUT="2", BEDROCK_ANSWER_TIMEOUT="1")
    # Without the deadline the stream ends after 12 s with a complete answer, not a 504.
    events = await collect(agent, request(SPANISH), DbTools(app_db, SUPERVISOR))
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.error is not None
    assert error.error.status_code == 504 and "BEDROCK_ANSWER_TIMEOUT" in error.error.detail
    assert error.message.startswith(FAILED_ES)


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda frame: frame[:-1], id="last-byte-missing"),
        pytest.param(lambda frame: frame[: len(frame) // 2], id="cut-in-the-payload"),
        pytest.param(lambda frame: frame[:3], id="cut-in-the-prelude"),
    ],
)
async def test_a_stream_cut_inside_its_last_frame_is_a_502_not_a_stored_answer(
    chat_app: FastAPI,
    signed_in: SignedIn,
    make_agent: Callable[..., BedrockAgent],
    scripted: Scripted,
    cut: Callable[[bytes], bytes],
) -> None:
    # The body ends cleanly (chunked encoding closed), so only the framing shows the loss.
    scripted.answers = [[chunk("Hay 12"), cut(chunk(" tickets resueltos."))]]
    chat_app.state.agent = make_agent()
    boss = await signed_in("boss@example.com", "Supervisor")
    response = await boss.post("/api/chat", json={"message": SPANISH})
    assert response.status_code == 502
    body = response.json()
    assert body["error"] == "UpstreamError" and body["detail"].startswith(FAILED_ES)
    stored = (await boss.get(f"/api/chat/sessions/{body['session_id']}")).json()
    assert stored["messages"][-1]["error"] == "UpstreamError"
    assert "Hay 12" not in json.dumps(stored["messages"])
