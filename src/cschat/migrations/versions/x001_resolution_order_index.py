"""An index listing each resolution bucket's tickets by resolution time.

Revision ID: x001
Revises: w001
Create Date: 2026-11-27

A percentile's rank lookup reads one bucket's tickets in the window and sorts them
(`ix_tickets_res_bucket`, by resolved time). Over all time the median bucket of a million
tickets holds ~50,000 of them: ~15 ms to read and sort, twice per answer. In this index they are
in resolution order, so the value at an offset is read off the first `offset` entries, with no
sort. The planner chooses between the two per lookup (`cschat.tickets.histogram._whole`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "x001"
down_revision: str | None = "w001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_tickets_res_order"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {INDEX} ON tickets "
            "(cschat_res_bucket(resolution_minutes), resolution_minutes) "
            "INCLUDE (resolved_at, status) "
            "WHERE resolution_minutes IS NOT NULL AND resolved_at IS NOT NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
