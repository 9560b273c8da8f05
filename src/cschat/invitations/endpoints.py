"""Invitations: send (/api/users/invite), look up and accept (public), list, resend, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from cschat.auth.dependencies import PublicRoute, SettingsDep, SupervisorUser
from cschat.core.db import SessionDep
from cschat.core.paging import Offset
from cschat.email.backends import MailerDep
from cschat.invitations import service
from cschat.invitations.models import Invitation
from cschat.invitations.schemas import (
    InvitationAccept,
    InvitationAcceptRead,
    InvitationCreate,
    InvitationListRead,
    InvitationPublicRead,
    InvitationRead,
)
from cschat.users.directory import DirectoryDep

router = APIRouter(tags=["admin"])


async def _admin(
    settings: SettingsDep, mailer: MailerDep, directory: DirectoryDep
) -> service.Admin:
    return service.Admin(settings=settings, mailer=mailer, directory=directory)


AdminDep = Annotated[service.Admin, Depends(_admin)]


def _read(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        language=invitation.language,
        status=service.status_of(invitation),
        invited_by=invitation.invited_by,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
    )


@router.post(
    "/api/users/invite",
    summary="Invite someone: a pending account and an emailed accept link",
    status_code=201,
)
async def invite(
    body: InvitationCreate,
    request: Request,
    user: SupervisorUser,
    session: SessionDep,
    admin: AdminDep,
) -> InvitationRead:
    invitation = await service.invite(
        session,
        admin,
        email=body.email,
        role=body.role,
        given_name=body.given_name,
        family_name=body.family_name,
        language=body.language,
        actor=user.email,
        request=request,
    )
    return _read(invitation)


@router.get("/api/invitations", summary="Invitations, newest first")
async def list_invitations(
    user: SupervisorUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> InvitationListRead:
    rows, total = await service.list_invitations(session, limit=limit, offset=offset)
    return InvitationListRead(invitations=[_read(i) for i in rows], total=total)


@router.post(
    "/api/invitations/accept",
    summary="Accept an invitation (local: sets the password and activates)",
    dependencies=[PublicRoute],
)
async def accept(
    body: InvitationAccept, request: Request, session: SessionDep, admin: AdminDep
) -> InvitationAcceptRead:
    user = await service.accept(
        session,
        admin,
        token=body.token,
        password=body.password,
        given_name=body.given_name,
        family_name=body.family_name,
        request=request,
    )
    return InvitationAcceptRead(email=user.email, status=user.status)


@router.get(
    "/api/invitations/{token}",
    summary="What an invitation token is for (email, role, inviter, expiry)",
    dependencies=[PublicRoute],
)
async def lookup(token: str, session: SessionDep, settings: SettingsDep) -> InvitationPublicRead:
    invitation, role = await service.lookup(session, token)
    local = settings.auth.provider == "local"
    return InvitationPublicRead(
        email=invitation.email,
        role=role,
        inviter=invitation.invited_by,
        expires_at=invitation.expires_at,
        provider=settings.auth.provider,
        password_required=local,
    )


@router.post(
    "/api/invitations/{invitation_id}/resend",
    summary="Send a new link; the previous one stops working",
    status_code=201,
)
async def resend(
    invitation_id: int,
    request: Request,
    user: SupervisorUser,
    session: SessionDep,
    admin: AdminDep,
) -> InvitationRead:
    invitation = await service.resend(
        session, admin, invitation_id=invitation_id, actor=user.email, request=request
    )
    return _read(invitation)


@router.delete("/api/invitations/{invitation_id}", summary="Revoke an invitation")
async def revoke(
    invitation_id: int,
    request: Request,
    user: SupervisorUser,
    session: SessionDep,
    admin: AdminDep,
) -> InvitationRead:
    invitation = await service.revoke(
        session, admin, invitation_id=invitation_id, actor=user.email, request=request
    )
    return _read(invitation)
