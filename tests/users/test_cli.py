"""`cschat users ...` and the demo accounts of `cschat demo seed`, on a real database."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.cli import app
from tests.conftest import TEST_SECRET_KEY


@pytest.fixture
def cli_env(database_url: URL, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("APP_ENV", "development")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.usefixtures("cli_env")
def test_users_commands_round_trip() -> None:
    code, out = run(
        "users", "create", "--email", "Ana@Example.com", "--role", "Supervisor", "--generate"
    )
    assert code == 0, out
    assert "Created Supervisor ana@example.com" in out
    # The password shown is the account's own.
    [password] = [line.split(":", 1)[1].strip() for line in out.splitlines() if "Password:" in line]
    assert PasswordHasher().verify(_password_hash("ana@example.com"), password)
    assert _ana() == ["ana@example.com", "Supervisor", "active"]
    code, out = run("users", "create", "--email", "ana@example.com", "--role", "Agent")
    assert code == 1 and "already exists" in out
    assert _ana() == ["ana@example.com", "Supervisor", "active"]
    # Another active Supervisor, so that Ana may be demoted and disabled.
    assert run("users", "create", "--email", "boss@example.com", "--role", "Supervisor")[0] == 0
    assert run("users", "set-role", "ana@example.com", "Agent")[0] == 0
    assert _ana() == ["ana@example.com", "Agent", "active"]
    assert run("users", "disable", "ANA@example.com")[0] == 0
    assert _ana() == ["ana@example.com", "Agent", "disabled"]
    assert run("users", "enable", "ana@example.com")[0] == 0
    assert _ana() == ["ana@example.com", "Agent", "active"]
    code, out = run("users", "set-role", "ana@example.com", "Boss")
    assert code == 1 and "role:" in out
    assert _ana() == ["ana@example.com", "Agent", "active"]
    # Changes made from the command line are audited too.
    assert _audit_actions() == [
        ("user.role_change", "ana@example.com"),
        ("user.status_change", "ana@example.com"),
        ("user.status_change", "ana@example.com"),
    ]


@pytest.mark.usefixtures("cli_env")
def test_the_last_active_supervisor_stays() -> None:
    # The API refused (409) what the command line let through: no active Supervisor left.
    code, out = run("users", "create", "--email", "boss@example.com", "--role", "Supervisor")
    assert code == 0, out
    refusal = "boss@example.com is the last active Supervisor: promote or enable another one first."
    for command in (("set-role", "boss@example.com", "Agent"), ("disable", "Boss@example.com")):
        code, out = run("users", *command)
        assert code == 1, out
        assert [line for line in out.splitlines() if line.strip()] == [refusal]
    assert _rows() == {"boss@example.com": ["Supervisor", "active"]}
    assert _audit_actions() == []
    # With another active Supervisor the same changes go through.
    code, out = run("users", "create", "--email", "deputy@example.com", "--role", "Supervisor")
    assert code == 0, out
    assert run("users", "set-role", "boss@example.com", "Agent")[0] == 0
    code, out = run("users", "disable", "deputy@example.com")
    assert code == 1 and "deputy@example.com is the last active Supervisor" in out
    assert run("users", "disable", "boss@example.com")[0] == 0
    assert _rows() == {
        "boss@example.com": ["Agent", "disabled"],
        "deputy@example.com": ["Supervisor", "active"],
    }
    assert _audit_actions() == [
        ("user.role_change", "boss@example.com"),
        ("user.status_change", "boss@example.com"),
    ]


def _rows() -> dict[str, list[str]]:
    """Role and status of every account by email, as `users list` shows them."""
    code, out = run("users", "list")
    assert code == 0, out
    cells = [
        [cell.strip() for cell in line.split("\u2502") if cell.strip()]
        for line in out.splitlines()
        if "@" in line
    ]
    return {row[0]: row[1:3] for row in cells}


def _ana() -> list[str]:
    """Email, role and status of Ana's account, as `users list` shows it."""
    return ["ana@example.com", *_rows()["ana@example.com"]]


def _password_hash(email: str) -> str:
    import asyncio

    from cschat.core.config import load_settings
    from cschat.core.db import Database
    from cschat.users.repository import get_by_email

    async def read() -> str:
        db = Database(load_settings().db)
        try:
            async with db.transaction() as session:
                user = await get_by_email(session, email)
                assert user is not None and user.password_hash is not None
                return user.password_hash
        finally:
            await db.dispose()

    return asyncio.run(read())


def _audit_actions() -> list[tuple[str, str | None]]:
    import asyncio

    from sqlalchemy import select

    from cschat.audit.models import AuditEvent
    from cschat.core.config import load_settings
    from cschat.core.db import Database

    async def read() -> list[tuple[str, str | None]]:
        db = Database(load_settings().db)
        try:
            async with db.transaction() as session:
                events = await session.scalars(
                    select(AuditEvent).where(AuditEvent.actor == "cli").order_by(AuditEvent.id)
                )
                return [(e.action, e.target) for e in events]
        finally:
            await db.dispose()

    return asyncio.run(read())


@pytest.mark.usefixtures("cli_env")
def test_password_and_generate_are_exclusive() -> None:
    code, out = run(
        "users", "create", "--email", "a@example.com", "--password", "x" * 12, "--generate"
    )
    assert code == 2
    assert "not both" in out


@pytest.mark.usefixtures("cli_env")
def test_demo_seed_creates_demo_accounts_idempotently() -> None:
    for _ in range(2):
        code, out = run("demo", "seed", "--tickets", "50")
        assert code == 0, out
        assert "supervisor@demo.cschat.dev" in out
        assert "lucia.fernandez@demo.cschat.dev" in out
    code, out = run("users", "list")
    # One row each (the table may shorten long emails to the terminal's width).
    assert out.count("lucia.fernandez@") == 1
    assert out.count("supervisor@demo") == 1
