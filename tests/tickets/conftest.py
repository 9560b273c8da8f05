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


async def unheld_documents(db: Database) -> int:
    """How many of PostgreSQL's search documents no ticket holds (0 on SQLite, which has none)."""
    if db.dialect != "postgresql":
        return 0
    query = text(
        "SELECT count(*) FROM ticket_search_documents d "
        "WHERE NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.document_id = d.id)"
    )
    async with db.engine.connect() as conn:
        return int(await conn.scalar(query) or 0)
