"""`cschat users sync-roles`: changes made in the Cognito console (moto) reach the database, and
accounts known only here reach Cognito."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.cli import app as cli
from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.users.directory import create_directory
from cschat.users.models import User
from cschat.users.sync import ROLE_SYNC_LOCK_KEY, sync_once
from tests.auth.conftest import CognitoPool
from tests.conftest import TEST_SECRET_KEY


def _email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.com"


@pytest.fixture
def cli_env(
    database_url: URL,
    cognito_pool: CognitoPool,
    aws_credentials: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: object,
) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("APP_ENV", "development")
    for name, value in cognito_pool.env().items():
        monkeypatch.setenv(name, value)


def _users(settings: Settings) -> dict[str, User]:
    async def read() -> dict[str, User]:
        db = Database(settings.db)
        try:
            async with db.transaction() as session:
                return {u.email: u for u in (await session.scalars(select(User))).all()}
        finally:
            await db.dispose()

    return asyncio.run(read())


def _add_db_user(settings: Settings, user: User) -> None:
    async def add() -> None:
        db = Database(settings.db)
        try:
            async with db.transaction() as session:
                session.add(user)
        finally:
            await db.dispose()

    asyncio.run(add())


@pytest.mark.usefixtures("cli_env")
def test_sync_roles_reconciles_both_ways(
    cognito_pool: CognitoPool, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    pool_id = cognito_pool.fake.pool_id
    idp = cognito_pool.fake.idp()
    promoted = cognito_pool.add_user(_email("promoted"))
    disabled = cognito_pool.add_user(_email("disabled"))
    console_made = cognito_pool.add_user(_email("console"), groups=("Supervisor",))
    only_here = _email("only-here")
    for email in (promoted, disabled):
        _add_db_user(settings, User(email=email, role="Agent", status="active"))
    _add_db_user(settings, User(email=only_here, role="Supervisor", status="active"))
    # Changes made directly in the Cognito console:
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=promoted, GroupName="Supervisor")
    idp.admin_disable_user(UserPoolId=pool_id, Username=disabled)

    result = CliRunner().invoke(cli, ["users", "sync-roles"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert f"{promoted}: role Agent -> Supervisor" in out
    assert f"{disabled}: status active -> disabled (disabled in Cognito)" in out
    assert f"added {console_made} from Cognito as Supervisor (active)" in out
    assert f"created {only_here} in Cognito as Supervisor" in out

    users = _users(settings)
    assert users[promoted].role == "Supervisor"
    assert users[disabled].status == "disabled"
    assert users[console_made].role == "Supervisor" and users[console_made].cognito_sub
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=only_here)["Groups"]
    assert [g["GroupName"] for g in groups] == ["Supervisor"]

    again = CliRunner().invoke(cli, ["users", "sync-roles"])
    assert again.exit_code == 0 and "Nothing to change." in again.output


@pytest.mark.usefixtures("cli_env")
def test_cli_changes_reach_cognito(
    cognito_pool: CognitoPool, make_settings: Callable[..., Settings]
) -> None:
    # The CLI goes through the same service as the API, so the pool follows; before, a role set
    # here was undone by the group at the user's next sign-in.
    settings = make_settings()
    pool_id = cognito_pool.fake.pool_id
    idp = cognito_pool.fake.idp()
    boss = cognito_pool.add_user(_email("boss"), groups=("Supervisor",))
    deputy = cognito_pool.add_user(_email("deputy"), groups=("Supervisor",))
    for email in (boss, deputy):
        _add_db_user(settings, User(email=email, role="Supervisor", status="active"))

    demoted = CliRunner().invoke(cli, ["users", "set-role", deputy, "Agent"])
    assert demoted.exit_code == 0, demoted.output
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=deputy)["Groups"]
    assert [g["GroupName"] for g in groups] == ["Agent"]
    disabled = CliRunner().invoke(cli, ["users", "disable", deputy])
    assert disabled.exit_code == 0, disabled.output
    assert idp.admin_get_user(UserPoolId=pool_id, Username=deputy)["Enabled"] is False
    refused = CliRunner().invoke(cli, ["users", "disable", boss])
    assert refused.exit_code == 1 and "last active Supervisor" in refused.output
    assert idp.admin_get_user(UserPoolId=pool_id, Username=boss)["Enabled"] is True


def test_sync_roles_needs_cognito(
    database_url: URL, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("APP_ENV", "development")
    result = CliRunner().invoke(cli, ["users", "sync-roles"])
    assert result.exit_code == 2 and "AUTH_PROVIDER=cognito" in result.output


async def test_a_periodic_round_runs_once_per_cluster(
    make_settings: Callable[..., Settings], cognito_pool: CognitoPool, aws_credentials: None
) -> None:
    settings = make_settings(**cognito_pool.env(), COGNITO_ROLE_SYNC_INTERVAL_MINUTES=5)
    db = Database(settings.db)
    directory = create_directory(settings)
    console_made = cognito_pool.add_user(_email("periodic"))
    try:
        if db.dialect == "postgresql":
            # Another replica's round in progress: this one stands aside.
            async with db.transaction() as other:
                await other.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROLE_SYNC_LOCK_KEY}
                )
                assert await sync_once(db, directory) == []
        changes = await sync_once(db, directory)
        assert f"added {console_made} from Cognito as Agent (active)" in changes
        assert await sync_once(db, directory) == []
    finally:
        await db.dispose()
