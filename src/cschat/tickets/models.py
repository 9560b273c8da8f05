"""The `tickets` table (every status); `resolved_tickets` is a view over it (see migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cschat.core.db import Base, UTCDateTime, utcnow

STATUSES = ("new", "open", "in_progress", "pending", "escalated", "resolved", "closed")
RESOLVED_STATUSES = ("resolved", "closed")
# Stored times and query windows keep a year inside the calendar's range (years 1-9999): the
# local day, week and month around any of them then exist in every time zone.
FIRST_DAY = date(2, 1, 1)
LAST_DAY = date(9998, 12, 31)
FIRST_TIME = datetime.combine(FIRST_DAY, time.min, UTC)
LAST_TIME = datetime.combine(LAST_DAY, time.max, UTC)

# The columns a writer supplies, in the order of the row tuples that ingest, the HubSpot sync and
# the demo data pass to the bulk loaders; `id`, `ingested_at` and `updated_at` are set on write.
ROW_COLUMNS = (
    "source",
    "external_id",
    "subject",
    "description",
    "resolution",
    "category",
    "priority",
    "channel",
    "status",
    "agent",
    "team",
    "customer",
    "created_at",
    "first_response_at",
    "first_response_minutes",
    "resolved_at",
    "resolution_minutes",
    "csat",
    "language",
    "tags",
    "attributes",
)

# JSONB on PostgreSQL (indexable, compact); JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(_in_list("status", STATUSES), name="status"),
        CheckConstraint("csat IS NULL OR (csat >= 1 AND csat <= 5)", name="csat"),
        CheckConstraint(
            "resolution_minutes IS NULL OR resolution_minutes >= 0", name="resolution_minutes"
        ),
        CheckConstraint(
            "first_response_minutes IS NULL OR first_response_minutes >= 0",
            name="first_response_minutes",
        ),
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),
        Index("ix_tickets_updated_at", "updated_at"),
        Index("ix_tickets_external_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64), default="ingest")
    external_id: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(255))
    priority: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="new")
    agent: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(255))
    customer: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_minutes: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_minutes: Mapped[float | None] = mapped_column(Float)
    csat: Mapped[int | None] = mapped_column(SmallInteger)
    language: Mapped[str | None] = mapped_column(String(16))
    tags: Mapped[list[str] | None] = mapped_column(JsonType)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
