"""/api/api-keys: create (the key is shown once), list, revoke (Supervisors)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cschat.apikeys import service
from cschat.apikeys.schemas import ApiKeyCreate, ApiKeyCreatedRead, ApiKeyListRead, ApiKeyRead
from cschat.auth.dependencies import SupervisorUser
from cschat.core.db import SessionDep

router = APIRouter(tags=["admin"])


@router.post(
    "/api/api-keys",
    summary="Create an API key; the reply is the only time the key is shown",
    status_code=201,
)
async def create_key(
    body: ApiKeyCreate, request: Request, user: SupervisorUser, session: SessionDep
) -> ApiKeyCreatedRead:
    key, secret = await service.create_key(
        session,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
        actor=user.email,
        request=request,
    )
    return ApiKeyCreatedRead(**ApiKeyRead.model_validate(key).model_dump(), key=secret)


@router.get("/api/api-keys", summary="API keys (without the keys themselves)")
async def list_keys(user: SupervisorUser, session: SessionDep) -> ApiKeyListRead:
    return ApiKeyListRead(
        keys=[ApiKeyRead.model_validate(k) for k in await service.list_keys(session)]
    )


@router.delete("/api/api-keys/{key_id}", summary="Revoke an API key (effective immediately)")
async def revoke_key(
    key_id: int, request: Request, user: SupervisorUser, session: SessionDep
) -> ApiKeyRead:
    key = await service.revoke_key(session, key_id=key_id, actor=user.email, request=request)
    return ApiKeyRead.model_validate(key)
