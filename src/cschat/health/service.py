"""Checks behind /ready and /api/database/health."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cschat.core.db import Database
from cschat.core.migrate import current_revision, head_revision

CHECK_TIMEOUT_SECONDS = 5.0


async def database_reachable(db: Database) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True


async def readiness(db: Database) -> dict[str, Any]:
    head = head_revision()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            current = await current_revision(db.engine)
    except (SQLAlchemyError, OSError, TimeoutError):
        return {"ready": False, "database": "unreachable", "revision": None, "head": head}
    return {
        "ready": current == head,
        "database": "ok",
        "revision": current,
        "head": head,
    }
