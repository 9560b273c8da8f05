"""`record(...)`: the one way every domain writes to the audit log.

Call it with the request's session so the event commits (or rolls back) with the change it
describes; `record_failure` is for events that must survive a failed request (a refused
sign-in). Action names are dotted lower case: `auth.login`, `user.role_change`, `ingest.batch`,
`query.sql`, `hubspot.sync`, ...
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit import repository
from cschat.audit.models import AuditEvent
from cschat.audit.repository import AuditFilter
from cschat.core.errors import BadRequest

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SYSTEM_ACTOR = "system"


def _text(value: str) -> str:
    # Actor and target may echo what a client sent (a refused sign-in's email), and PostgreSQL
    # cannot store NUL: the event is kept with the character replaced.
    return value.replace("\x00", "\ufffd")[:320]


def _event(
    *,
    actor: str,
    action: str,
    target: str | None,
    details: dict[str, Any] | None,
    request: Request | None,
) -> AuditEvent:
    if not _ACTION.match(action):
        raise ValueError(f"audit action {action!r} is not a dotted lower-case name")
    ip = request.client.host if request is not None and request.client else None
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    return AuditEvent(
        actor=_text(actor),
        action=action,
        target=_text(target) if target else None,
        details=details or {},
        ip=ip,
        request_id=request_id,
    )


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    request: Request | None = None,
) -> None:
    """Append one event in `session` (committed with the caller's change). Never put secrets in
    `details`."""
    await repository.add(
        session,
        _event(actor=actor, action=action, target=target, details=details, request=request),
    )


async def record_failure(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    request: Request | None = None,
) -> None:
    """For a request about to fail: roll back its work, then append and commit the event alone.

    A second transaction would deadlock on SQLite behind the request's own write lock, and the
    request's transaction is about to be rolled back anyway, so the event is committed in it.
    """
    await session.rollback()
    await record(
        session, actor=actor, action=action, target=target, details=details, request=request
    )
    await session.commit()


def check_window(f: AuditFilter) -> AuditFilter:
    """BadRequest when a text filter holds NUL, a bound has no time zone or does not fit in UTC,
    or `since` is not before `until`."""
    for name, text in (("action", f.action), ("actor", f.actor), ("target", f.target)):
        if text is not None and "\x00" in text:
            raise BadRequest(f"{name}: must not contain NUL characters")
    for name, value in (("since", f.since), ("until", f.until)):
        if value is None:
            continue
        if value.tzinfo is None:
            raise BadRequest(f"{name}: give a time zone, e.g. 2026-01-31T00:00:00Z")
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise BadRequest(f"{name}: out of range once converted to UTC") from None
    if f.since is not None and f.until is not None and f.since >= f.until:
        raise BadRequest("since: must be before until")
    return f


async def list_events(
    session: AsyncSession, f: AuditFilter, *, limit: int, offset: int
) -> tuple[Sequence[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    return await repository.page(session, check_window(f), limit=limit, offset=offset)


def stream_events(session: AsyncSession, f: AuditFilter) -> AsyncIterator[AuditEvent]:
    """Every matching event, oldest first (for CSV export)."""
    return repository.stream(session, check_window(f))
