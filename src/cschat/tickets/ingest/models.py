"""`ingest_batches`: one row per ingest request (counts, caller, Idempotency-Key and its answer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cschat.core.db import Base, UTCDateTime, utcnow
from cschat.tickets.models import BigId, JsonType

BATCH_STATUSES = ("running", "completed", "rejected", "interrupted", "failed")


class IngestBatch(Base):
    __tablename__ = "ingest_batches"
    __table_args__ = (
        UniqueConstraint("caller_id", "idempotency_key"),
        Index("ix_ingest_batches_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    source: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    on_error: Mapped[str] = mapped_column(String(16))
    caller: Mapped[str] = mapped_column(String(255))
    caller_id: Mapped[str] = mapped_column(String(255))
    received: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
