"""HubSpot sync: start one in the background, read the status (Supervisors)."""

from __future__ import annotations

from fastapi import APIRouter, Body

from cschat.auth.dependencies import SettingsDep, SupervisorUser
from cschat.core.db import SessionDep
from cschat.integrations.hubspot import service
from cschat.integrations.hubspot.runner import SyncRunnerDep
from cschat.integrations.hubspot.schemas import (
    HubSpotStatusRead,
    HubSpotSyncCreate,
    HubSpotSyncStarted,
)

router = APIRouter(prefix="/api/integrations/hubspot", tags=["hubspot"])


@router.post(
    "/sync",
    summary="Start a HubSpot sync in the background",
    status_code=202,
    responses={
        409: {"description": "A sync is already running, or HUBSPOT_TOKEN is not set"},
    },
)
async def start_sync(
    user: SupervisorUser,
    runner: SyncRunnerDep,
    body: HubSpotSyncCreate | None = Body(None),
) -> HubSpotSyncStarted:
    run_id = await service.start_sync(runner, full=bool(body and body.full), user=user)
    return HubSpotSyncStarted(run_id=run_id)


@router.get("/status", summary="HubSpot sync status: last run, cursor, next scheduled run")
async def status(
    _: SupervisorUser, session: SessionDep, runner: SyncRunnerDep, settings: SettingsDep
) -> HubSpotStatusRead:
    return await service.sync_status(
        session, runner, interval_minutes=settings.hubspot.sync_interval_minutes
    )
