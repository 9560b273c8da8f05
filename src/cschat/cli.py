"""The `cschat` command."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.config import ConfigError, Settings, load_settings
from cschat.core.errors import AppError

app = typer.Typer(help="cschat: analytics chat for customer-service teams.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
hubspot_app = typer.Typer(help="HubSpot ticket sync.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts (built-in sign-in and Cognito alike).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(hubspot_app, name="hubspot")
app.add_typer(users_app, name="users")

T = TypeVar("T")
DEMO_SUPERVISOR = ("supervisor@demo.cschat.dev", "Supervisor", "Sara", "Supervisora")
# One of the demo agents, so signing in as them shows their own figures.
DEMO_AGENT = ("lucia.fernandez@demo.cschat.dev", "Agent", "Lucía", "Fernández")

console = Console()
err_console = Console(stderr=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        err_console.print(f"[red]Configuration error[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None


@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """A database that cannot be reached, opened or is not migrated: one red line and exit 1."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        url = settings.db.effective_url()
        reason = str(exc.orig or exc).strip().splitlines()[0]
        if url.password:
            reason = reason.replace(str(url.password), "***")
        if "no such table" in reason or getattr(exc.orig, "sqlstate", None) == "42P01":
            reason += " (run `cschat db upgrade` first)"
        where = url.render_as_string(hide_password=True)
        err_console.print(f"[red]Database error[/red] {escape(where)}: {escape(reason)}")
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
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
    from alembic.util.exc import CommandError

    from cschat.core import migrate
    from cschat.tickets import daily

    settings = settings_or_exit()
    url = settings.db.effective_url()
    with database_errors(settings):
        try:
            migrate.upgrade(url, revision)
        except CommandError as exc:
            err_console.print(f"[red]Cannot upgrade[/red]: {escape(str(exc))}")
            raise typer.Exit(2) from None
        asyncio.run(daily.build_at(url, settings.app.tz))
    console.print(
        f"Database {url.render_as_string(hide_password=True)} at revision {migrate.head_revision()}"
    )


