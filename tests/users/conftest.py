"""Cognito administration against moto's server, with invitations mailed to a real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.auth.conftest import CognitoPool, cognito_pool  # noqa: F401 (the session's pool)
from tests.fakes.smtp import SmtpSink, smtp_server


@pytest.fixture
def aws_credentials(
    monkeypatch: pytest.MonkeyPatch,
    cognito_pool: CognitoPool,  # noqa: F811
) -> None:
    """boto's standard variables, as on a server: moto's endpoint, any credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", cognito_pool.moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
async def cognito_admin_app(
    make_settings: Callable[..., Settings],
    cognito_pool: CognitoPool,  # noqa: F811
    smtp: SmtpSink,
    aws_credentials: None,
) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(**cognito_pool.env(), **smtp.env()))
    async with application.router.lifespan_context(application):
        yield application
