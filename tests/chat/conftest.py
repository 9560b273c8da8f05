from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.conftest import make_client
from tests.support.auth import sign_in
from tests.tickets.data import load_demo


@pytest.fixture
async def chat_app(make_settings: Callable[..., Settings]) -> AsyncIterator[FastAPI]:
    """The app over a small demo dataset (300 tickets, seed 11)."""
    application = create_app(make_settings(APP_TIMEZONE="Europe/Madrid"))
    async with application.router.lifespan_context(application):
        settings: Settings = application.state.settings
        await load_demo(application.state.db.engine, settings.app.tz, count=300, days=120)
        yield application


SignedIn = Callable[..., Any]


@pytest.fixture
async def signed_in(chat_app: FastAPI) -> AsyncIterator[SignedIn]:
    """`await signed_in(email, role)`: a client of `chat_app` signed in as that user."""
    clients: list[httpx.AsyncClient] = []

    async def make(email: str, role: str = "Agent") -> httpx.AsyncClient:
        client = make_client(chat_app)
        clients.append(client)
        await sign_in(chat_app, client, email=email, role=role)  # type: ignore[arg-type]
        return client

    yield make
    for client in clients:
        await client.aclose()
