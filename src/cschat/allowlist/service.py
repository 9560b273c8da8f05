"""Rules of the allowlist: entries are a lower-cased email or `@domain`, each listed once."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit import service as audit
from cschat.core.errors import BadRequest, Conflict, NotFound
from cschat.users import repository
from cschat.users.models import AllowlistEntry
from cschat.users.service import valid_email

_DOMAIN = re.compile(r"^@(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_entry(entry: str) -> str:
    """The canonical form of an entry; BadRequest when it is neither an email nor `@domain`."""
    cleaned = entry.strip().lower()
    if cleaned.startswith("@"):
        if not _DOMAIN.match(cleaned):
            raise BadRequest(f"entry: {entry!r} is not a domain such as @example.com")
        return cleaned
    try:
        return valid_email(cleaned)
    except BadRequest:
        raise BadRequest(
            f"entry: {entry!r} is neither an email (name@example.com) nor a domain (@example.com)"
        ) from None


async def list_entries(session: AsyncSession) -> Sequence[AllowlistEntry]:
    return await repository.allowlist_entries(session)


async def add_entry(
    session: AsyncSession, *, entry: str, actor: str, request: Request | None = None
) -> AllowlistEntry:
    """Add an entry; Conflict when it is already listed."""
    normalized = normalize_entry(entry)
    if await repository.get_allowlist_entry(session, normalized) is not None:
        raise Conflict(f"{normalized} is already on the allowlist.")
    added = await repository.add_allowlist_entry(
        session, AllowlistEntry(entry=normalized, created_by=actor)
    )
    await audit.record(
        session, actor=actor, action="allowlist.add", target=normalized, request=request
    )
    return added


async def remove_entry(
    session: AsyncSession, *, entry: str, actor: str, request: Request | None = None
) -> str:
    """Remove an entry; NotFound when it is not listed."""
    normalized = normalize_entry(entry)
    # Found and deleted in one statement, so of two simultaneous removals only one is audited.
    if not await repository.delete_allowlist_entry(session, normalized):
        raise NotFound(f"{normalized} is not on the allowlist.")
    await audit.record(
        session, actor=actor, action="allowlist.remove", target=normalized, request=request
    )
    return normalized
