"""Imports every table module so `Base.metadata` is complete (Alembic, tests)."""

from __future__ import annotations


def import_all_models() -> None:
    import cschat.apikeys.models
    import cschat.audit.models
    import cschat.auth.models
    import cschat.chat.models
    import cschat.integrations.hubspot.models
    import cschat.invitations.models
    import cschat.tickets.ingest.models
    import cschat.tickets.models
    import cschat.users.models  # noqa: F401


# Engine-specific objects the migrations create outside the ORM metadata (SQLite FTS5 table and its
# shadow tables; PostgreSQL search table, covering and bucket indexes, daily totals and histograms):
# autogenerate and the schema test must ignore them.
UNMANAGED_PREFIXES = (
    "tickets_fts",
    "ticket_search",
    "ix_tickets_cover_",
    "ix_tickets_res_bucket",
    "ix_tickets_res_order",
    "ix_ticket_daily_hist_",
    "ticket_daily",  # and ticket_daily_hist
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic `include_name` hook: skip the search objects managed by raw SQL."""
    return not (name or "").startswith(UNMANAGED_PREFIXES)
