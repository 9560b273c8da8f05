"""`cschat ingest FILE`: the same path as the endpoint, from a file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.cli import app
from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.tickets.ingest.models import IngestBatch
from cschat.tickets.models import Ticket
from tests.conftest import TEST_SECRET_KEY
from tests.support.reference import REFERENCE_CSV


@pytest.fixture
def env(database_url: URL) -> dict[str, str]:
    return {
        "APP_ENV": "test",
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "SECRET_KEY": TEST_SECRET_KEY,
        "INGEST_BATCH_ROWS": "700",
    }


def stored(settings: Settings) -> tuple[int, list[str]]:
    async def read() -> tuple[int, list[str]]:
        db = Database(settings.db)
        async with db.sessionmaker() as session:
            count = await session.scalar(select(func.count()).select_from(Ticket))
            callers = list(await session.scalars(select(IngestBatch.caller)))
        await db.dispose()
        return count or 0, callers

    # The command runs its own event loop, so these tests are synchronous.
    return asyncio.run(read())


def test_ingests_the_reference_export_with_its_preset(
    env: dict[str, str], settings: Settings
) -> None:
    runner = CliRunner()
    args = ["ingest", str(REFERENCE_CSV), "--map", "@customer-support-analytics"]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    assert "5,000" in first.output
    count, callers = stored(settings)
    assert count == 5000 and callers[0].startswith("cli:")
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0
    assert "│ 5,000    │ 0        │ 0       │ 5,000     │ 0" in again.output


def test_reports_bad_rows_and_exits_1(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    rows = [
        {"ref": "x1", "opened": "2024-02-01 09:00", "state": "open"},
        {"ref": "x2", "opened": "soon", "state": "open"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"ref": "external_id", "opened": "created_at", "state": "status"})
    )
    result = CliRunner().invoke(
        app, ["ingest", str(path), "--map", str(mapping), "--timezone", "Europe/Madrid"], env=env
    )
    assert result.exit_code == 1
    assert "row 2, opened: not an ISO 8601" in result.output

    refused = CliRunner().invoke(
        app, ["ingest", str(path), "--map", str(mapping), "--on-error", "reject_all"], env=env
    )
    assert refused.exit_code == 1 and "nothing was written" in refused.output

    unknown = CliRunner().invoke(app, ["ingest", str(mapping), "--format", "xml"], env=env)
    assert unknown.exit_code == 2
    bad_map = CliRunner().invoke(app, ["ingest", str(path), "--map", "ref=nowhere"], env=env)
    assert bad_map.exit_code == 2 and "unknown target" in bad_map.output
