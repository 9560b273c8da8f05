"""Ticket analytics over HTTP: database stats, structured queries and sandboxed SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from cschat.audit import service as audit
from cschat.auth.dependencies import Principal, SettingsDep, SupervisorUser, key_or_supervisor
from cschat.core.db import DatabaseDep, ReadSessionDep, SessionDep
from cschat.core.errors import AppError
from cschat.tickets import query, stats
from cschat.tickets.schemas import (
    DatabaseStatsRead,
    QueryParams,
    QueryRead,
    SqlQueryCreate,
    SqlQueryRead,
)

router = APIRouter()
AUDITED_SQL_CHARS = 2000
QUERY_CALLER = key_or_supervisor("query")
QueryCaller = Annotated[Principal, QUERY_CALLER]


@router.get(
    "/api/database/stats",
    tags=["database"],
    summary="Ticket totals, breakdowns and resolution times (Supervisor)",
    response_model=DatabaseStatsRead,
)
async def database_stats(
    session: ReadSessionDep, user: SupervisorUser, settings: SettingsDep
) -> dict[str, Any]:
    return await stats.database_stats(
        session, principal=user, tz=settings.app.tz, now=datetime.now(UTC)
    )


@router.get(
    "/data/query",
    tags=["query"],
    summary="Structured read-only query: a metric by dimension or period (JSON or CSV)",
    response_model=QueryRead,
    responses={200: {"content": {"text/csv": {}}}},
)
async def structured_query(
    params: Annotated[QueryParams, Query()],
    session: ReadSessionDep,
    caller: QueryCaller,
    settings: SettingsDep,
) -> Any:
    result = await query.structured_query(
        params, session=session, principal=caller, tz=settings.app.tz, now=datetime.now(UTC)
    )
    if params.format == "csv":
        return StreamingResponse(
            query.csv_lines(result["columns"], result["rows"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="query.csv"'},
        )
    return result


@router.post(
    "/data/query/sql",
    tags=["query"],
    summary="One read-only SELECT over tickets / resolved_tickets (sandboxed)",
    response_model=SqlQueryRead,
)
async def sql_query(
    request: Request,
    body: SqlQueryCreate,
    db: DatabaseDep,
    session: SessionDep,
    caller: QueryCaller,
    settings: SettingsDep,
) -> dict[str, Any]:
    audited = {"sql": body.sql[:AUDITED_SQL_CHARS], "via": caller.via}
    try:
        result = await query.run_sql(body.sql, db=db, settings=settings.db)
    except AppError as exc:
        await audit.record_failure(
            session,
            actor=caller.email,
            action="query.sql",
            details={**audited, "refused": exc.detail},
            request=request,
        )
        raise
    await audit.record(
        session,
        actor=caller.email,
        action="query.sql",
        details={**audited, "row_count": result["row_count"], "truncated": result["truncated"]},
        request=request,
    )
    return result
