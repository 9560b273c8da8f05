"""`cschat ingest FILE`: a file through the same service as `POST /data/ingest`, with progress."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from cschat.core.config import Settings
from cschat.core.db import make_engine
from cschat.core.errors import AppError
from cschat.tickets import sqlite_load
from cschat.tickets.ingest import service
from cschat.tickets.ingest.parsers import FORMATS
from cschat.tickets.ingest.schemas import OnError

EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "json"}
CHUNK_BYTES = 1 << 20


async def read_chunks(path: Path) -> AsyncIterator[bytes]:
    """The file in chunks, read off the event loop so writes overlap with reading."""
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            yield chunk


def _mapping_text(option: str | None) -> str | None:
    if option and not option.startswith(("@", "{")) and option.endswith(".json"):
        return Path(option).read_text(encoding="utf-8")
    return option


def run(
    settings: Settings,
    path: Path,
    *,
    map_option: str | None,
    source: str | None,
    timezone: str | None,
    on_error: str,
    fmt: str | None,
    console: Console,
    err_console: Console,
) -> int:
    """Ingest one file, print the counts and errors; the exit code (0 when nothing was refused)."""
    fmt = fmt or EXTENSIONS.get(path.suffix.lower())
    if fmt not in FORMATS:
        err_console.print(
            f"[red]Unknown format[/red]: use --format with one of {', '.join(FORMATS)}"
        )
        return 2
    mode: OnError
    if on_error == "skip":
        mode = "skip"
    elif on_error == "reject_all":
        mode = "reject_all"
    else:
        err_console.print("[red]--on-error[/red] must be skip or reject_all")
        return 2
    try:
        map_text = _mapping_text(map_option)
    except OSError as exc:
        err_console.print(f"[red]Cannot read the mapping file[/red]: {exc.strerror}")
        return 2
    except UnicodeDecodeError:
        err_console.print("[red]Cannot read the mapping file[/red]: it is not UTF-8 text")
        return 2
    try:
        size = path.stat().st_size
        if path.is_file():  # not a pipe: opening one would wait for its writer
            path.open("rb").close()
    except OSError as exc:
        err_console.print(f"[red]Cannot read {escape(str(path))}[/red]: {exc.strerror}")
        return 2
    if path.is_file() and size == 0:
        err_console.print(f"[red]{escape(str(path))} is empty[/red]: nothing to ingest")
        return 2
    options = service.IngestOptions(
        format=fmt, map=map_text, source=source, timezone=timezone, on_error=mode
    )
    caller = service.Caller(id=f"cli:{getpass.getuser()}", name=f"cli:{getpass.getuser()}")

    async def go(progress: Progress) -> service.IngestOutcome:
        task = progress.add_task(path.name, total=size)
        engine = make_engine(settings.db.effective_url(), settings.db)
        try:
            # Like the app's start-up: indexes an interrupted load left dropped (SQLite).
            await sqlite_load.restore(engine)
            return await service.ingest(
                engine,
                read_chunks(path),
                options=options,
                caller=caller,
                app_tz=settings.app.tz,
                batch_rows=settings.ingest.batch_rows,
                on_progress=lambda size: progress.advance(task, size),
            )
        except Exception:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                # Ctrl-C: whatever broke while stopping is part of the interrupt.
                raise asyncio.CancelledError from None
            raise
        finally:
            await engine.dispose()

    columns = (*Progress.get_default_columns()[:-1], DownloadColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as progress:
            outcome = asyncio.run(go(progress))
    except AppError as exc:
        err_console.print(f"[red]{exc.code}[/red] {escape(exc.detail)}")
        return 2
    except KeyboardInterrupt:
        err_console.print(
            "[red]Interrupted[/red]: the batches committed before Ctrl-C are kept; run the same "
            "command again to load the rest (rows already stored come back unchanged)."
        )
        return 130
    body = outcome.body
    counts = ("received", "inserted", "updated", "unchanged", "rejected")
    table = Table(*counts)
    table.add_row(*(f"{body[name]:,}" for name in counts))
    console.print(table)
    if body.get("detail"):
        err_console.print(f"[red]{escape(body['detail'])}[/red]")
    for error in body["errors"]:
        where = f"row {error['row']}" + (f", {error['field']}" if error["field"] else "")
        err_console.print(escape(f"  {where}: {error['message']}"))
    return 0 if outcome.status_code == 200 and not body["rejected"] else 1
