"""Request and response bodies of the HubSpot sync endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class HubSpotSyncCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full: bool = Field(False, description="Re-read every ticket from the start (a rebuild).")


class SyncRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    mode: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    inserted: int
    updated: int
    upserted: int
    removed: int
    errors: int
    detail: str | None


class HubSpotSyncStarted(BaseModel):
    run_id: int
    status: str = "running"


class HubSpotStatusRead(BaseModel):
    configured: bool
    running: bool
    cursor: datetime | None = Field(description="Newest hs_lastmodifieddate synced so far.")
    cursor_ticket_id: str | None = Field(description="The last ticket of the batch it came from.")
    last_full_at: datetime | None
    interval_minutes: int
    next_run_at: datetime | None
    tickets: int = Field(description="HubSpot tickets in the tickets table.")
    last_run: SyncRunRead | None
