"""The application factory: `create_app(settings)`; `app` for `uvicorn cschat.main:app`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from cschat import __version__
from cschat.allowlist.endpoints import router as allowlist_router
from cschat.apikeys.endpoints import router as apikeys_router
from cschat.apikeys.repository import KeyReader
from cschat.audit.endpoints import router as audit_router
from cschat.auth.access import check_routes_declare_access
from cschat.auth.csrf import CsrfMiddleware
from cschat.auth.endpoints import router as auth_router
from cschat.auth.providers.registry import create_provider
from cschat.auth.ratelimit import create_login_limiter
from cschat.chat.agent_endpoints import router as agent_router
from cschat.chat.agents.registry import create_agent
from cschat.chat.endpoints import router as chat_router
from cschat.chat.ratelimit import create_message_limiter
from cschat.chat.vocabulary import VocabularyCache, configured_synonyms
from cschat.core.config import ConfigError, Settings, load_settings
from cschat.core.db import Database
from cschat.core.errors import install_error_handlers
from cschat.core.logging import RequestContextMiddleware, configure_logging
from cschat.email.backends import create_email_backend
from cschat.health.endpoints import router as health_router
from cschat.integrations.hubspot.endpoints import router as hubspot_router
from cschat.integrations.hubspot.runner import SyncRunner
from cschat.invitations.endpoints import router as invitations_router
from cschat.tickets import daily, sqlite_load
from cschat.tickets.endpoints import router as tickets_router
from cschat.tickets.ingest.endpoints import router as ingest_router
from cschat.users.directory import create_directory
from cschat.users.endpoints import router as users_router
from cschat.users.repository import identity_reader
from cschat.users.sync import run_periodically

DESCRIPTION = """
Ask questions about your support tickets in Spanish or English and get exact answers with the window
and filters they came from. Errors are always `{"success": false, "error", "detail"}`.
"""

TAGS = [
    {"name": "health", "description": "Liveness, readiness and database health."},
    {
        "name": "auth",
        "description": "Sign-in (built-in accounts or Cognito), session cookies, who am I.",
    },
    {"name": "database", "description": "Ticket statistics for dashboards (Supervisor)."},
    {
        "name": "query",
        "description": "Read-only structured queries and sandboxed SQL over the tickets.",
    },
    {"name": "hubspot", "description": "HubSpot ticket sync: start a run, read its status."},
    {
        "name": "admin",
        "description": "Users, invitations, allowlist, API keys and the audit log (Supervisors).",
    },
    {
        "name": "ingest",
        "description": "Stream tickets in (JSON, NDJSON, CSV) with a column mapping; upsert.",
    },
    {
        "name": "chat",
        "description": "Ask about your tickets (JSON or Server-Sent Events); sessions, feedback.",
    },
    {"name": "agent", "description": "Which agent provider answers, and a connection check."},
]


def freeze_startup_heap() -> None:
    """Move what exists now (modules, clients, app state) out of the cyclic collector's reach."""
    # These objects live as long as the process, yet every full collection walks them all (175k
    # after import): a CSV ingest ran 15 full passes per 300k rows, half its parse CPU. Frozen,
    # bench/ingest_cpu.py measured parse 11 -> 6 us per row. Once per process: tests start many
    # apps, and a frozen object is never collected.
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as exc:
            # `uvicorn --factory cschat.main:create_app`: one line and exit 1, not a traceback.
            raise SystemExit(f"Configuration error {exc}") from None
    configure_logging(json=settings.app.is_production, level=settings.app.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.db)
        app.state.http = httpx.AsyncClient(follow_redirects=False)
        app.state.auth_provider = create_provider(settings, app.state.http)
        app.state.login_limiter = create_login_limiter(settings)
        app.state.identity_reader = identity_reader(app.state.db.engine)
        app.state.key_reader = KeyReader(app.state.db.engine)
        app.state.mailer = create_email_backend(settings)
        app.state.directory = create_directory(settings)
        synonyms = configured_synonyms(settings.chat)
        vocabulary = VocabularyCache(app.state.db.read_sessionmaker, synonyms)
        app.state.agent = create_agent(
            settings.agent, vocabulary=vocabulary, region=settings.aws.region
        )
        app.state.message_limiter = create_message_limiter(settings)
        role_sync = None
        interval = settings.cognito.role_sync_interval_minutes
        if settings.auth.provider == "cognito" and interval > 0:
            role_sync = asyncio.create_task(
                run_periodically(app.state.db, app.state.directory, interval)
            )
        # SQLite: the indexes a load that stopped midway left dropped (a no-op when none is).
        await sqlite_load.restore(app.state.db.engine)
        # PostgreSQL's daily totals follow APP_TIMEZONE; a changed zone rebuilds them meanwhile.
        totals = asyncio.create_task(daily.build(app.state.db.engine, settings.app.tz))
        app.state.hubspot = SyncRunner(app.state.db, settings.hubspot)
        hubspot_interval = settings.hubspot.sync_interval_minutes
        if hubspot_interval > 0 and settings.hubspot.token is not None:
            app.state.hubspot.start_schedule(hubspot_interval * 60)
        freeze_startup_heap()
        try:
            yield
        finally:
            totals.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await totals
            await app.state.hubspot.close()
            if role_sync is not None:
                role_sync.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await role_sync
            await app.state.message_limiter.store.close()
            app.state.agent.close()
            await app.state.identity_reader.close()
            await app.state.key_reader.close()
            await app.state.login_limiter.store.close()
            await app.state.auth_provider.close()
            await app.state.http.aclose()
            await app.state.db.dispose()

    app = FastAPI(
        title="cschat",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(tickets_router)
    app.include_router(hubspot_router)
    app.include_router(users_router)
    app.include_router(invitations_router)
    app.include_router(allowlist_router)
    app.include_router(apikeys_router)
    app.include_router(audit_router)
    app.include_router(ingest_router)
    app.include_router(chat_router)
    app.include_router(agent_router)
    check_routes_declare_access(app)
    # Last added runs first: request id, then CORS (answers preflights), then CSRF.
    app.add_middleware(CsrfMiddleware, allowed_origins=settings.app.cors_origins)
    cors_with_credentials = "*" not in settings.app.cors_origins
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.app.cors_origins,
        allow_credentials=cors_with_credentials,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "X-API-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )

    app.add_middleware(RequestContextMiddleware)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn cschat.main:app` builds the app on first access, not at import time.
    if name == "app":
        return create_app()
    raise AttributeError(name)
