import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.cli import app
from cschat.core.config import Settings
from tests.fakes.hubspot import TOKEN
from tests.integrations.hubspot.conftest import (
    FakeFactory,
    differences,
    expected_tickets,
    stored_tickets,
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DB_HOST", "APP_ENV", "HUBSPOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def env(database_url: URL, url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "SECRET_KEY": "k" * 40,
        "HUBSPOT_BASE_URL": url,
        "HUBSPOT_TOKEN": TOKEN,
        "HUBSPOT_TIME_SCALE": "0.001",
        "HUBSPOT_EXTRA_PROPERTIES": "hs_ticket_language",  # as `hubspot_settings` has it
        **extra,
    }


def test_cli_sync_then_full_rebuild(
    database_url: URL, fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(450)
    first = runner.invoke(app, ["hubspot", "sync"], env=env(database_url, url))
    assert first.exit_code == 0, first.output
    assert "succeeded" in first.output and "450 new" in first.output
    fake.change(3)
    full = runner.invoke(app, ["hubspot", "sync", "--full"], env=env(database_url, url))
    assert full.exit_code == 0, full.output
    assert "450 fetched, 0 new, 3 changed" in full.output
    stored = asyncio.run(stored_tickets(hubspot_settings(url)))
    assert differences(expected_tickets(fake), stored) == []


def test_cli_reports_a_bad_token_and_fails(database_url: URL, fake_hubspot: FakeFactory) -> None:
    _, url = fake_hubspot(5)
    result = runner.invoke(
        app, ["hubspot", "sync"], env=env(database_url, url, HUBSPOT_TOKEN="nope-nope")
    )
    assert result.exit_code == 1
    assert "unauthorized" in result.output and "HUBSPOT_TOKEN" in result.output
    assert "nope-nope" not in result.output


def test_cli_without_a_token_says_what_to_set(database_url: URL) -> None:
    settings_env = env(database_url, "http://127.0.0.1:9")
    del settings_env["HUBSPOT_TOKEN"]
    result = runner.invoke(app, ["hubspot", "sync"], env=settings_env)
    assert result.exit_code == 1
    assert "set HUBSPOT_TOKEN" in result.output
