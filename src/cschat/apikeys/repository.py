"""SQL for API keys: found by their unique prefix, so a lookup is one indexed read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from cschat.apikeys.models import ApiKey
from cschat.core.db import MAX_INTEGER
from cschat.users.repository import direct_reader


async def add(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


async def get(session: AsyncSession, key_id: int) -> ApiKey | None:
    if not 0 < key_id <= MAX_INTEGER:
        return None
    return await session.get(ApiKey, key_id)


async def revoke(session: AsyncSession, key_id: int, now: datetime) -> bool:
    """Revoke a live key; False when it already was, also by a transaction committed meanwhile.

    A conditional UPDATE: a concurrent revoke waits on the row (PostgreSQL) or the write lock
    (SQLite), then matches nothing, so only one of two callers sees True.
    """
    result = await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def all_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc()))).all()


async def touch(session: AsyncSession, key_id: int, now: datetime, older_than: datetime) -> None:
    """Set last_used_at, unless another request already did so recently."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < older_than),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


# The per-request key check: these columns through the unique index on prefix.
_KEY_QUERY = select(
    ApiKey.id,
    ApiKey.key_hash,
    ApiKey.scopes,
    ApiKey.expires_at,
    ApiKey.revoked_at,
    ApiKey.last_used_at,
).where(ApiKey.prefix == bindparam("key"))


@dataclass(frozen=True)
class KeyRow:
    id: int
    key_hash: str
    scopes: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def _when(value: Any) -> datetime | None:
    # Raw driver values: SQLite gives naive UTC text, PostgreSQL aware datetimes.
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


class KeyReader:
    """Looks keys up on a dedicated autocommit connection, like the per-request identity check:
    one indexed read, no pooled session, and always the latest committed revocation."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._reader = direct_reader(engine, _KEY_QUERY)

    async def find(self, prefix: str) -> KeyRow | None:
        row = await self._reader.row(prefix)
        if row is None:
            return None
        key_id, key_hash, scopes, expires_at, revoked_at, last_used_at = row
        return KeyRow(
            id=int(key_id),
            key_hash=str(key_hash),
            scopes=list(json.loads(scopes) if isinstance(scopes, str) else scopes),
            expires_at=_when(expires_at),
            revoked_at=_when(revoked_at),
            last_used_at=_when(last_used_at),
        )

    async def close(self) -> None:
        await self._reader.close()
