"""Chat sessions and their messages (question, answer, trace, feedback)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cschat.core.db import Base, UTCDateTime, utcnow

MESSAGE_ROLES = ("user", "assistant")
RATINGS = ("up", "down")


class ChatSession(Base):
    """One conversation of one user; `id` is a valid Bedrock session id."""

    __tablename__ = "chat_sessions"
    __table_args__ = (Index("ix_chat_sessions_owner_updated", "owner_email", "updated_at"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner_email: Mapped[str] = mapped_column(String(320))
    owner_id: Mapped[str | None] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChatMessage(Base):
    """One message: a user's question or the agent's answer with its trace and outcome."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant')", name="role"),
        CheckConstraint("feedback IS NULL OR feedback IN ('up', 'down')", name="feedback"),
        Index("ix_chat_messages_session_id", "session_id", "id"),
        # One answer per client message id and user: a repeated send finds the stored one.
        Index(
            "uq_chat_messages_owner_client_message_id",
            "owner_email",
            "client_message_id",
            "role",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("chat_sessions.id", ondelete="CASCADE")
    )
    owner_email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    trace: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    provider: Mapped[str | None] = mapped_column(String(40))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(100))
    client_message_id: Mapped[str | None] = mapped_column(String(100))
    feedback: Mapped[str | None] = mapped_column(String(10))
    feedback_category: Mapped[str | None] = mapped_column(String(50))
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
