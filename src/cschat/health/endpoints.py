"""Liveness, readiness and the seed's database health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from cschat.auth.dependencies import CurrentUser, PublicRoute
from cschat.core import metrics
from cschat.core.db import DatabaseDep
from cschat.health import service

router = APIRouter(tags=["health"])


@router.get(
    "/health", summary="Liveness: the process answers (no database)", dependencies=[PublicRoute]
)
async def health() -> dict[str, Any]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Readiness: database reachable and migrated to head",
    dependencies=[PublicRoute],
    responses={503: {"description": "Database unreachable or not migrated"}},
)
async def ready(db: DatabaseDep) -> JSONResponse:
    report = await service.readiness(db)
    return JSONResponse(report, status_code=200 if report["ready"] else 503)


@router.get(
    "/api/database/health",
    summary="Database health in the seed's shape",
    responses={503: {"description": "Database unreachable"}},
)
async def database_health(db: DatabaseDep, _: CurrentUser) -> JSONResponse:
    ok = await service.database_reachable(db)
    if ok:
        return JSONResponse({"success": True, "message": "Base de datos conectada"})
    return JSONResponse(
        {"success": False, "message": "Base de datos no disponible"}, status_code=503
    )


@router.get(
    "/metrics", summary="Prometheus metrics", include_in_schema=False, dependencies=[PublicRoute]
)
async def prometheus_metrics(_: Request) -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
