"""/api/audit: read and export the audit log (Supervisors)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from cschat.audit import service
from cschat.audit.repository import AuditFilter
from cschat.audit.schemas import AuditEventRead, AuditPageRead
from cschat.auth.dependencies import SupervisorUser
from cschat.core import csv_export
from cschat.core.db import Database, DatabaseDep, SessionDep
from cschat.core.paging import Offset

router = APIRouter(tags=["admin"])

CSV_COLUMNS = ("at", "actor", "action", "target", "details", "ip", "request_id")


async def _csv(db: Database, f: AuditFilter) -> AsyncIterator[str]:
    # Its own session: the request's session is closed before a streamed body is sent.
    yield csv_export.line(CSV_COLUMNS)
    async with db.sessionmaker() as session:
        async for e in service.stream_events(session, f):
            details = json.dumps(e.details, ensure_ascii=False, sort_keys=True)
            yield csv_export.line(
                (e.at.isoformat(), e.actor, e.action, e.target, details, e.ip, e.request_id)
            )


@router.get(
    "/api/audit",
    summary="The audit log, newest first; ?format=csv exports every match (oldest first)",
    response_model=AuditPageRead,
    responses={200: {"content": {"text/csv": {}}}},
)
async def list_audit(
    user: SupervisorUser,
    session: SessionDep,
    db: DatabaseDep,
    action: Annotated[
        str | None, Query(max_length=64, description="An action, or a family such as `user.`")
    ] = None,
    actor: Annotated[str | None, Query(max_length=320)] = None,
    target: Annotated[str | None, Query(max_length=320)] = None,
    since: Annotated[datetime | None, Query(description="Inclusive, ISO 8601")] = None,
    until: Annotated[datetime | None, Query(description="Exclusive, ISO 8601")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> AuditPageRead | StreamingResponse:
    f = service.check_window(
        AuditFilter(
            action=action,
            actor=actor.lower() if actor else None,
            target=target,
            since=since,
            until=until,
        )
    )
    if format == "csv":
        return StreamingResponse(
            _csv(db, f),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    items, total = await service.list_events(session, f, limit=limit, offset=offset)
    return AuditPageRead(items=[AuditEventRead.model_validate(e) for e in items], total=total)
