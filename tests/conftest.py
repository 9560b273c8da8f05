"""Each test gets a clean, migrated database: SQLite by default, PostgreSQL with TEST_DATABASE_URL.

The schema is migrated once per run into a template; each test then gets a copy (a file copy on
SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL), so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL, make_url

from cschat.auth.keys import generate_private_key_pem
from cschat.core import migrate
from cschat.core.config import Settings, load_settings
from cschat.main import create_app

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256-0123456789"
FRONTEND_ORIGIN = "http://localhost:3000"
_counter = itertools.count()


def pytest_report_header() -> str:
    return f"database: {_server_url() or 'SQLite (set TEST_DATABASE_URL for PostgreSQL)'}"


def _server_url() -> URL | None:
    raw = os.environ.get("TEST_DATABASE_URL")
    return make_url(raw).set(drivername="postgresql+psycopg") if raw else None


def _admin_dsn(url: URL) -> str:
    return url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )


def _pg_execute(url: URL, *statements: str) -> None:
    with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    server = _server_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = make_url(f"sqlite+aiosqlite:///{path}")
        migrate.upgrade(url)
        yield url
        return
    name = f"{server.database or 'cschat'}_tpl_{os.getpid()}"
    _pg_execute(
        server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    url = server.set(database=name)
    migrate.upgrade(url)
    yield url
    _pg_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(template_database: URL, tmp_path: Path) -> Iterator[URL]:
    """A fresh copy of the migrated template for this test."""
    if template_database.get_backend_name() == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(str(template_database.database), target)
        yield make_url(f"sqlite+aiosqlite:///{target}")
        return
    name = f"{template_database.database}_{next(_counter)}"
    _pg_execute(
        template_database,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template_database.database}"',
    )
    yield template_database.set(database=name)
    _pg_execute(template_database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def jwt_private_key() -> str:
    """One RSA key per run for the local provider (generating one per test would be slow)."""
    return generate_private_key_pem()


@pytest.fixture
def make_settings(database_url: URL, jwt_private_key: str) -> Callable[..., Settings]:
    """Settings for this test's database; keyword arguments override variables by name."""

    def build(**overrides: Any) -> Settings:
        environ = {
            "APP_ENV": "test",
            "DATABASE_URL": database_url.render_as_string(hide_password=False),
            "SECRET_KEY": TEST_SECRET_KEY,
            "APP_TIMEZONE": "UTC",
            "CORS_ORIGINS": FRONTEND_ORIGIN,
            "JWT_PRIVATE_KEY": jwt_private_key,
        }
        environ.update({k: str(v) for k, v in overrides.items()})
        return load_settings(environ, env_file=None)

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


def make_client(app: FastAPI, *, origin: str | None = FRONTEND_ORIGIN) -> httpx.AsyncClient:
    """A client of the in-process app; it sends the front end's Origin, as a browser would."""
    headers = {"Origin": origin} if origin else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


SUPERVISOR_EMAIL = "super@example.com"
AGENT_EMAIL = "lucia.fernandez@demo.cschat.dev"


@pytest.fixture
async def supervisor_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as an active Supervisor."""
    from tests.support.auth import sign_in

    async with make_client(app) as c:
        await sign_in(app, c, email=SUPERVISOR_EMAIL, role="Supervisor")
        yield c


@pytest.fixture
async def agent_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as an active Agent (one of the demo agents)."""
    from tests.support.auth import sign_in

    async with make_client(app) as c:
        await sign_in(app, c, email=AGENT_EMAIL, role="Agent")
        yield c
