"""The application factory: `create_app(settings)`; `app` for `uvicorn cschat.main:app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cschat import __version__
from cschat.core.config import Settings, load_settings
from cschat.core.db import Database
from cschat.core.errors import install_error_handlers
from cschat.core.logging import RequestContextMiddleware, configure_logging
from cschat.health.endpoints import router as health_router
from cschat.tickets.ingest.endpoints import router as ingest_router

DESCRIPTION = """
Ask questions about your support tickets in Spanish or English and get exact answers with the window
and filters they came from. Errors are always `{"success": false, "error", "detail"}`.
"""

TAGS = [
    {"name": "health", "description": "Liveness, readiness and database health."},
    {
        "name": "ingest",
        "description": "Stream tickets in (JSON, NDJSON, CSV) with a column mapping; upsert.",
    },
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(json=settings.app.is_production, level=settings.app.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.db)
        try:
            yield
        finally:
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
    app.include_router(ingest_router)
    app.add_middleware(RequestContextMiddleware)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn cschat.main:app` builds the app on first access, not at import time.
    if name == "app":
        return create_app()
    raise AttributeError(name)
