"""Reading an InvokeAgent event stream on a worker thread, handing events to the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import Executor
from typing import Any

from cschat.chat.agents.bedrock.errors import UPSTREAM_FAILURES, MalformedStream

_END = object()


class _WholeFrames:
    """An event-stream body that raises MalformedStream if it ends inside a frame.

    botocore's EventStream stops at EOF and drops a partial last frame without a word, so an answer
    cut short (with the HTTP body itself ended cleanly) would read as complete.
    """

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[bytes]:
        head = b""  # the current frame's first bytes, until its 4-byte total length is known
        left = 0  # the current frame's bytes still to come
        for data in self._raw.stream(*args, **kwargs):
            at = 0
            while at < len(data):
                if left:
                    step = min(left, len(data) - at)
                    left -= step
                    at += step
                    continue
                part = data[at : at + 4 - len(head)]
                head += part
                at += len(part)
                if len(head) == 4:
                    left = max(int.from_bytes(head, "big") - 4, 0)
                    head = b""
            yield data
        if head or left:
            raise MalformedStream(
                "Bedrock sent an answer that is not a valid InvokeAgent event stream "
                "(it ended inside an event)."
            )

    def close(self) -> None:
        self._raw.close()


def check_whole_frames(*, operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    """botocore `before-parse` hook: a successful event-stream body must end on a frame boundary."""
    if operation_model.has_event_stream_output and response_dict["status_code"] < 300:
        response_dict["body"] = _WholeFrames(response_dict["body"])


class _Failure:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


async def invoke_stream(
    executor: Executor, call: Callable[[], dict[str, Any]]
) -> AsyncGenerator[dict[str, Any], None]:
    """Events of `call()`'s `completion` stream; the call and every read run on `executor`.

    One thread serves the whole stream, so a slow agent never blocks the loop, and a consumer that
    stops early makes the thread close the stream at its next event.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stopped = threading.Event()

    def put(item: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop closed under a stream nobody reads any more
            stopped.set()

    def pump() -> None:
        try:
            completion = call()["completion"]
            try:
                for item in completion:
                    if stopped.is_set():
                        break
                    put(item)
            except UPSTREAM_FAILURES:
                raise
            except Exception as exc:
                # botocore's decoder and parser raise assorted errors (CRC, lengths, shapes,
                # base64) on bytes that are not a valid event stream.
                raise MalformedStream(
                    "Bedrock sent an answer that is not a valid InvokeAgent event stream "
                    f"({type(exc).__name__})."
                ) from exc
            finally:
                completion.close()
            put(_END)
        except BaseException as exc:  # handed to the consumer, which maps it
            put(_Failure(exc))

    future = loop.run_in_executor(executor, pump)
    try:
        while True:
            item = await queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stopped.set()
        if future.done():
            future.result()
