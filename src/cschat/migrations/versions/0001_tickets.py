"""Tickets table and the resolved_tickets view.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from cschat.core.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'new', 'open', 'in_progress', 'pending', 'escalated', 'resolved', 'closed'"
JsonType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("subject", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("resolution", sa.Text()),
        sa.Column("category", sa.String(255)),
        sa.Column("priority", sa.String(64)),
        sa.Column("channel", sa.String(64)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("agent", sa.String(255)),
        sa.Column("team", sa.String(255)),
        sa.Column("customer", sa.String(255)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("first_response_at", UTCDateTime()),
        sa.Column("first_response_minutes", sa.Float()),
        sa.Column("resolved_at", UTCDateTime()),
        sa.Column("resolution_minutes", sa.Float()),
        sa.Column("csat", sa.SmallInteger()),
        sa.Column("language", sa.String(16)),
        sa.Column("tags", JsonType),
        sa.Column("attributes", JsonType),
        sa.Column("ingested_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("source", "external_id", name="uq_tickets_source_external_id"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_tickets_status"),
        sa.CheckConstraint("csat IS NULL OR (csat >= 1 AND csat <= 5)", name="ck_tickets_csat"),
        sa.CheckConstraint(
            "resolution_minutes IS NULL OR resolution_minutes >= 0",
            name="ck_tickets_resolution_minutes",
        ),
        sa.CheckConstraint(
            "first_response_minutes IS NULL OR first_response_minutes >= 0",
            name="ck_tickets_first_response_minutes",
        ),
    )
    for column in ("created_at", "resolved_at", "status", "category", "agent", "team"):
        op.create_index(f"ix_tickets_{column}", "tickets", [column])
    op.execute(
        "CREATE VIEW resolved_tickets AS "
        "SELECT * FROM tickets WHERE status IN ('resolved', 'closed')"
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS resolved_tickets")
    op.drop_table("tickets")
