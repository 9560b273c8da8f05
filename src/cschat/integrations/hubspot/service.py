"""HubSpot sync rules the endpoints call: start a run, report the status."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal
from cschat.integrations.hubspot import repository
from cschat.integrations.hubspot.mapping import SOURCE
from cschat.integrations.hubspot.runner import SyncRunner
from cschat.integrations.hubspot.schemas import HubSpotStatusRead, SyncRunRead

log = structlog.get_logger(__name__)


async def start_sync(runner: SyncRunner, *, full: bool, user: Principal) -> int:
    """Start a background sync for a Supervisor; Conflict while one runs."""
    run_id = await runner.start(full=full, trigger="api", actor=user.email)
    log.info("hubspot.sync_requested", run_id=run_id, full=full, actor=user.email)
    return run_id


async def sync_status(
    session: AsyncSession, runner: SyncRunner, *, interval_minutes: int
) -> HubSpotStatusRead:
    """Last run, counts, cursor and the next scheduled run."""
    # `running` first: a run records its end before it stops counting as running, so a row read
    # afterwards is never older than the flag (read the other way round, a run finishing in
    # between showed as not running yet still `running`).
    running = await runner.running()
    state = await repository.get_state(session, SOURCE)
    last = await repository.last_run(session, SOURCE)
    shown = SyncRunRead.model_validate(last) if last else None
    if last is not None and last.status == "running" and not running:
        running = await runner.running()  # a run that began since the first look
        if not running and runner.sees_every_run:
            # Nobody holds the lock, yet the row says `running`: the process that ran it died.
            # The next run marks it so.
            shown = SyncRunRead.model_validate(last).model_copy(
                update={"status": "interrupted", "detail": repository.STALE_RUN_DETAIL}
            )
    cursor = (
        datetime.fromtimestamp(state.cursor_ms / 1000, UTC)
        if state is not None and state.cursor_ms is not None
        else None
    )
    return HubSpotStatusRead(
        configured=runner.configured,
        running=running,
        cursor=cursor,
        cursor_ticket_id=state.cursor_id if state else None,
        last_full_at=state.last_full_at if state else None,
        interval_minutes=interval_minutes,
        next_run_at=runner.next_run_at,
        tickets=await repository.count_tickets(session, SOURCE),
        last_run=shown,
    )
