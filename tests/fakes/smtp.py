"""A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from tests.fakes.aws import free_port


@dataclass
class SmtpSink:
    """The messages aiosmtpd accepted, parsed."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def env(self) -> dict[str, str]:
        return {"EMAIL_BACKEND": "smtp", "SMTP_HOST": self.host, "SMTP_PORT": str(self.port)}

    def last_to(self, address: str, timeout: float = 5.0) -> EmailMessage:
        """The newest message to `address` (waits briefly: the server runs in a thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages[::-1]:
                if message["To"] == address:
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no mail to {address}")


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML bodies."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def token_from(message: EmailMessage, frontend_url: str = "http://localhost:3000") -> str:
    """The accept link's token, found the way a reader would: the URL in the text part."""
    text, _ = parts(message)
    link = next(word for word in text.split() if word.startswith(f"{frontend_url}/invite/accept"))
    url = urlsplit(link)
    assert url.path == "/invite/accept"
    return parse_qs(url.query)["token"][0]


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
