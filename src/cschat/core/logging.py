"""structlog set-up and the request-id / access-log middleware.

Access logs carry request id, method, path, status and latency only: never headers, cookies, query
strings (they may hold tokens) or bodies. Third-party loggers that print credentials are held at
WARNING (`quiet_third_party_loggers`), and uvicorn logs an exception as its type only.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any, TextIO, cast

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cschat.core.metrics import observe_request

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = structlog.get_logger("cschat.access")

# At DEBUG these print signed request headers (SigV4 `Authorization`, `X-Amz-Security-Token`),
# request and response bodies (secret values, users' questions, answers) and, for httpx, URLs and
# response headers. They stay at WARNING whatever LOG_LEVEL says and whatever level a host (the
# Lambda runtime, `uvicorn --log-config`, `logging.basicConfig`) gives the root logger.
QUIET_LOGGERS = ("boto3", "botocore", "s3transfer", "urllib3", "httpx", "httpcore")


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the time, so redirection (and capture) works."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def quiet_third_party_loggers() -> None:
    """Hold the loggers that print credentials at DEBUG (`QUIET_LOGGERS`) at WARNING."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class _ExceptionTypeOnly(logging.Filter):
    """Drops a record's traceback and exception message, keeping the exception's type.

    Starlette re-raises every unhandled error after our handler has answered and logged its type,
    and uvicorn then logs it with the traceback, whose message can hold a connection string or SQL.
    A failed start-up or shut-down reaches uvicorn as a traceback in text (Starlette's
    `format_exc`). asyncio's "Task exception was never retrieved" names the task, with its
    exception's message, on the lines after the first: only the first line is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            name = type(record.exc_info[1]).__name__
            first = record.getMessage().strip().split("\n", 1)[0]
            record.msg, record.args = f"{first} ({name})", None
            record.exc_info = record.exc_text = record.stack_info = None
        elif isinstance(record.msg, str) and _TRACEBACK in record.msg:
            last = record.getMessage().rstrip().rsplit("\n", 1)[-1]
            name = last.split(":", 1)[0].strip().rsplit(".", 1)[-1]
            record.msg, record.args = f"Application start-up or shut-down failed ({name})", None
        return True


_TRACEBACK = "Traceback (most recent call last):"
_EXCEPTION_TYPE_ONLY = _ExceptionTypeOnly()

# C0 and C1 controls but tab and line feed (the console renderer quotes values holding those).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape_controls(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Escapes control characters in readable lines: a request path may carry ESC or NUL, which
    would drive the reader's terminal or make `grep` call the log binary (JSON escapes them)."""
    for key, value in event.items():
        if isinstance(value, str) and _CONTROL.search(value):
            event[key] = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return event


def configure_logging(*, json: bool, level: str = "INFO") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *(() if json else (_escape_controls,)),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(cast(TextIO, _CurrentStderr())),
        cache_logger_on_first_use=False,
    )
    # Uvicorn's own access log would repeat ours, with the query string.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn.error", "asyncio"):
        logging.getLogger(name).addFilter(_EXCEPTION_TYPE_ONLY)  # added once
    quiet_third_party_loggers()


class RequestContextMiddleware:
    """Takes `X-Request-ID` (or makes one), echoes it, and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                candidate = value.decode("latin-1")
                if _VALID_REQUEST_ID.match(candidate):
                    request_id = candidate
                break
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            observe_request(scope["method"], template, status, elapsed)
            # A path that carries a secret (an invitation token) is logged as its template.
            path = template if "{token}" in template else scope["path"]
            access_log.info(
                "request",
                method=scope["method"],
                path=path,
                status=status,
                latency_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
