"""`GET /api/database/health` keeps the seed's `{success, message}` when the database is down."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.support.tokens import local_token

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


@asynccontextmanager
async def down_app(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its database unreachable, and a client for it."""
    app = create_app(make_settings(DATABASE_URL=UNREACHABLE))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield app, client


async def test_database_down_answers_in_the_seed_shape(
    make_settings: Callable[..., Settings],
) -> None:
    async with down_app(make_settings) as (app, client):
        # A well-signed session cookie: the account cannot be read, the database is down.
        client.cookies.set("id_token", local_token(app, "someone@example.com"))
        response = await client.get("/api/database/health")
    assert response.status_code == 503
    # The seed's fields, which a front end written for it shows, and the error shape's.
    assert response.json() == {
        "success": False,
        "message": "Base de datos no disponible",
        "error": "ServiceUnavailable",
        "detail": "The database is unavailable: try again shortly.",
    }


async def test_database_down_still_needs_a_valid_session(
    make_settings: Callable[..., Settings],
) -> None:
    async with down_app(make_settings) as (_, client):
        anonymous = await client.get("/api/database/health")
        client.cookies.set("id_token", "not-a-token")
        forged = await client.get("/api/database/health")
    assert anonymous.status_code == 401
    assert forged.status_code == 401
    assert "message" not in anonymous.json() and "message" not in forged.json()
