"""The `cschat` command."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cschat.core.config import ConfigError, Settings, load_settings

app = typer.Typer(help="cschat: analytics chat for customer-service teams.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")

console = Console()
err_console = Console(stderr=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        err_console.print(f"[red]Configuration error[/red] {exc}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the API."""
    import uvicorn

    settings_or_exit()
    console.print(f"cschat serving on [bold]http://{host}:{port}[/bold]  (API docs: /docs)")
    uvicorn.run(
        "cschat.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        proxy_headers=True,
        log_level="warning",
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to the configured database."""
    from cschat.core import migrate

    settings = settings_or_exit()
    url = settings.db.effective_url()
    migrate.upgrade(url, revision)
    console.print(
        f"Database {url.render_as_string(hide_password=True)} at revision {migrate.head_revision()}"
    )


@demo_app.command("seed")
def demo_seed(
    tickets: Annotated[int, typer.Option(help="How many tickets.", min=1)] = 20_000,
    days: Annotated[int, typer.Option(help="Spread over the last D days.", min=1)] = 365,
    random_seed: Annotated[int, typer.Option(help="Seed: same seed, same data.")] = 42,
    now: Annotated[
        datetime | None, typer.Option(help="Pretend 'now' is this time (ISO 8601).")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace existing demo tickets.")] = False,
) -> None:
    """Load realistic demo tickets (once: skipped when demo tickets exist, unless --replace)."""
    from cschat.core.db import make_engine
    from cschat.tickets import demo

    settings = settings_or_exit()
    if now is None:
        moment = datetime.now(UTC)
    elif now.tzinfo is None:
        moment = now.replace(tzinfo=settings.app.tz).astimezone(UTC)
    else:
        moment = now.astimezone(UTC)

    async def run() -> int:
        engine = make_engine(settings.db.effective_url(), settings.db)
        try:
            return await demo.seed(
                engine,
                count=tickets,
                days=days,
                seed=random_seed,
                now=moment,
                tz=settings.app.tz,
                replace=replace,
            )
        finally:
            await engine.dispose()

    with console.status(f"Loading {tickets:,} demo tickets..."):
        loaded = asyncio.run(run())
    if loaded:
        console.print(f"Loaded {loaded:,} demo tickets.")
    else:
        console.print("Demo tickets already present; nothing loaded (use --replace to reload).")


@app.command()
def ingest(
    file: Annotated[
        Path, typer.Argument(help="CSV, NDJSON or JSON file.", exists=True, dir_okay=False)
    ],
    map: Annotated[
        str | None,
        typer.Option("--map", help="Mapping: @preset, a JSON file, JSON text or col=field,..."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Default source of the rows.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone for naive times (default APP_TIMEZONE).")
    ] = None,
    on_error: Annotated[
        str, typer.Option(help="skip (keep good rows) or reject_all (all or nothing).")
    ] = "skip",
    format: Annotated[
        str | None, typer.Option("--format", help="csv, ndjson or json (default: by extension).")
    ] = None,
) -> None:
    """Ingest a ticket export (the same path as POST /data/ingest)."""
    from cschat.tickets.ingest import cli as ingest_cli

    settings = settings_or_exit()
    code = ingest_cli.run(
        settings,
        file,
        map_option=map,
        source=source,
        timezone=timezone,
        on_error=on_error,
        fmt=format,
        console=console,
        err_console=err_console,
    )
    if code:
        raise typer.Exit(code)


@app.command()
def check() -> None:
    """Show the configuration (secrets masked) and check each configured dependency."""
    from cschat.core.db import Database
    from cschat.health.service import database_reachable, readiness

    settings = settings_or_exit()
    table = Table("group", "variable", "value")
    for group, values in settings.summary().items():
        for name, value in values.items():
            table.add_row(group, name, "" if value is None else str(value))
    console.print(table)

    async def probe() -> tuple[bool, dict[str, object]]:
        db = Database(settings.db)
        try:
            return await database_reachable(db), await readiness(db)
        finally:
            await db.dispose()

    reachable, ready = asyncio.run(probe())
    status = "[green]ok[/green]" if reachable else "[red]unreachable[/red]"
    console.print(f"database: {status}; revision {ready['revision']} (head {ready['head']})")
    if not (reachable and ready["ready"]):
        raise typer.Exit(1)
