"""`POST /data/ingest`: stream tickets in as JSON, NDJSON or CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from cschat.audit import service as audit
from cschat.auth.dependencies import Principal, SettingsDep, key_or_supervisor
from cschat.core.db import DatabaseDep
from cschat.core.errors import PayloadTooLarge, UnsupportedMediaType
from cschat.tickets.ingest import service
from cschat.tickets.ingest.parsers import MEDIA_TYPES
from cschat.tickets.ingest.schemas import IngestRead, OnError

router = APIRouter(prefix="/data", tags=["ingest"])
AUDITED_COUNTS = ("received", "inserted", "updated", "unchanged", "rejected")
IngestCaller = Annotated[Principal, key_or_supervisor("ingest")]

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The body is larger than INGEST_MAX_BODY_BYTES ({limit} bytes).")


async def _body(request: Request, limit: int) -> AsyncIterator[bytes]:
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise service.UploadInterrupted from None


@router.post(
    "/ingest",
    summary="Ingest tickets (JSON, NDJSON or CSV) with an optional column mapping",
    response_model=IngestRead,
    openapi_extra=_BODY_DOC,
)
async def ingest(
    request: Request,
    caller: IngestCaller,
    settings: SettingsDep,
    db: DatabaseDep,
    map: Annotated[
        str | None,
        Query(description="Column mapping: JSON, `col=field,col=field` or `@preset`."),
    ] = None,
    source: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Default `source` of rows.")
    ] = None,
    timezone: Annotated[
        str | None, Query(description="IANA zone for naive times (default APP_TIMEZONE).")
    ] = None,
    on_error: Annotated[OnError, Query(description="`skip` bad rows or `reject_all`.")] = "skip",
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=255)] = None,
) -> JSONResponse:
    """Upsert the uploaded tickets by (source, external_id) and count what happened."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise UnsupportedMediaType(
            f"Content-Type '{media_type or 'none'}' is not accepted; send "
            f"{', '.join(sorted(MEDIA_TYPES))}."
        )
    limit = settings.ingest.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    outcome = await service.ingest(
        db.engine,
        _body(request, limit),
        options=service.IngestOptions(
            format=fmt, map=map, source=source, timezone=timezone, on_error=on_error
        ),
        caller=service.Caller(id=caller.user_id, name=caller.email),
        app_tz=settings.app.tz,
        batch_rows=settings.ingest.batch_rows,
        idempotency_key=idempotency_key,
    )
    if not outcome.replayed:
        async with db.transaction() as session:
            await audit.record(
                session,
                actor=caller.email,
                action="ingest.batch",
                target=source or "ingest",
                details={
                    "status_code": outcome.status_code,
                    "format": fmt,
                    "on_error": on_error,
                    **{k: outcome.body.get(k) for k in AUDITED_COUNTS},
                },
                request=request,
            )
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)