@demo_app.command("seed")
def demo_seed(
    tickets: Annotated[int, typer.Option(help="How many tickets.", min=1)] = 20_000,
    days: Annotated[
        int, typer.Option(help="Spread over the last D days.", min=1, max=36_500)
    ] = 365,
    random_seed: Annotated[int, typer.Option(help="Seed: same seed, same data.")] = 42,
    now: Annotated[
        datetime | None, typer.Option(help="Pretend 'now' is this time (ISO 8601).")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace existing demo tickets.")] = False,
) -> None:
    """Load realistic demo tickets (once: skipped when demo tickets exist, unless --replace)."""
    from cschat.core.db import make_engine
    from cschat.tickets import demo
    from cschat.tickets.models import FIRST_TIME, LAST_TIME

    settings = settings_or_exit()
    try:
        if now is None:
            moment = datetime.now(UTC)
        elif now.tzinfo is None:
            moment = now.replace(tzinfo=settings.app.tz).astimezone(UTC)
        else:
            moment = now.astimezone(UTC)
    except OverflowError:
        moment = None
    # The window (and a month either side) must stay within the times tickets may hold.
    month = timedelta(days=31)
    if moment is None or not FIRST_TIME + timedelta(days=days) + month < moment < LAST_TIME - month:
        err_console.print("[red]--now[/red] and --days must keep the demo window in years 2-9998")
        raise typer.Exit(2)

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

    with database_errors(settings), console.status(f"Loading {tickets:,} demo tickets..."):
        loaded = asyncio.run(run())
    if loaded:
        console.print(f"Loaded {loaded:,} demo tickets.")
    else:
        console.print("Demo tickets already present; nothing loaded (use --replace to reload).")
    if settings.app.is_production:
        return
    table = Table("role", "email", "password", title="Demo accounts (development only)")
    for email, role, given, family in (DEMO_SUPERVISOR, DEMO_AGENT):
        password = secrets.token_urlsafe(12)
        run_in_session(settings, _demo_account(email, role, given, family, password))
        table.add_row(role, email, password)
    console.print(table)
    console.print("Passwords are new on every run of `cschat demo seed`.")


def _demo_account(
    email: str, role: str, given: str, family: str, password: str
) -> Callable[[AsyncSession], Awaitable[None]]:
    from cschat.users import service

    async def ensure(session: AsyncSession) -> None:
        try:
            await service.create_user(
                session,
                email=email,
                role=role,
                password=password,
                given_name=given,
                family_name=family,
            )
        except AppError:
            await service.set_password(session, email=email, password=password)
            await service.set_role(session, email=email, role=role)
            await service.set_status(session, email=email, status="active")

    return ensure


def run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction; a rule broken is one red line and exit 1."""
    from cschat.core.db import Database

    async def run() -> T:
        db = Database(settings.db)
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    try:
        with database_errors(settings):
            return asyncio.run(run())
    except AppError as exc:
        # soft_wrap: the refusal stays one line, however narrow the terminal.
        err_console.print(f"[red]{escape(exc.detail)}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Email (unique, case-insensitive).")],
    role: Annotated[str, typer.Option(help="Agent or Supervisor.")] = "Agent",
    password: Annotated[
        str | None, typer.Option(help="Password for built-in sign-in (at least 10 characters).")
    ] = None,
    generate: Annotated[bool, typer.Option(help="Generate a password and print it.")] = False,
    given_name: Annotated[str | None, typer.Option(help="Given name.")] = None,
    family_name: Annotated[str | None, typer.Option(help="Family name.")] = None,
) -> None:
    """Create an active account (with --password or --generate for built-in sign-in)."""
    from cschat.users import service

    if password is not None and generate:
        err_console.print("[red]Give either --password or --generate, not both.[/red]")
        raise typer.Exit(2)
    if generate:
        password = secrets.token_urlsafe(12)
    settings = settings_or_exit()

    async def create(session: AsyncSession) -> str:
        user = await service.create_user(
            session,
            email=email,
            role=role,
            password=password,
            given_name=given_name,
            family_name=family_name,
        )
        return user.email

    created = run_in_session(settings, create)
    console.print(f"Created {escape(role)} {escape(created)}.")
    if generate:
        console.print(f"Password: [bold]{password}[/bold]")


@users_app.command("list")
def users_list() -> None:
    """List accounts with role, status and last sign-in."""
    from cschat.users import service

    settings = settings_or_exit()

    async def rows(session: AsyncSession) -> list[tuple[str, ...]]:
        return [
            (
                u.email,
                u.role,
                u.status,
                " ".join(n for n in (u.given_name, u.family_name) if n),
                u.last_sign_in_at.isoformat(timespec="seconds") if u.last_sign_in_at else "",
            )
            for u in await service.list_users(session)
        ]

    table = Table("email", "role", "status", "name", "last sign-in")
    for row in run_in_session(settings, rows):
        table.add_row(*(escape(value) for value in row))
    console.print(table)


@users_app.command("set-role")
def users_set_role(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    role: Annotated[str, typer.Argument(help="Agent or Supervisor.")],
) -> None:
    """Change an account's role (applies on its next request); the last active Supervisor stays."""
    from cschat.users import service
    from cschat.users.directory import create_directory

    settings = settings_or_exit()
    directory = create_directory(settings)

    async def change(session: AsyncSession) -> None:
        await service.change_role(session, directory, email=email, role=role, actor="cli")

    run_in_session(settings, change)
    console.print(f"{escape(email)} is now {escape(role)}.")


def _set_status(email: str, status: str) -> None:
    from cschat.users import service
    from cschat.users.directory import create_directory

    settings = settings_or_exit()
    directory = create_directory(settings)

    async def change(session: AsyncSession) -> None:
        await service.update_user(
            session, directory, email=email, changes={"status": status}, actor="cli"
        )

    run_in_session(settings, change)
    console.print(f"{escape(email)} is now {status}.")


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Disable an account: its sessions stop working; the last active Supervisor stays."""
    _set_status(email, "disabled")


@users_app.command("enable")
def users_enable(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Enable (activate) an account."""
    _set_status(email, "active")


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
    with database_errors(settings), Progress(*columns, console=console) as progress:
        status, detail = asyncio.run(run(progress))
    colour = "green" if status == "succeeded" else "red"
    console.print(f"HubSpot sync [{colour}]{status}[/{colour}]: {escape(detail or '')}")
    if status != "succeeded":
        raise typer.Exit(1)


@users_app.command("sync-roles")
def users_sync_roles() -> None:
    """Reconcile accounts, roles and disabled users with the Cognito user pool, both ways."""
    from cschat.users.directory import create_directory
    from cschat.users.sync import sync_roles

    settings = settings_or_exit()
    if settings.auth.provider != "cognito":
        err_console.print("[red]sync-roles needs AUTH_PROVIDER=cognito.[/red]")
        raise typer.Exit(2)
    directory = create_directory(settings)

    async def sync(session: AsyncSession) -> list[str]:
        return await sync_roles(session, directory)

    changes = run_in_session(settings, sync)
    for line in changes:
        console.print(escape(line))
    console.print(f"{len(changes)} change(s)." if changes else "Nothing to change.")


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
    with database_errors(settings):
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
    from cschat.chat.agents.base import ConnectionCheck
    from cschat.chat.agents.registry import create_agent
    from cschat.chat.vocabulary import VocabularyCache, configured_synonyms
    from cschat.core.db import Database
    from cschat.health.service import database_reachable, readiness

    settings = settings_or_exit()
    table = Table("group", "variable", "value")
    for group, values in settings.summary().items():
        for name, value in values.items():
            table.add_row(group, name, "" if value is None else escape(str(value)))
    console.print(table)

    async def probe() -> tuple[bool, dict[str, object], ConnectionCheck | None]:
        db = Database(settings.db)
        try:
            reachable, ready = await database_reachable(db), await readiness(db)
            agent = None
            if reachable and ready["ready"]:
                synonyms = configured_synonyms(settings.chat)
                vocabulary = VocabularyCache(db.read_sessionmaker, synonyms)
                try:
                    provider = create_agent(
                        settings.agent, vocabulary=vocabulary, region=settings.aws.region
                    )
                except ConfigError as exc:
                    return reachable, ready, ConnectionCheck(False, str(exc), {})
                try:
                    agent = await provider.test_connection()
                finally:
                    provider.close()
            return reachable, ready, agent
        finally:
            await db.dispose()

    reachable, ready, agent = asyncio.run(probe())
    status = "[green]ok[/green]" if reachable else "[red]unreachable[/red]"
    console.print(f"database: {status}; revision {ready['revision']} (head {ready['head']})")
    if not (reachable and ready["ready"]):
        raise typer.Exit(1)
    assert agent is not None
    verdict = "[green]ok[/green]" if agent.success else "[red]failed[/red]"
    provider_name = agent.agent_info.get("provider", settings.agent.provider)
    console.print(f"agent ({provider_name}): {verdict}; {escape(agent.message)}")
    if not agent.success:
        raise typer.Exit(1)


bedrock_app = typer.Typer(
    help="Amazon Bedrock Agent: schema and local emulator.", no_args_is_help=True
)
app.add_typer(bedrock_app, name="bedrock")


@bedrock_app.command("schema")
def bedrock_schema() -> None:
    """Print the tickets_analytics action group's function schema (JSON, Bedrock's format)."""
    import json

    from cschat.chat.agents.bedrock.schema import action_group_schema

    typer.echo(json.dumps(action_group_schema(), indent=2, ensure_ascii=False))


@bedrock_app.command("emulator")
def bedrock_emulator(
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 4010,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    mode: Annotated[
        str, typer.Option(help="direct (tools run here) | return_control | echo (no database).")
    ] = "direct",
    latency: Annotated[float, typer.Option(help="Seconds before each response starts.")] = 0.0,
    chunk_delay: Annotated[float, typer.Option(help="Seconds between chunks.")] = 0.0,
    throttle_before: Annotated[int, typer.Option(help="Throttle the next N invocations.")] = 0,
    exception_mid_stream: Annotated[
        str | None, typer.Option(help="In-stream exception type, e.g. internalServerException.")
    ] = None,
    exception_after_chunks: Annotated[int, typer.Option(help="Chunks before that exception.")] = 1,
) -> None:
    """Serve a Bedrock Agent emulator (faults can also be changed at POST /_emulator/config)."""
    import uvicorn

    from cschat.chat.agents.bedrock.emulator import EmulatorConfig, create_emulator_app
    from cschat.core.db import Database

    if mode not in ("direct", "return_control", "echo"):
        err_console.print("[red]--mode must be direct, return_control or echo.[/red]")
        raise typer.Exit(2)
    settings = settings_or_exit()
    config = EmulatorConfig(
        mode=mode,  # type: ignore[arg-type]
        latency=latency,
        chunk_delay=chunk_delay,
        throttle_before=throttle_before,
        exception_mid_stream=exception_mid_stream,
        exception_after_chunks=exception_after_chunks,
        exception_times=1_000_000 if exception_mid_stream else 0,
    )
    db = None if mode == "echo" else Database(settings.db)
    emulator = create_emulator_app(db, tz=settings.app.timezone, config=config)
    console.print(
        f"Bedrock Agent emulator on [bold]http://{host}:{port}[/bold]; point boto at it with "
        f"AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=http://{host}:{port}"
    )
    uvicorn.run(emulator, host=host, port=port, log_level="warning", backlog=4096)
