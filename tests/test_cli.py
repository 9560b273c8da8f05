import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner, Result

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


def assert_one_clear_line(result: Result, code: int, expected: str) -> None:
    """Exit `code` with a message, not an exception escaping the command (a traceback)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    assert expected in result.output


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
    assert second.exit_code == 0, second.output
    assert "already present" in second.output
    with closing(sqlite3.connect(tmp_path / "cli.db")) as db:
        assert db.execute("SELECT count(*) FROM tickets WHERE source = 'demo'").fetchone() == (200,)
        assert db.execute("SELECT count(*) FROM tickets").fetchone() == (200,)
    assert runner.invoke(app, ["check"], env=env).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["users", "list"],
        ["users", "disable", "a@b.co"],
        ["db", "upgrade"],
        ["demo", "seed", "--tickets", "5"],
        ["hubspot", "sync"],
    ],
)
def test_an_unreachable_database_is_one_line_without_the_password(args: list[str]) -> None:
    env = {"DATABASE_URL": "postgresql://u:pw-s3cret@127.0.0.1:1/db", "HUBSPOT_TOKEN": "t"}
    result = runner.invoke(app, args, env=env)
    assert_one_clear_line(result, 1, "Database error postgresql+psycopg://u:***@127.0.0.1:1/db")
    assert "s3cret" not in result.output


@pytest.mark.parametrize("args", [["users", "list"], ["demo", "seed", "--tickets", "5"]])
def test_an_unmigrated_database_says_to_upgrade(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, args, env={"DATABASE_URL": f"sqlite:///{tmp_path}/new.db"})
    assert_one_clear_line(result, 1, "(run `cschat db upgrade` first)")


def test_upgrade_to_an_unknown_revision_is_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    result = runner.invoke(app, ["db", "upgrade", "nosuch"], env=env)
    assert_one_clear_line(result, 2, "Can't locate revision identified by 'nosuch'")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--port", "70000"], "less than or equal to 65535"),
        (["serve", "--port", "-5"], "greater than or equal to 1"),
        (["bedrock", "emulator", "--port", "0"], "greater than or equal to 1"),
        (["demo", "seed", "--days", "99999999"], "36500"),
        (["demo", "seed", "--now", "0001-01-01T00:00:00"], "--now and --days"),
        (["demo", "seed", "--now", "9999-12-31T00:00:00+00:00"], "--now and --days"),
    ],
)
def test_out_of_range_options_are_refused(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    assert_one_clear_line(result, 2, expected)


def test_a_setting_with_markup_is_shown_literally() -> None:
    result = runner.invoke(app, ["check"], env={"APP_TIMEZONE": "[/red]"})
    assert_one_clear_line(result, 2, "APP_TIMEZONE")
    assert "[/red]" in result.output


def test_user_input_with_markup_is_shown_literally(database_url: URL) -> None:
    env = {"DATABASE_URL": url_text(database_url)}
    missing = runner.invoke(app, ["users", "disable", "[/red]@x.co"], env=env)
    assert_one_clear_line(missing, 1, "[/red]@x.co")
    created = runner.invoke(
        app, ["users", "create", "--email", "m@x.co", "--given-name", "[/b]", "--generate"], env=env
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["users", "list"], env=env)
    assert_one_clear_line(listed, 0, "[/b]")
