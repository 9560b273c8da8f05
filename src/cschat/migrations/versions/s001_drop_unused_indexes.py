"""Drop the single-column indexes on status, category, agent and team.

Revision ID: s001
Revises: r001
Create Date: 2026-11-27

No tool can use them: filters compare accent- and case-folded values (`fold_sql`), an Agent's
scope compares lower(agent), and status filters keep most rows. Every ingest paid for them
(on SQLite about 5-10 us per row each, measured with bench/ingest.py's rows). The local agent's
vocabulary now reads distinct values from the daily totals on PostgreSQL.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "s001"
down_revision: str | None = "r001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("status", "category", "agent", "team")


def upgrade() -> None:
    for name in COLUMNS:
        op.drop_index(f"ix_tickets_{name}", table_name="tickets")


def downgrade() -> None:
    for name in COLUMNS:
        op.create_index(f"ix_tickets_{name}", "tickets", [name])
