"""Standard-library logging routed to a stream at DEBUG, as a host may set it up."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from cschat.core.logging import QUIET_LOGGERS

# Loggers a fresh process has left at NOTSET; earlier tests may have changed their levels.
_THIRD_PARTY = QUIET_LOGGERS


@contextmanager
def routed_at_debug() -> Iterator[io.StringIO]:
    """Root at DEBUG with a handler, as the Lambda runtime (`AWS_LAMBDA_LOG_LEVEL=DEBUG`), a
    `uvicorn --log-config` or `logging.basicConfig(level=DEBUG)` leave it; yields what is logged."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in _THIRD_PARTY}
    for name in _THIRD_PARTY:
        logging.getLogger(name).setLevel(logging.NOTSET)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
