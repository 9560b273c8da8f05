"""No credential, secret value or stack trace reaches the logs, at any LOG_LEVEL."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import boto3
import httpx
import pytest
import structlog
import uvicorn
from fastapi import FastAPI

from cschat.core.config import Settings, load_settings
from cschat.core.logging import configure_logging
from cschat.main import create_app
from tests.fakes.aws import moto_server
from tests.support.host_logging import routed_at_debug
from tests.support.uvicorn_thread import serve_in_thread

ACCESS_KEY_ID = "AKIALOGTEST000000001"
SECRET_ACCESS_KEY = "logtest-secret-access-key"
SESSION_TOKEN = "logtest-session-token-0123456789"
SECRET_VALUE = "logtest-secret-value-42"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    configure_logging(json=False)


def test_debug_logs_show_no_aws_credentials_or_bodies(
    moto_endpoint: str, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with routed_at_debug() as host:
        configure_logging(json=True, level="DEBUG")  # LOG_LEVEL=DEBUG, as create_app sets it
        client = boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            endpoint_url=moto_endpoint,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            aws_session_token=SESSION_TOKEN,
        )
        client.create_secret(Name="log-test", SecretString=SECRET_VALUE)
        assert client.get_secret_value(SecretId="log-test")["SecretString"] == SECRET_VALUE
        structlog.get_logger("cschat.test").debug("probe")
    logged = host.getvalue() + capsys.readouterr().err
    assert '"event": "probe"' in logged  # the app's own DEBUG lines still come out
    for secret in (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, SECRET_VALUE):
        assert secret not in logged
    assert "Signature=" not in logged and "AWS4-HMAC-SHA256" not in logged


def test_reading_the_aws_secret_at_start_up_logs_none_of_it(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Settings are read before configure_logging runs (and in the Lambda, without it).
    secret = {"DB_PASSWORD": "logtest-db-password", "HUBSPOT_TOKEN": "pat-na1-logtest-token"}
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="cschat-log-test", SecretString=json.dumps(secret)
    )
    with routed_at_debug() as host:
        settings = load_settings(
            {"AWS_SECRETS_MANAGER_SECRET_NAME": "cschat-log-test", "AWS_REGION": "us-east-1"},
            env_file=None,
        )
    assert settings.hubspot.token is not None
    assert settings.hubspot.token.get_secret_value() == secret["HUBSPOT_TOKEN"]
    logged = host.getvalue()
    for value in (*secret.values(), SESSION_TOKEN, ACCESS_KEY_ID):
        assert value not in logged


def test_an_unhandled_error_under_uvicorn_is_one_line_without_its_message(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    def factory() -> FastAPI:
        app = create_app(settings)

        @app.get("/boom", tags=["health"], summary="Fails on purpose")
        async def boom() -> None:
            raise RuntimeError("postgresql://cschat:logtest-db-password@db.internal/cschat")

        return app

    # As `cschat serve` runs it: uvicorn configures its loggers, then calls the factory.
    config = uvicorn.Config(factory, factory=True, host="127.0.0.1", port=0, log_level="warning")
    with serve_in_thread(config) as url:
        response = httpx.get(f"{url}/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500 and response.json()["error"] == "InternalError"
    logged = capfd.readouterr().err
    assert "logtest-db-password" not in logged and "Traceback" not in logged
    assert "unhandled_error" in logged and "RuntimeError" in logged


DSN = "postgresql://cschat:logtest-db-password@db.internal/cschat"


def test_a_failed_start_up_under_uvicorn_is_one_line_without_its_message(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    def factory() -> FastAPI:
        app = create_app(settings)
        started = app.router.lifespan_context

        @asynccontextmanager
        async def failing(app: FastAPI) -> AsyncIterator[None]:
            async with started(app):
                raise RuntimeError(DSN)
            yield  # pragma: no cover (never reached: the start-up fails)

        app.router.lifespan_context = failing
        return app

    config = uvicorn.Config(factory, factory=True, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    with pytest.raises(SystemExit):  # uvicorn's exit status 3: the start-up failed
        server.run()
    assert not server.started
    logged = capfd.readouterr().err
    assert "logtest-db-password" not in logged and "Traceback" not in logged
    assert "start-up or shut-down failed (RuntimeError)" in logged


def test_a_task_exception_never_retrieved_is_logged_without_its_message(
    restore_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging(json=False)

    async def fail() -> None:
        raise RuntimeError(DSN)

    async def main() -> None:
        task = asyncio.ensure_future(fail())
        await asyncio.sleep(0)
        del task  # dropped unawaited: asyncio logs its exception when it is collected
        gc.collect()

    asyncio.run(main())
    [record] = [r for r in caplog.records if r.name == "asyncio"]
    assert record.exc_info is None and "logtest-db-password" not in record.getMessage()
    assert record.getMessage() == "Task exception was never retrieved (RuntimeError)"


async def test_control_characters_from_a_request_stay_escaped_in_readable_logs(
    client: httpx.AsyncClient, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Anyone may request any path: raw ESC would drive the operator's terminal, NUL makes grep
    # call the log binary. The app's settings here (APP_ENV=test) log readable lines.
    capsys.readouterr()
    response = await client.get("/x%1B%5B2J%1B%5D0%3Bowned%07%00end")
    assert response.status_code == 404
    logged = capsys.readouterr().err
    line = next(line for line in logged.splitlines() if "path=" in line and "end" in line)
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in line), repr(line)
    assert "\\x1b[2J" in line and "\\x00end" in line
