"""Create, list, revoke and check API keys.

A key is `csk_<8 hex>_<43 random characters>`; the first 12 characters are its visible prefix.
Keys have 256 bits of entropy, so a plain SHA-256 is enough to store them (no slow hash needed),
and checking one is a single indexed read plus a constant-time comparison.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.apikeys import repository
from cschat.apikeys.models import SCOPES, ApiKey
from cschat.apikeys.repository import KeyReader
from cschat.audit import service as audit
from cschat.core.db import Database, utcnow
from cschat.core.errors import BadRequest, Conflict, NotFound, Unauthorized
from cschat.core.security import new_token, token_digest

KEY_MARK = "csk_"
PREFIX_LENGTH = len(KEY_MARK) + 8
# last_used_at is a hint, not a log: writing it on every request would make each call a write.
TOUCH_INTERVAL = timedelta(minutes=1)
NOT_A_KEY = "The X-API-Key header is not a valid API key."


def _check_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise BadRequest(f"scopes: give one or more of {', '.join(SCOPES)} (got {list(scopes)})")
    return sorted(set(scopes))


async def create_key(
    session: AsyncSession,
    *,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None,
    actor: str,
    request: Request | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret (returned once, never stored)."""
    checked = _check_scopes(scopes)
    name = name.strip()
    if not name or "\x00" in name:
        raise BadRequest("name: must not be blank or contain NUL characters")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise BadRequest("expires_at: give a time zone, e.g. 2027-01-31T00:00:00Z")
        try:
            expires_at = expires_at.astimezone(UTC)
        except OverflowError:
            raise BadRequest("expires_at: out of range once converted to UTC") from None
        if expires_at <= utcnow():
            raise BadRequest("expires_at: must be in the future")
    prefix = KEY_MARK + secrets.token_hex(4)
    secret = f"{prefix}_{new_token(32)}"
    key = await repository.add(
        session,
        ApiKey(
            name=name,
            prefix=prefix,
            key_hash=token_digest(secret),
            scopes=checked,
            created_by=actor,
            expires_at=expires_at,
        ),
    )
    await audit.record(
        session,
        actor=actor,
        action="api_key.create",
        target=prefix,
        details={"id": key.id, "name": key.name, "scopes": checked},
        request=request,
    )
    return key, secret


async def list_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return await repository.all_keys(session)


async def revoke_key(
    session: AsyncSession, *, key_id: int, actor: str, request: Request | None = None
) -> ApiKey:
    """Revoke a key at once; Conflict when it already is."""
    key = await repository.get(session, key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    if not await repository.revoke(session, key.id, utcnow()):
        raise Conflict(f"API key {key.prefix} is already revoked.")
    await session.refresh(key, ["revoked_at"])
    await audit.record(
        session,
        actor=actor,
        action="api_key.revoke",
        target=key.prefix,
        details={"id": key.id, "name": key.name},
        request=request,
    )
    return key


async def authenticate(
    reader: KeyReader, db: Database, presented: str
) -> tuple[int, str, list[str]]:
    """(id, prefix, scopes) of the live key matching `presented`; Unauthorized with the reason."""
    if not presented.startswith(KEY_MARK) or len(presented) < PREFIX_LENGTH + 2:
        raise Unauthorized(NOT_A_KEY)
    prefix = presented[:PREFIX_LENGTH]
    key = await reader.find(prefix)
    if key is None or not hmac.compare_digest(key.key_hash, token_digest(presented)):
        raise Unauthorized(NOT_A_KEY)
    now = utcnow()
    if key.revoked_at is not None:
        raise Unauthorized(f"This API key ({prefix}) was revoked.")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthorized(
            f"This API key ({prefix}) expired on {key.expires_at:%Y-%m-%d %H:%M} UTC."
        )
    if key.last_used_at is None or key.last_used_at < now - TOUCH_INTERVAL:
        async with db.transaction() as session:
            await repository.touch(session, key.id, now, now - TOUCH_INTERVAL)
    return key.id, prefix, key.scopes
