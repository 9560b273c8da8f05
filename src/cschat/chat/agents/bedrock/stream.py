"""Reading an InvokeAgent event stream on a worker thread, handing events to the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from typing import Any

from cschat.chat.agents.bedrock.errors import UPSTREAM_FAILURES, MalformedStream

_END = object()


class _Failure:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


async def invoke_stream(
    executor: Executor, call: Callable[[], dict[str, Any]]
) -> AsyncIterator[dict[str, Any]]:
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
