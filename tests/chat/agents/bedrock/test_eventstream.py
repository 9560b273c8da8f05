"""Our event-stream frames decode with botocore's own decoder, CRCs included."""

from __future__ import annotations

import json

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from cschat.chat.agents.bedrock import eventstream


def decode(data: bytes) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return [(message.headers, message.payload) for message in buffer]


def test_event_and_exception_frames_round_trip() -> None:
    data = eventstream.event("chunk", {"bytes": "aG9sYQ=="}) + eventstream.exception(
        "throttlingException", "Rate exceeded."
    )
    (event_headers, event_payload), (exc_headers, exc_payload) = decode(data)
    assert event_headers == {
        ":event-type": "chunk",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(event_payload) == {"bytes": "aG9sYQ=="}
    assert exc_headers[":message-type"] == "exception"
    assert exc_headers[":exception-type"] == "throttlingException"
    assert json.loads(exc_payload) == {"message": "Rate exceeded."}


def test_a_flipped_payload_byte_fails_the_message_crc() -> None:
    frame = bytearray(eventstream.event("chunk", {"bytes": "aG9sYQ=="}))
    frame[-6] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        decode(bytes(frame))
