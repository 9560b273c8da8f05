"""SQL for refresh tokens and authorization codes (both stored as SHA-256 digests)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.models import AuthorizationCode, RefreshToken


async def add_refresh_token(
    session: AsyncSession, *, token_hash: str, family_id: str, user_id: str, expires_at: datetime
) -> None:
    session.add(
        RefreshToken(
            token_hash=token_hash, family_id=family_id, user_id=user_id, expires_at=expires_at
        )
    )
    await session.flush()


async def get_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


async def mark_refresh_token_used(session: AsyncSession, token_id: int, now: datetime) -> bool:
    """Claim a token for rotation; False when another request used or revoked it first."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == token_id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def revoke_user_tokens(session: AsyncSession, user_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def add_code(
    session: AsyncSession, *, code_hash: str, user_id: str, redirect_uri: str, expires_at: datetime
) -> None:
    session.add(
        AuthorizationCode(
            code_hash=code_hash, user_id=user_id, redirect_uri=redirect_uri, expires_at=expires_at
        )
    )
    await session.flush()


async def consume_code(
    session: AsyncSession, code_hash: str, now: datetime
) -> AuthorizationCode | None:
    """Use a code once: None when unknown, expired or already used."""
    result = await session.execute(
        update(AuthorizationCode)
        .where(
            AuthorizationCode.code_hash == code_hash,
            AuthorizationCode.used_at.is_(None),
            AuthorizationCode.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return await session.get(AuthorizationCode, code_hash)
