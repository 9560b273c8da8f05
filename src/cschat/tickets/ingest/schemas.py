"""Shapes of the ingest reply and of the "last ingest" summary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

OnError = Literal["skip", "reject_all"]


class RowErrorRead(BaseModel):
    row: int
    field: str | None
    message: str


class IngestRead(BaseModel):
    """The answer to one ingest request."""

    success: bool
    received: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowErrorRead]
    batch_id: int | None = None


class LastIngest(BaseModel):
    """The most recent finished ingest request."""

    finished_at: datetime | None
    status: str
    source: str
    format: str
    caller: str
    received: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
