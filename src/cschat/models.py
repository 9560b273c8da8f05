"""Imports every table module so `Base.metadata` is complete (Alembic, tests)."""

from __future__ import annotations


def import_all_models() -> None:
    import cschat.apikeys.models
    import cschat.audit.models
    import cschat.auth.models
    import cschat.invitations.models
    import cschat.tickets.models
    import cschat.users.models  # noqa: F401
