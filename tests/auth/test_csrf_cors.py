"""CSRF on cookie-authenticated unsafe requests, and CORS with credentials (DESIGN §5)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.conftest import make_client
from tests.support.auth import TEST_PASSWORD, create_user

EMAIL = "ana@example.com"


@asynccontextmanager
async def _signed_in(app: FastAPI, origin: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app, origin=origin) as client:
        await create_user(app, email=EMAIL)
        login = await client.post("/auth/login", json={"email": EMAIL, "password": TEST_PASSWORD})
        assert login.status_code == 200
        yield client


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({}, 403),
        ({"Referer": "https://evil.example/page"}, 403),
        ({"Origin": "http://localhost:3000"}, 200),
        ({"Origin": "http://testserver"}, 200),
        ({"Referer": "http://localhost:3000/dashboard"}, 200),
        ({"X-API-Key": "anything"}, 200),
    ],
)
async def test_cookie_authenticated_post_needs_an_allowed_origin(
    app: FastAPI, headers: dict[str, str], status: int
) -> None:
    async with _signed_in(app, origin=None) as client:
        response = await client.post("/auth/logout", headers=headers)
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"] == "Forbidden"
        assert "Origin" in response.json()["detail"]


async def test_safe_methods_need_no_origin(app: FastAPI) -> None:
    async with _signed_in(app, origin=None) as client:
        me = await client.get("/auth/me")
        assert me.status_code == 200 and me.json()["email"] == EMAIL
        # Not even a foreign one: reads change nothing, and CORS keeps their answer from it.
        foreign = await client.get("/auth/me", headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 200
        assert "access-control-allow-origin" not in foreign.headers


async def test_foreign_origin_cannot_post_a_login(app: FastAPI) -> None:
    await create_user(app, email=EMAIL)
    async with make_client(app, origin="https://evil.example") as client:
        response = await client.post(
            "/auth/login", json={"email": EMAIL, "password": TEST_PASSWORD}
        )
    assert response.status_code == 403
    assert "Origin" in response.json()["detail"]
    assert "id_token" not in response.cookies


async def test_cors_preflight_allows_the_front_end_with_credentials(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/auth/me",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_cors_ignores_other_origins(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_wildcard_cors_never_allows_credentials(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(CORS_ORIGINS="*"))
    async with app.router.lifespan_context(app), make_client(app, origin=None) as client:
        response = await client.get("/health", headers={"Origin": "https://any.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
