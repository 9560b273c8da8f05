"""Signed-in test clients: a real account, a real `POST /auth/login`, cookies kept on the client."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from cschat.auth.dependencies import Role
from cschat.users import repository as users_repository
from cschat.users import service as users_service

TEST_PASSWORD = "correct horse battery staple"
FRONTEND_ORIGIN = "http://localhost:3000"


async def create_user(
    app: FastAPI,
    *,
    email: str,
    role: Role = "Agent",
    status: str = "active",
    password: str | None = TEST_PASSWORD,
    given_name: str | None = None,
    family_name: str | None = None,
) -> None:
    """An account in the app's database, committed (replaced if the email exists)."""
    async with app.state.db.transaction() as session:
        existing = await users_repository.get_by_email(session, email.lower())
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        await users_service.create_user(
            session,
            email=email,
            role=role,
            password=password,
            status=status,
            given_name=given_name,
            family_name=family_name,
        )


async def sign_in(app: FastAPI, client: httpx.AsyncClient, *, email: str, role: Role) -> None:
    """Create an active user with this role and sign `client` in as them."""
    await create_user(app, email=email, role=role)
    response = await client.post("/auth/login", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
