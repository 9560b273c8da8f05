"""SQL for users and the allowlist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from cschat.users.models import AllowlistEntry, User

# The per-request identity check: only these columns, through the unique index on email, built
# once so each request skips statement construction and cache-key generation.
_IDENTITY_QUERY = select(
    User.id,
    User.email,
    User.role,
    User.status,
    User.given_name,
    User.family_name,
    User.cognito_sub,
).where(User.email == bindparam("email"))


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def get_by_id(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def identity_row(conn: AsyncConnection, email: str) -> Row[Any] | None:
    """The columns a request's identity needs, in one indexed lookup."""
    result = await conn.execute(_IDENTITY_QUERY, {"email": email})
    return cast("Row[Any] | None", result.first())


async def list_users(session: AsyncSession) -> Sequence[User]:
    return (await session.scalars(select(User).order_by(User.email))).all()


async def add(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user


async def allowlist_size(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AllowlistEntry)) or 0)


async def allowlist_matches(session: AsyncSession, candidates: Sequence[str]) -> bool:
    found = await session.scalar(
        select(AllowlistEntry.id).where(AllowlistEntry.entry.in_(candidates)).limit(1)
    )
    return found is not None
