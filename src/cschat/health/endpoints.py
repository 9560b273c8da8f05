"""Liveness, readiness and the seed's database health check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from cschat.auth.dependencies import Principal, PublicRoute, current_user
from cschat.core import metrics
from cschat.core.db import DatabaseDep
from cschat.core.errors import DATABASE_DOWN, ServiceUnavailable, error_body
from cschat.health import service

router = APIRouter(tags=["health"])

# The seed's `{success, message}` (what a front end written for it shows) with the error shape's
# `error` and `detail`: the same body whichever check finds the database down.
DATABASE_DOWN_BODY = {
    "success": False,
    "message": "Base de datos no disponible",
    **error_body(ServiceUnavailable.code, DATABASE_DOWN),
}


async def signed_in_unless_database_down(request: Request) -> Principal | None:
    """The signed-in user, or None when the account cannot be read because the database is down.

    Signing in reads the account, so without this a down database would answer the generic 503
    body before the seed's `{success, message}` could. A missing or bad token is still a 401.
    """
    try:
        return await current_user(request)
    except ServiceUnavailable:
        if await service.database_reachable(request.app.state.db):
            raise
        return None


signed_in_unless_database_down.access = "user"  # type: ignore[attr-defined]


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
    if report["ready"]:
        return JSONResponse(report)
    if report["database"] == "ok":
        at = f"at revision {report['revision']}" if report["revision"] else "not migrated"
        detail = f"The database is {at} (head {report['head']}): run `cschat db upgrade`."
    else:
        detail = DATABASE_DOWN
    return JSONResponse({**report, **error_body(ServiceUnavailable.code, detail)}, status_code=503)


@router.get(
    "/api/database/health",
    summary="Database health in the seed's shape",
    responses={503: {"description": "Database unreachable"}},
)
async def database_health(
    db: DatabaseDep,
    user: Annotated[Principal | None, Depends(signed_in_unless_database_down)],
) -> JSONResponse:
    if user is not None and await service.database_reachable(db):
        return JSONResponse({"success": True, "message": "Base de datos conectada"})
    return JSONResponse(DATABASE_DOWN_BODY, status_code=503)


@router.get(
    "/metrics", summary="Prometheus metrics", include_in_schema=False, dependencies=[PublicRoute]
)
async def prometheus_metrics(_: Request) -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
