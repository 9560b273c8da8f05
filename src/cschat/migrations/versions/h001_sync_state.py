"""HubSpot sync: sync_state (cursor) and sync_runs (ledger).

Revision ID: h001
Revises: q001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cschat.core.db import UTCDateTime

revision: str = "h001"
down_revision: str | None = "q001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RUN_STATUSES = "'running', 'succeeded', 'failed', 'daily_limit', 'unauthorized', 'interrupted'"


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("cursor_ms", sa.BigInteger()),
        sa.Column("cursor_id", sa.String(64)),
        sa.Column("last_full_at", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_sync_state"),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("upserted", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_sync_runs"),
        sa.CheckConstraint(f"status IN ({RUN_STATUSES})", name="ck_sync_runs_status"),
    )
    op.create_index("ix_sync_runs_source_started_at", "sync_runs", ["source", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_sync_runs_source_started_at", table_name="sync_runs")
    op.drop_table("sync_runs")
    op.drop_table("sync_state")
