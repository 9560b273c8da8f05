"""`cschat ingest FILE`: the same path as the endpoint, from a file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select, text
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.cli import app
from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.main import create_app
from cschat.tickets import sqlite_load
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


def last_record(settings: Settings) -> tuple[str, int, int]:
    """The last ingest record's status and inserted count, and the tickets stored."""

    async def read() -> tuple[str, int, int]:
        db = Database(settings.db)
        async with db.sessionmaker() as session:
            record = (
                await session.execute(select(IngestBatch).order_by(IngestBatch.id.desc()))
            ).scalar()
            count = await session.scalar(select(func.count()).select_from(Ticket))
        await db.dispose()
        assert record is not None
        return record.status, record.inserted, count or 0

    return asyncio.run(read())


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


def test_an_empty_file_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = CliRunner().invoke(app, ["ingest", str(path)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2 and "nothing to ingest" in result.output


def test_a_mapping_file_that_is_not_utf8_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("external_id,created_at\nx1,2024-01-01T00:00:00Z\n")
    mapping = tmp_path / "map.json"
    mapping.write_bytes('{"caf\xe9": "subject"}'.encode("latin-1"))
    result = CliRunner().invoke(app, ["ingest", str(path), "--map", str(mapping)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_values_with_markup_are_reported_literally(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("external_id,created_at,status\nm1,2024-01-01T00:00:00Z,[/red]\n")
    result = CliRunner().invoke(app, ["ingest", str(path), "--timezone", "UTC"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "row 1, status: " in result.output and "[/red]" in result.output


def test_ctrl_c_keeps_committed_batches_with_a_message(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    # A pipe: the command reads what was written, commits full batches and waits for more.
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    # More than one 1 MiB read, so the first chunk arrives while the pipe stays open.
    rows = "".join(f"c{i},2024-01-01T00:00:00Z\n" for i in range(45_000))

    def feed() -> None:
        with fifo.open("w") as pipe:
            pipe.write("external_id,created_at\n" + rows)
            pipe.flush()
            for _ in range(600):  # until the first 700-row batch is committed
                if stored(settings)[0] >= 700:
                    break
                time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)  # the pipe stays open until the interrupt has landed

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        result = CliRunner().invoke(app, ["ingest", str(fifo)], env=env)
    finally:
        writer.join()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 130
    assert "Interrupted" in result.output and "committed before Ctrl-C are kept" in result.output
    status, inserted, count = last_record(settings)
    assert count >= 700 and (status, inserted) == ("interrupted", count)


async def _index_names(settings: Settings) -> set[str]:
    db = Database(settings.db)
    async with db.engine.connect() as conn:
        names = await conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        found = set(names.all())
    await db.dispose()
    return found


def _interrupt_the_index_build(
    env: dict[str, str], settings: Settings, tmp_path: Path, *, start_up: bool
) -> tuple[Path, set[str]]:
    """A CLI load stopped by Ctrl-C while it builds the indexes it dropped; with `start_up`,
    the app then starts and builds them. The missing indexes' names."""
    assert settings.db.url is not None
    if not settings.db.url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL keeps its indexes during a load")
    path = tmp_path / "export.csv"
    rows = "".join(f"i{i},2024-01-01T00:00:00Z\n" for i in range(sqlite_load.DEFER_MIN_ROWS + 1))
    path.write_text("external_id,created_at\n" + rows)  # enough rows to drop the indexes
    interrupted: list[str] = []
    dropped: list[bool] = []

    def ctrl_c_at_the_first_build(
        conn: Connection, cursor: Any, statement: str, *args: Any
    ) -> None:
        # The build of what the load dropped (`cschat ingest` first builds what is missing).
        start = statement.lstrip().upper()
        dropped.append(start.startswith("DROP INDEX"))
        if start.startswith("CREATE INDEX") and any(dropped) and not interrupted:
            interrupted.append(statement)
            os.kill(os.getpid(), signal.SIGINT)

    event.listen(Engine, "before_cursor_execute", ctrl_c_at_the_first_build)
    try:
        result = CliRunner().invoke(
            app, ["ingest", str(path)], env={**env, "INGEST_BATCH_ROWS": "5000"}
        )
    finally:
        event.remove(Engine, "before_cursor_execute", ctrl_c_at_the_first_build)
    assert interrupted, "the load did not rebuild indexes"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 130, result.output
    assert result.output.count("Interrupted") == 1
    for trace in ("Traceback", "ValueError", "ingest_failed"):
        assert trace not in result.output, result.output
    status, inserted, count = last_record(settings)
    assert (status, inserted, count) == ("interrupted", count, sqlite_load.DEFER_MIN_ROWS + 1)

    wanted = {str(index.name) for index in sqlite_load.deferrable_indexes()}
    assert not wanted <= asyncio.run(_index_names(settings))  # the interrupted build left some
    if start_up:

        async def indexes_after_start_up() -> set[str]:
            application = create_app(settings)
            async with application.router.lifespan_context(application):
                return await _index_names(settings)

        assert wanted <= asyncio.run(indexes_after_start_up())
    return path, wanted


def test_ctrl_c_while_the_indexes_are_built_is_one_line_and_start_up_builds_them(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    _interrupt_the_index_build(env, settings, tmp_path, start_up=True)


def test_the_next_cli_ingest_builds_what_an_interrupted_build_left_missing(
    env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    """Without the app starting in between: a small load (too small to drop and build the
    indexes itself) brings them back before it writes."""
    _, wanted = _interrupt_the_index_build(env, settings, tmp_path, start_up=False)
    small = tmp_path / "small.csv"
    small.write_text("external_id,created_at\nsmall-1,2024-01-02T00:00:00Z\n")
    result = CliRunner().invoke(app, ["ingest", str(small)], env=env)
    assert result.exit_code == 0, result.output
    assert wanted <= asyncio.run(_index_names(settings))


def test_a_mapping_with_two_columns_for_one_target_is_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Ticket ID,Ref,created_at\nT1,R1,2024-01-01T00:00:00Z\n")
    args = ["ingest", str(path), "--map", "Ticket ID=external_id,Ref=external_id"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    message = " ".join(result.output.split())  # one message, wrapped to the console's width
    assert message.startswith("ValidationError map: columns 'Ticket ID' and 'Ref' both map to")
    assert "external_id" in message and "Traceback" not in message
