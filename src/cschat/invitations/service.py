"""Invite, look up, accept, resend and revoke; every step is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit import service as audit
from cschat.core.config import Settings
from cschat.core.db import utcnow
from cschat.core.errors import BadRequest, Conflict, Gone, NotFound
from cschat.core.security import hash_password, new_token, token_digest
from cschat.email.backends import EmailBackend
from cschat.email.templates import LANGUAGES, invitation_mail
from cschat.invitations import repository
from cschat.invitations.models import Invitation
from cschat.users import repository as users_repository
from cschat.users import service as users_service
from cschat.users.directory import Directory
from cschat.users.models import User

INVALID_LINK = "This invitation link is not valid: ask a Supervisor for a new invitation."


@dataclass(frozen=True)
class Admin:
    """What invitation work needs from the app: settings, the mailer and the directory."""

    settings: Settings
    mailer: EmailBackend
    directory: Directory


InvitationStatus = Literal["pending", "accepted", "revoked", "expired"]


def status_of(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    """accepted, revoked, expired or pending."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or utcnow()):
        return "expired"
    return "pending"


def accept_link(settings: Settings, token: str) -> str:
    """`{FRONTEND_URL}/invite/accept?token=...`."""
    return f"{settings.app.frontend_url.rstrip('/')}/invite/accept?{urlencode({'token': token})}"


async def _issue(
    session: AsyncSession,
    admin: Admin,
    user: User,
    *,
    language: str,
    actor: str,
) -> Invitation:
    """A new invitation row (older open ones revoked), its token mailed and never stored."""
    # One issue at a time per user: two concurrent ones would each miss the other's new row
    # and leave two open invitations.
    await users_repository.lock(session, user.id)
    now = utcnow()
    await repository.revoke_open_for_user(session, user.id, now)
    token = new_token(32)
    invitation = await repository.add(
        session,
        Invitation(
            user_id=user.id,
            email=user.email,
            role=user.role,
            language=language,
            token_hash=token_digest(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=admin.settings.email.invitation_ttl_hours),
        ),
    )
    # Last: if the mail cannot be sent, the request fails and its transaction rolls back.
    await admin.mailer.send(
        invitation_mail(
            to=user.email,
            language=language,
            link=accept_link(admin.settings, token),
            inviter=actor,
            role=user.role,
            given_name=user.given_name,
            expires_at=invitation.expires_at,
        )
    )
    return invitation


async def invite(
    session: AsyncSession,
    admin: Admin,
    *,
    email: str,
    role: str,
    given_name: str | None,
    family_name: str | None,
    language: str | None,
    actor: str,
    request: Request | None = None,
) -> Invitation:
    """A pending account (here and in the directory) and a mailed invitation."""
    normalized = users_service.valid_email(email)
    language = language or admin.settings.email.default_language
    if language not in LANGUAGES:
        raise BadRequest(f"language: must be one of {', '.join(LANGUAGES)}")
    user = await users_repository.get_by_email(session, normalized)
    if user is None:
        user = await users_service.create_user(
            session,
            email=normalized,
            role=role,
            given_name=given_name,
            family_name=family_name,
            status="pending",
        )
    elif user.status == "active":
        raise Conflict(f"{normalized} already has an active account.")
    else:
        # Pending (invited again) or disabled (brought back): start over as invited.
        user.role = role
        user.status = "pending"
        user.given_name = given_name or user.given_name
        user.family_name = family_name or user.family_name
    sub = await admin.directory.create_user(
        email=normalized, role=role, given_name=user.given_name, family_name=user.family_name
    )
    await admin.directory.set_enabled(email=normalized, enabled=True)
    if sub and user.cognito_sub is None:
        user.cognito_sub = sub
    await session.flush()
    invitation = await _issue(session, admin, user, language=language, actor=actor)
    await audit.record(
        session,
        actor=actor,
        action="invitation.create",
        target=normalized,
        details={"invitation_id": invitation.id, "role": role, "language": language},
        request=request,
    )
    return invitation


async def _open_by_token(session: AsyncSession, token: str) -> Invitation:
    invitation = await repository.by_token_hash(session, token_digest(token))
    if invitation is None:
        raise NotFound(INVALID_LINK)
    _refuse_closed(invitation)
    user = await users_repository.get_by_id(session, invitation.user_id)
    if user is not None and user.status == "disabled":
        # Accepting would make the account active again behind the Supervisor's back.
        raise Gone("This invitation was revoked: ask a Supervisor for a new invitation.")
    return invitation


