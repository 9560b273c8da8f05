"""The `cschat` command."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cschat.core.config import ConfigError, Settings, load_settings

app = typer.Typer(help="cschat: analytics chat for customer-service teams.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
hubspot_app = typer.Typer(help="HubSpot ticket sync.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(hubspot_app, name="hubspot")

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


@hubspot_app.command("sync")
def hubspot_sync(
    full: Annotated[bool, typer.Option(help="Re-read every ticket from the start.")] = False,
) -> None:
    """Sync HubSpot tickets into the tickets table (incremental unless --full)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from cschat.core.db import Database
    from cschat.core.errors import AppError
    from cschat.integrations.hubspot.runner import SyncRunner

    settings = settings_or_exit()

    async def run(progress: Progress) -> tuple[str, str | None]:
        task = progress.add_task("HubSpot tickets", total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=max(total or 0, done) or None)

        db = Database(settings.db)
        try:
            result = await SyncRunner(db, settings.hubspot).run(
                full=full, trigger="cli", on_progress=advance
            )
        except AppError as exc:
            return "refused", exc.detail
        finally:
            await db.dispose()
        return result.status, result.detail

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        status, detail = asyncio.run(run(progress))
    colour = "green" if status == "succeeded" else "red"
    console.print(f"HubSpot sync [{colour}]{status}[/{colour}]: {detail or ''}")
    if status != "succeeded":
        raise typer.Exit(1)


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
