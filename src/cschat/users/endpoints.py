"""/api/users: list, read, update, delete and re-role accounts (Supervisors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from cschat.auth.dependencies import SupervisorUser
from cschat.core.db import SessionDep
from cschat.core.paging import Offset
from cschat.users import service
from cschat.users.directory import DirectoryDep
from cschat.users.schemas import (
    RoleName,
    RoleUpdate,
    StatusName,
    UserDeleteRead,
    UserListRead,
    UserRead,
    UserUpdate,
)

router = APIRouter(tags=["admin"])


@router.get("/api/users", summary="List users (filter by role and status, search)")
async def list_users(
    user: SupervisorUser,
    session: SessionDep,
    role: RoleName | None = None,
    status: StatusName | None = None,
    search: Annotated[
        str | None, Query(max_length=320, description="Part of the email or name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> UserListRead:
    users, total = await service.search_users(
        session, role=role, status=status, text=search, limit=limit, offset=offset
    )
    return UserListRead(users=[UserRead.model_validate(u) for u in users], total=total)


@router.get("/api/users/{email}", summary="One user")
async def get_user(email: str, user: SupervisorUser, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await service.get_user(session, email))


@router.put(
    "/api/users/{email}",
    summary="Change a user's names, role or status (409 for the last active Supervisor)",
)
async def update_user(
    email: str,
    body: UserUpdate,
    request: Request,
    user: SupervisorUser,
    session: SessionDep,
    directory: DirectoryDep,
) -> UserRead:
    updated = await service.update_user(
        session,
        directory,
        email=email,
        changes=body.model_dump(exclude_unset=True),
        actor=user.email,
        request=request,
    )
    return UserRead.model_validate(updated)


@router.put("/api/users/{email}/role", summary="Change a user's role (and Cognito group)")
async def change_role(
    email: str,
    body: RoleUpdate,
    request: Request,
    user: SupervisorUser,
    session: SessionDep,
    directory: DirectoryDep,
) -> UserRead:
    updated = await service.change_role(
        session, directory, email=email, role=body.role, actor=user.email, request=request
    )
    return UserRead.model_validate(updated)


@router.delete("/api/users/{email}", summary="Delete a user (here and in Cognito)")
async def delete_user(
    email: str,
    request: Request,
    user: SupervisorUser,
    session: SessionDep,
    directory: DirectoryDep,
) -> UserDeleteRead:
    await service.delete_user(session, directory, email=email, actor=user.email, request=request)
    return UserDeleteRead(email=service.normalize_email(email))
