"""PostgreSQL search: each distinct text is one document, shared by the tickets that hold it.

Revision ID: y001
Revises: x001
Create Date: 2026-11-27

Help desks repeat their texts: forms, notification e-mails, macros. On the benchmark's million
tickets, "cobro duplicado" matched 30,425 tickets but only 12 distinct texts, and ranking read
every match's vector from a 273 MB table (~135-220 ms). Now `ticket_search_documents` holds each
distinct text's vector once, keyed by the SHA-256 of the text, and `ticket_search` maps every
ticket to its document. A search ranks the matching documents, then takes the first tickets of
the best ones by id (`cschat.tickets.search`): the same order as before, in ~1 ms there.

The triggers stay statement-level for inserts and deletes; an insert computes vectors only for
texts not stored yet. A document that a ticket left (its text was edited, or it was deleted) is
queued in `ticket_search_stale`, not deleted by the trigger: a concurrent load of the same text
may be mapping a ticket to it. `ticket_search_prune()` deletes the queued documents no ticket
holds, under a lock that waits for every transaction that could map one (each of them first
inserts into `ticket_search_documents`); loads and syncs call it once they have committed
(`cschat.tickets.search.prune`). Until then such a document never appears in results.
"""

# ruff: noqa: S608  (the SQL here is built from this file's constants only)
from collections.abc import Sequence

from alembic import op

from cschat.migrations.versions import t001_search_fold as t001

revision: str = "y001"
down_revision: str | None = "x001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(row: str) -> str:
    return (
        f"coalesce({row}.subject, '') || ' ' || coalesce({row}.description, '') || ' ' || "
        f"coalesce({row}.resolution, '')"
    )


def _digest(row: str) -> str:
    return f"sha256(convert_to({_text(row)}, 'UTF8'))"


VECTOR = "to_tsvector('simple'::regconfig, cschat_search_fold(u.body))"
# The distinct texts of `rows` that have no document yet, with their digest.
NEW_TEXTS = (
    "SELECT DISTINCT ON (s.digest) s.digest, s.body "
    "FROM (SELECT {digest} AS digest, {text} AS body FROM {rows}) s "
    "WHERE NOT EXISTS (SELECT 1 FROM ticket_search_documents d WHERE d.digest = s.digest) "
    "ORDER BY s.digest"
)


def _add_documents(rows: str, alias: str) -> str:
    texts = NEW_TEXTS.format(digest=_digest(alias), text=_text(alias), rows=rows)
    return (
        f"INSERT INTO ticket_search_documents (digest, document) SELECT u.digest, {VECTOR} "
        f"FROM ({texts}) u ON CONFLICT (digest) DO NOTHING"
    )


def _map(rows: str, alias: str) -> str:
    # A second statement, so in READ COMMITTED it sees a document a concurrent load committed.
    return (
        f"INSERT INTO ticket_search (ticket_id, document_id) SELECT {alias}.id, d.id FROM {rows} "
        f"JOIN ticket_search_documents d ON d.digest = {_digest(alias)} "
        "ON CONFLICT (ticket_id) DO UPDATE SET document_id = EXCLUDED.document_id"
    )


FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION ticket_search_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {_add_documents("new_rows n", "n")};
  {_map("new_rows n", "n")};
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION ticket_search_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_search_stale SELECT document_id FROM ticket_search WHERE ticket_id = NEW.id;
  {_add_documents("(SELECT NEW.*) r", "r")};
  {_map("(SELECT NEW.*) r", "r")};
  RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION ticket_search_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH gone AS (DELETE FROM ticket_search s USING old_rows o WHERE s.ticket_id = o.id
                RETURNING s.document_id)
  INSERT INTO ticket_search_stale SELECT DISTINCT document_id FROM gone;
  RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION ticket_search_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE ticket_search, ticket_search_documents, ticket_search_stale;
  RETURN NULL;
END $$""",
    # Returns how many documents it deleted. The lock conflicts with the ROW EXCLUSIVE lock that
    # any transaction mapping a ticket holds from its insert into the documents until it ends.
    """CREATE OR REPLACE FUNCTION ticket_search_prune() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  deleted bigint;
BEGIN
  LOCK TABLE ticket_search_documents IN SHARE ROW EXCLUSIVE MODE;
  WITH stale AS (DELETE FROM ticket_search_stale RETURNING document_id),
  dropped AS (
    DELETE FROM ticket_search_documents d USING (SELECT DISTINCT document_id FROM stale) s
    WHERE d.id = s.document_id
      AND NOT EXISTS (SELECT 1 FROM ticket_search m WHERE m.document_id = d.id)
    RETURNING 1)
  SELECT count(*) INTO deleted FROM dropped;
  RETURN deleted;
END $$""",
]

UP = [
    "CREATE TABLE ticket_search_documents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "digest bytea NOT NULL, document tsvector NOT NULL)",
    _add_documents("tickets t", "t").removesuffix(" ON CONFLICT (digest) DO NOTHING"),
    "ALTER TABLE ticket_search_documents ADD CONSTRAINT uq_ticket_search_documents_digest "
    "UNIQUE (digest)",
    "CREATE INDEX ix_ticket_search_documents_document ON ticket_search_documents "
    "USING gin (document)",
    "DROP TABLE ticket_search",
    "CREATE TABLE ticket_search (ticket_id bigint NOT NULL, document_id bigint NOT NULL)",
    f"INSERT INTO ticket_search (ticket_id, document_id) SELECT t.id, d.id FROM tickets t "
    f"JOIN ticket_search_documents d ON d.digest = {_digest('t')}",
    "ALTER TABLE ticket_search ADD PRIMARY KEY (ticket_id)",
    "CREATE INDEX ix_ticket_search_document_ticket ON ticket_search (document_id, ticket_id)",
    "CREATE TABLE ticket_search_stale (document_id bigint NOT NULL)",
    *FUNCTIONS,
]


def _old_functions() -> list[str]:
    inserted, updated = t001._search_functions(t001._document("{row}"))
    return [
        inserted,
        updated,
        """CREATE OR REPLACE FUNCTION ticket_search_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ticket_search s USING old_rows o WHERE s.ticket_id = o.id;
  RETURN NULL;
END $$""",
        """CREATE OR REPLACE FUNCTION ticket_search_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE ticket_search;
  RETURN NULL;
END $$""",
    ]


DOWN = [
    "CREATE TABLE ticket_search_vectors (ticket_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "INSERT INTO ticket_search_vectors SELECT s.ticket_id, d.document FROM ticket_search s "
    "JOIN ticket_search_documents d ON d.id = s.document_id",
    "DROP TABLE ticket_search",
    "DROP TABLE ticket_search_documents",
    "DROP TABLE IF EXISTS ticket_search_stale",
    "DROP FUNCTION IF EXISTS ticket_search_prune()",
    "ALTER TABLE ticket_search_vectors RENAME TO ticket_search",
    "ALTER INDEX ticket_search_vectors_pkey RENAME TO ticket_search_pkey",
    "CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in (*DOWN, *_old_functions()):
        op.execute(statement)
