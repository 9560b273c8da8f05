"""Ingest tests: an ingest API key and small batches, so batch boundaries are exercised."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cschat.core.config import Settings

INGEST_KEY = "ingest-test-key-0123456789"
KEY = {"X-API-Key": INGEST_KEY}
BATCH_ROWS = 40


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(INGEST_API_KEY=INGEST_KEY, INGEST_BATCH_ROWS=BATCH_ROWS)
