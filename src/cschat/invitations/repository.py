"""SQL for invitations; acceptance is a conditional UPDATE so only one request can win."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.db import MAX_INTEGER
from cschat.invitations.models import Invitation


async def add(session: AsyncSession, invitation: Invitation) -> Invitation:
    session.add(invitation)
    await session.flush()
    return invitation


async def get(session: AsyncSession, invitation_id: int) -> Invitation | None:
    if not 0 < invitation_id <= MAX_INTEGER:
        return None
    return await session.get(Invitation, invitation_id)


async def by_token_hash(session: AsyncSession, token_hash: str) -> Invitation | None:
    return await session.scalar(select(Invitation).where(Invitation.token_hash == token_hash))


async def page(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[Sequence[Invitation], int]:
    total = await session.scalar(select(func.count()).select_from(Invitation))
    rows = await session.scalars(
        select(Invitation)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def revoke_open_for_user(session: AsyncSession, user_id: str, now: datetime) -> None:
    """Revoke every unaccepted invitation of a user (a new one replaces them)."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def claim(session: AsyncSession, invitation_id: int, now: datetime) -> bool:
    """Mark accepted if still open; False when another request accepted (or it was revoked) first.

    On PostgreSQL a concurrent claim waits on the row lock and then re-checks the WHERE clause
    against the committed row, so exactly one of two simultaneous accepts updates a row.
    """
    result = await session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
