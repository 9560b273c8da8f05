"""Full-text search (SQLite FTS5 / PostgreSQL tsvector + GIN) and the analytics indexes.

Revision ID: q001
Revises: a001
Create Date: 2026-11-27
"""

# ruff: noqa: S608  (the SQL here is built from this file's constants only)
from collections.abc import Sequence

from alembic import op

revision: str = "q001"
down_revision: str | None = "a001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of cschat.core.sqlfunctions.FOLD_FROM/FOLD_TO (accent folding before tokenising).
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýÿ"
FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCcYyy"


def pg_document(row: str) -> str:
    """The tsvector of a ticket row (`row` is a table alias, NEW or a transition table)."""
    return (
        f"to_tsvector('simple'::regconfig, translate(coalesce({row}.subject, '') || ' ' || "
        f"coalesce({row}.description, '') || ' ' || coalesce({row}.resolution, ''), "
        f"'{FOLD_FROM}', '{FOLD_TO}'))"
    )


# PostgreSQL keeps the documents in a narrow side table: ranking reads stored vectors instead of
# re-tokenising every matching ticket (20x faster on 1M tickets, see bench/stats.py), and the
# ingest path needs no extra column. Statement-level triggers with transition tables keep it in
# sync cheaply under COPY and multi-row INSERT; text updates are few and row-level.
PG_UP = [
    "CREATE TABLE ticket_search (ticket_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document)",
    f"""CREATE FUNCTION ticket_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_search (ticket_id, document)
  SELECT n.id, {pg_document("n")} FROM new_rows n
  ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document;
  RETURN NULL;
END $$""",
    f"""CREATE FUNCTION ticket_search_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_search (ticket_id, document) VALUES (NEW.id, {pg_document("NEW")})
  ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION ticket_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ticket_search s USING old_rows o WHERE s.ticket_id = o.id;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION ticket_search_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE ticket_search;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER ticket_search_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_inserted()",
    "CREATE TRIGGER ticket_search_update AFTER UPDATE OF subject, description, resolution "
    "ON tickets FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR "
    "OLD.description IS DISTINCT FROM NEW.description OR "
    "OLD.resolution IS DISTINCT FROM NEW.resolution) "
    "EXECUTE FUNCTION ticket_search_updated()",
    "CREATE TRIGGER ticket_search_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_deleted()",
    "CREATE TRIGGER ticket_search_truncate AFTER TRUNCATE ON tickets "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticket_search_truncated()",
    f"INSERT INTO ticket_search (ticket_id, document) SELECT t.id, {pg_document('t')} "
    "FROM tickets t",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_search_truncate ON tickets",
    "DROP TRIGGER IF EXISTS ticket_search_delete ON tickets",
    "DROP TRIGGER IF EXISTS ticket_search_update ON tickets",
    "DROP TRIGGER IF EXISTS ticket_search_insert ON tickets",
    "DROP FUNCTION IF EXISTS ticket_search_truncated()",
    "DROP FUNCTION IF EXISTS ticket_search_deleted()",
    "DROP FUNCTION IF EXISTS ticket_search_updated()",
    "DROP FUNCTION IF EXISTS ticket_search_inserted()",
    "DROP TABLE IF EXISTS ticket_search",
]

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

# SQLite has no statement-level triggers, and a row trigger into FTS5 cut bulk loading threefold
# (measured: 23,800 -> 7,800 rows/s), while indexing in bulk runs at ~170,000 rows/s. So new rows
# are indexed in batches (`cschat.tickets.search.catch_up_sqlite`, run before a search and by
# bulk loaders), past a watermark kept in tickets_fts_state; row triggers handle only rows already
# indexed (updates, deletes, and an insert that reuses an id at or below the watermark).
INDEXED = "(SELECT last_id FROM tickets_fts_state)"
FTS_DELETE = (
    "INSERT INTO tickets_fts(tickets_fts, rowid, subject, description, resolution) "
    "VALUES ('delete', old.id, old.subject, old.description, old.resolution);"
)
FTS_INSERT = (
    "INSERT INTO tickets_fts(rowid, subject, description, resolution) "
    "VALUES (new.id, new.subject, new.description, new.resolution);"
)
SQLITE_UP = [
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, description, resolution, "
    "content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TABLE tickets_fts_state (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "last_id INTEGER NOT NULL)",
    "INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')",
    "INSERT INTO tickets_fts_state (id, last_id) "
    "VALUES (1, coalesce((SELECT max(id) FROM tickets), 0))",
    f"CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets WHEN new.id <= {INDEXED} "
    f"BEGIN {FTS_INSERT} END",
    f"CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets WHEN old.id <= {INDEXED} "
    f"BEGIN {FTS_DELETE} END",
    "CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, description, resolution "
    f"ON tickets WHEN old.id <= {INDEXED} BEGIN {FTS_DELETE} {FTS_INSERT} END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tickets_fts_update",
    "DROP TRIGGER IF EXISTS tickets_fts_delete",
    "DROP TRIGGER IF EXISTS tickets_fts_insert",
    "DROP TABLE IF EXISTS tickets_fts_state",
    "DROP TABLE IF EXISTS tickets_fts",
]


def upgrade() -> None:
    op.create_index("ix_tickets_updated_at", "tickets", ["updated_at"])
    # get_ticket looks tickets up by external id without knowing their source.
    op.create_index("ix_tickets_external_id", "tickets", ["external_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in (*PG_UP, *PG_COVERING):
            op.execute(statement)
        return
    for statement in SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_cover_created")
        op.execute("DROP INDEX IF EXISTS ix_tickets_cover_resolved")
        for statement in PG_DOWN:
            op.execute(statement)
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_tickets_external_id", table_name="tickets")
    op.drop_index("ix_tickets_updated_at", table_name="tickets")
