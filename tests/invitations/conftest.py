"""An app whose invitations go through a real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.fakes.smtp import SmtpSink, smtp_server
from tests.support.auth import sign_in


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
async def mail_app(
    make_settings: Callable[..., Settings], smtp: SmtpSink
) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(**smtp.env()))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def boss(mail_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A Supervisor signed in to `mail_app`."""
    async with make_client(mail_app) as client:
        await sign_in(mail_app, client, email=SUPERVISOR_EMAIL, role="Supervisor")
        yield client
