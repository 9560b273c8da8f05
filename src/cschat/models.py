"""Imports every table module so `Base.metadata` is complete (Alembic, tests)."""

from __future__ import annotations


def import_all_models() -> None:
    import cschat.tickets.ingest.models
    import cschat.tickets.models  # noqa: F401
