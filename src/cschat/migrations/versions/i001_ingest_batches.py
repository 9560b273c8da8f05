"""Ingest batches: counts per ingest request, Idempotency-Key and the stored answer.

Revision ID: i001
Revises: u001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from cschat.core.db import UTCDateTime

revision: str = "i001"
down_revision: str | None = "u001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JsonType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ingest_batches",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("on_error", sa.String(16), nullable=False),
        sa.Column("caller", sa.String(255), nullable=False),
        sa.Column("caller_id", sa.String(255), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("request_hash", sa.String(64)),
        sa.Column("response_status", sa.Integer()),
        sa.Column("response", JsonType),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_batches"),
        sa.UniqueConstraint(
            "caller_id", "idempotency_key", name="uq_ingest_batches_caller_id_idempotency_key"
        ),
    )
    op.create_index("ix_ingest_batches_started_at", "ingest_batches", ["started_at"])


def downgrade() -> None:
    op.drop_table("ingest_batches")