def _refuse_closed(invitation: Invitation) -> None:
    status = status_of(invitation)
    if status == "accepted":
        raise Conflict("This invitation was already accepted: sign in instead.")
    if status == "revoked":
        raise Gone(
            "This invitation was revoked or replaced by a newer one: use the latest email, "
            "or ask a Supervisor for a new invitation."
        )
    if status == "expired":
        expired = invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        raise Gone(f"This invitation expired on {expired}: ask a Supervisor for a new one.")


async def lookup(session: AsyncSession, token: str) -> tuple[Invitation, str]:
    """The open invitation behind a token and the role its account has now (a Supervisor may
    have changed it since the invitation was sent); 404, 409 or 410 with the reason otherwise."""
    invitation = await _open_by_token(session, token)
    user = await users_repository.get_by_id(session, invitation.user_id)
    return invitation, user.role if user is not None else invitation.role


async def accept(
    session: AsyncSession,
    admin: Admin,
    *,
    token: str,
    password: str | None,
    given_name: str | None,
    family_name: str | None,
    request: Request | None = None,
) -> User:
    """Accept once: local accounts get their password and become active; Cognito accounts
    get their password in Cognito (if given) and become active on their first sign-in."""
    invitation = await _open_by_token(session, token)
    local = admin.settings.auth.provider == "local"
    if local and not password:
        raise BadRequest("password: required to accept the invitation")
    if password is not None and len(password) < users_service.MIN_PASSWORD_LENGTH:
        raise BadRequest(
            f"password: must have at least {users_service.MIN_PASSWORD_LENGTH} characters"
        )
    password_hash = None
    if local and password:
        # Hashed before the claim, so the row lock is held for milliseconds, not a hash's time.
        password_hash = await to_thread.run_sync(hash_password, password)
    if not await repository.claim(session, invitation.id, utcnow()):
        await session.refresh(invitation)
        _refuse_closed(invitation)
        raise Conflict("This invitation was already accepted: sign in instead.")
    await session.refresh(invitation)
    user = await users_repository.get_by_id(session, invitation.user_id)
    if user is None:
        raise NotFound(INVALID_LINK)
    user.given_name = given_name or user.given_name
    user.family_name = family_name or user.family_name
    if local:
        user.password_hash = password_hash
        user.status = "active"
    elif password:
        await admin.directory.set_password(email=user.email, password=password)
    await session.flush()
    await audit.record(
        session,
        actor=user.email,
        action="invitation.accept",
        target=user.email,
        details={"invitation_id": invitation.id},
        request=request,
    )
    return user


async def list_invitations(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[Sequence[Invitation], int]:
    return await repository.page(session, limit=limit, offset=offset)


async def _get(session: AsyncSession, invitation_id: int) -> Invitation:
    invitation = await repository.get(session, invitation_id)
    if invitation is None:
        raise NotFound(f"No invitation with id {invitation_id}.")
    return invitation


async def resend(
    session: AsyncSession,
    admin: Admin,
    *,
    invitation_id: int,
    actor: str,
    request: Request | None = None,
) -> Invitation:
    """A new token (and mail) for a not yet accepted invitation; the old token stops working."""
    old = await _get(session, invitation_id)
    if old.accepted_at is not None:
        raise Conflict("This invitation was already accepted: nothing to resend.")
    user = await users_repository.get_by_id(session, old.user_id)
    if user is None or user.status == "active":
        raise Conflict(f"{old.email} already has an active account.")
    user.status = "pending"
    await admin.directory.set_enabled(email=user.email, enabled=True)
    invitation = await _issue(session, admin, user, language=old.language, actor=actor)
    await audit.record(
        session,
        actor=actor,
        action="invitation.resend",
        target=user.email,
        details={"invitation_id": invitation.id, "replaces": old.id},
        request=request,
    )
    return invitation


async def revoke(
    session: AsyncSession,
    admin: Admin,
    *,
    invitation_id: int,
    actor: str,
    request: Request | None = None,
) -> Invitation:
    """Kill an unaccepted invitation; its pending account is disabled so it cannot sign in."""
    invitation = await _get(session, invitation_id)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted: disable the user instead.")
    now = utcnow()
    if invitation.revoked_at is None:
        invitation.revoked_at = now
    # Revoking one that a resend replaced must kill the newer link too.
    await repository.revoke_open_for_user(session, invitation.user_id, now)
    user = await users_repository.get_by_id(session, invitation.user_id)
    if user is not None and user.status == "pending":
        user.status = "disabled"
        await admin.directory.set_enabled(email=user.email, enabled=False)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="invitation.revoke",
        target=invitation.email,
        details={"invitation_id": invitation.id},
        request=request,
    )
    return invitation
