from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal
from cschat.core.config import Settings
from cschat.core.db import Database

SUPERVISOR = Principal(email="boss@example.com", role="Supervisor", user_id="s1")
AGENT = Principal(
    email="Lucia.Fernandez@demo.cschat.dev",
    role="Agent",
    user_id="a1",
    given_name="Lucía",
    family_name="Fernández",
)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.db)
    yield database
    await database.dispose()


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    async with db.sessionmaker() as s:
        yield s


async def documents(db: Database) -> list[str]:
    """PostgreSQL's search documents (migration y001), their vectors as text, in order."""
    query = text("SELECT document::text FROM ticket_search_documents ORDER BY 1")
    async with db.engine.connect() as conn:
        return list((await conn.execute(query)).scalars())
