"""Our event-stream frames decode with botocore's own decoder, CRCs included."""

from __future__ import annotations

import json
from typing import cast

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from cschat.chat.agents.bedrock import eventstream


def decode(data: bytes) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    # botocore-stubs types `headers` as int; botocore fills it with the parsed dict.
    return [(cast(dict[str, object], message.headers), message.payload) for message in buffer]


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


def test_a_flipped_prelude_byte_fails_the_prelude_crc() -> None:
    frame = bytearray(eventstream.event("chunk", {"bytes": "aG9sYQ=="}))
    frame[9] ^= 0xFF  # inside the prelude's own CRC
    with pytest.raises(ChecksumMismatch):
        decode(bytes(frame))


def test_lengths_count_bytes_not_characters() -> None:
    """Non-ASCII header values and payloads: every length field is in bytes."""
    payload = "¿Cuántos? 12 € 😀".encode()
    data = eventstream.encode_message({":event-type": "chünk", "x-note": "ñandú"}, payload)
    [(headers, body)] = decode(data)
    assert headers == {":event-type": "chünk", "x-note": "ñandú"}
    assert body == payload


def test_frames_fed_a_byte_at_a_time_decode_whole() -> None:
    data = b"".join(eventstream.event("chunk", {"bytes": str(n)}) for n in range(3))
    buffer = EventStreamBuffer()
    seen = []
    for n in range(len(data)):
        buffer.add_data(data[n : n + 1])
        seen += [json.loads(message.payload)["bytes"] for message in buffer]
    assert seen == ["0", "1", "2"]
