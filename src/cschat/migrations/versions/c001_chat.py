"""Chat sessions and messages.

Revision ID: c001
Revises: i001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cschat.core.db import UTCDateTime

revision: str = "c001"
down_revision: str | None = "i001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("owner_email", sa.String(320), nullable=False),
        sa.Column("owner_id", sa.String(36)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_sessions"),
    )
    op.create_index(
        "ix_chat_sessions_owner_updated", "chat_sessions", ["owner_email", "updated_at"]
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(100), nullable=False),
        sa.Column("owner_email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("trace", sa.JSON()),
        sa.Column("provider", sa.String(40)),
        sa.Column("latency_ms", sa.Integer()),
        sa.Column("error", sa.String(100)),
        sa.Column("client_message_id", sa.String(100)),
        sa.Column("feedback", sa.String(10)),
        sa.Column("feedback_category", sa.String(50)),
        sa.Column("feedback_comment", sa.Text()),
        sa.Column("feedback_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["chat_sessions.id"],
            name="fk_chat_messages_session_id_chat_sessions",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("role IN ('user', 'assistant')", name="ck_chat_messages_role"),
        sa.CheckConstraint(
            "feedback IS NULL OR feedback IN ('up', 'down')", name="ck_chat_messages_feedback"
        ),
    )
    op.create_index("ix_chat_messages_session_id", "chat_messages", ["session_id", "id"])
    op.create_index(
        "uq_chat_messages_owner_client_message_id",
        "chat_messages",
        ["owner_email", "client_message_id", "role"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("chat_messages")
    op.drop_table("chat_sessions")
