from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No stray .env or ./data from the developer's checkout.
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DB_HOST", "APP_ENV", "AWS_SECRETS_MANAGER_SECRET_NAME"):
        monkeypatch.delenv(name, raising=False)


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def test_check_masks_secrets_and_reports_the_database(database_url: URL) -> None:
    result = runner.invoke(
        app,
        ["check"],
        env={
            "DATABASE_URL": url_text(database_url),
            "DB_PASSWORD": "hunter2",
            "INGEST_API_KEY": "ingest-secret-value",
            "SECRET_KEY": "k" * 40,
        },
    )
    assert result.exit_code == 0, result.output
    assert "database: ok" in result.output
    assert "agent (local): ok; Local agent ready" in result.output
    for secret in ("hunter2", "ingest-secret-value", "k" * 40):
        assert secret not in result.output


def test_check_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check"], env={"DATABASE_URL": f"sqlite:///{tmp_path}/new.db"})
    assert result.exit_code == 1
    assert "revision None" in result.output


def test_bad_setting_exits_2_naming_the_variable() -> None:
    result = runner.invoke(app, ["check"], env={"APP_TIMEZONE": "Nowhere/Land"})
    assert result.exit_code == 2
    assert "APP_TIMEZONE" in result.output


def test_upgrade_then_seed_once(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    args = [
        "demo",
        "seed",
        "--tickets",
        "200",
        "--days",
        "30",
        "--now",
        "2026-11-27T12:00:00+00:00",
    ]
    first = runner.invoke(app, args, env=env)
    second = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert "Loaded 200 demo tickets" in first.output
    assert "already present" in second.output
    assert runner.invoke(app, ["check"], env=env).exit_code == 0
