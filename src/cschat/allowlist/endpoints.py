"""/api/allowlist: who may sign in uninvited (Supervisors)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cschat.allowlist import service
from cschat.allowlist.schemas import (
    AllowlistDeleteRead,
    AllowlistEntryCreate,
    AllowlistEntryRead,
    AllowlistRead,
)
from cschat.auth.dependencies import SupervisorUser
from cschat.core.db import SessionDep

router = APIRouter(tags=["admin"])


@router.get("/api/allowlist", summary="The allowlist (emails and @domains)")
async def list_allowlist(user: SupervisorUser, session: SessionDep) -> AllowlistRead:
    entries = await service.list_entries(session)
    return AllowlistRead(entries=[AllowlistEntryRead.model_validate(e) for e in entries])


@router.post("/api/allowlist", summary="Add an email or @domain to the allowlist", status_code=201)
async def add_to_allowlist(
    body: AllowlistEntryCreate, request: Request, user: SupervisorUser, session: SessionDep
) -> AllowlistEntryRead:
    added = await service.add_entry(session, entry=body.entry, actor=user.email, request=request)
    return AllowlistEntryRead.model_validate(added)


@router.delete("/api/allowlist/{entry}", summary="Remove an email or @domain from the allowlist")
async def remove_from_allowlist(
    entry: str, request: Request, user: SupervisorUser, session: SessionDep
) -> AllowlistDeleteRead:
    removed = await service.remove_entry(session, entry=entry, actor=user.email, request=request)
    return AllowlistDeleteRead(entry=removed)
