"""Full-text search (SQLite FTS5 / PostgreSQL GIN) and the indexes the analytics tools read.

Revision ID: q001
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "q001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of cschat.core.sqlfunctions.FOLD_FROM/FOLD_TO and of the expression that
# cschat.tickets.search queries with: the GIN index is used only when the text is identical.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýÿ"
FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCcYyy"
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, translate(coalesce(subject, '') || ' ' || "
    "coalesce(description, '') || ' ' || coalesce(resolution, ''), "
    f"'{FOLD_FROM}', '{FOLD_TO}'))"
)

# Covering indexes: windowed analytics become index-only scans on PostgreSQL instead of visiting
# scattered heap pages (measured in bench/stats.py). SQLite has no INCLUDE; it keeps plain indexes.
COVERED = (
    "status, category, priority, channel, agent, team, "
    "resolution_minutes, first_response_minutes, csat"
)
PG_COVERING = [
    f"CREATE INDEX ix_tickets_cover_resolved ON tickets (resolved_at) INCLUDE ({COVERED})",
    f"CREATE INDEX ix_tickets_cover_created ON tickets (created_at) INCLUDE ({COVERED})",
]

SQLITE_UP = [
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, description, resolution, "
    "content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')",
    "CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN "
    "INSERT INTO tickets_fts(rowid, subject, description, resolution) "
    "VALUES (new.id, new.subject, new.description, new.resolution); END",
    "CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN "
    "INSERT INTO tickets_fts(tickets_fts, rowid, subject, description, resolution) "
    "VALUES ('delete', old.id, old.subject, old.description, old.resolution); END",
    "CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, resolution "
    "ON tickets BEGIN "
    "INSERT INTO tickets_fts(tickets_fts, rowid, subject, description, resolution) "
    "VALUES ('delete', old.id, old.subject, old.description, old.resolution); "
    "INSERT INTO tickets_fts(rowid, subject, description, resolution) "
    "VALUES (new.id, new.subject, new.description, new.resolution); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tickets_fts_update",
    "DROP TRIGGER IF EXISTS tickets_fts_delete",
    "DROP TRIGGER IF EXISTS tickets_fts_insert",
    "DROP TABLE IF EXISTS tickets_fts",
]


def upgrade() -> None:
    op.create_index("ix_tickets_updated_at", "tickets", ["updated_at"])
    # get_ticket looks tickets up by external id without knowing their source.
    op.create_index("ix_tickets_external_id", "tickets", ["external_id"])
    if op.get_bind().dialect.name == "postgresql":
        # An expression index stays in sync with the table by construction: no trigger, no
        # extra column for the ingest path to fill.
        op.execute(f"CREATE INDEX ix_tickets_search ON tickets USING gin ({PG_DOCUMENT})")
        for statement in PG_COVERING:
            op.execute(statement)
        return
    for statement in SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_cover_created")
        op.execute("DROP INDEX IF EXISTS ix_tickets_cover_resolved")
        op.execute("DROP INDEX IF EXISTS ix_tickets_search")
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_tickets_external_id", table_name="tickets")
    op.drop_index("ix_tickets_updated_at", table_name="tickets")
