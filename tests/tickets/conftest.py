from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal, supervisor_user
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


def query_sign_in(app: FastAPI, principal: Principal) -> None:
    """Route the cookie branch of `key_or_supervisor("query")` to `principal`.

    STOPGAP like tests/support/auth.py: `key_or_supervisor` calls `current_user` directly, so the
    stopgap's override of `current_user` does not reach it. The real role check still runs. Drop
    this once the identity issue's real sign-in lands (supervisor_client then suffices).
    """
    from cschat.tickets.endpoints import QUERY_CALLER

    async def cookie_caller() -> Principal:
        return await supervisor_user(principal)

    app.dependency_overrides[QUERY_CALLER.dependency] = cookie_caller  # type: ignore[attr-defined]


@pytest.fixture
async def query_client(app: FastAPI, supervisor_client: AsyncIterator[object]) -> object:
    """`supervisor_client`, also accepted by the /data/query endpoints."""
    query_sign_in(app, SUPERVISOR)
    return supervisor_client
