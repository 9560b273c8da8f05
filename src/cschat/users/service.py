"""Rules for accounts: normalised emails, roles, statuses; disabling revokes sessions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit import service as audit
from cschat.auth import repository as auth_repository
from cschat.chat import repository as chat_repository
from cschat.core.db import utcnow
from cschat.core.errors import BadRequest, Conflict, NotFound
from cschat.core.security import hash_password
from cschat.users import repository
from cschat.users.directory import Directory
from cschat.users.models import ROLES, STATUSES, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    """Trimmed, lower-cased and NFC: emails are unique regardless of case or Unicode form."""
    return unicodedata.normalize("NFC", email.strip().lower())


def _invisible(char: str) -> bool:
    # Control and format characters (NUL, zero-width spaces, direction marks): PostgreSQL
    # cannot store NUL, and the others make look-alikes of an existing address.
    return unicodedata.category(char) in ("Cc", "Cf", "Cs")


def valid_email(email: str) -> str:
    """The normalised email, or BadRequest naming the problem."""
    normalized = normalize_email(email)
    if (
        len(normalized) > 320
        or not _EMAIL.match(normalized)
        or any(_invisible(c) for c in normalized)
    ):
        raise BadRequest(f"email: {email!r} is not an email address")
    return normalized


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise BadRequest(f"role: must be one of {', '.join(ROLES)} (got {role!r})")
    return role


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password: must have at least {MIN_PASSWORD_LENGTH} characters")


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    role: str,
    password: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    status: str = "active",
) -> User:
    """A new account; Conflict when the email is taken."""
    normalized = valid_email(email)
    _check_role(role)
    if status not in STATUSES:
        raise BadRequest(f"status: must be one of {', '.join(STATUSES)}")
    if password is not None:
        _check_password(password)
    if await repository.get_by_email(session, normalized) is not None:
        raise Conflict(f"A user with email {normalized} already exists.")
    return await repository.add(
        session,
        User(
            email=normalized,
            role=role,
            status=status,
            given_name=given_name,
            family_name=family_name,
            password_hash=hash_password(password) if password is not None else None,
        ),
    )


async def get_user(session: AsyncSession, email: str) -> User:
    user = await repository.get_by_email(session, normalize_email(email))
    if user is None:
        raise NotFound(f"No user with email {normalize_email(email)}.")
    return user


async def list_users(session: AsyncSession) -> Sequence[User]:
    return await repository.list_users(session)


async def set_role(session: AsyncSession, *, email: str, role: str) -> User:
    user = await get_user(session, email)
    user.role = _check_role(role)
    await session.flush()
    return user


async def set_status(session: AsyncSession, *, email: str, status: str) -> User:
    """Change the status; disabling also revokes every refresh token of the user."""
    if status not in STATUSES:
        raise BadRequest(f"status: must be one of {', '.join(STATUSES)} (got {status!r})")
    user = await get_user(session, email)
    user.status = status
    if status == "disabled":
        await auth_repository.revoke_user_tokens(session, user.id, utcnow())
    await session.flush()
    return user


async def set_password(session: AsyncSession, *, email: str, password: str) -> User:
    _check_password(password)
    user = await get_user(session, email)
    user.password_hash = hash_password(password)
    await session.flush()
    return user


async def search_users(
    session: AsyncSession,
    *,
    role: str | None = None,
    status: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[User], int]:
    """One page of users matching role, status and a name/email fragment, and the total."""
    if text is not None and "\x00" in text:
        raise BadRequest("search: must not contain NUL characters")
    return await repository.search(
        session, role=role, status=status, text=text, limit=limit, offset=offset
    )


async def guard_last_supervisor(
    session: AsyncSession, user: User, *, role: str, status: str | None
) -> None:
    """Conflict when the change would leave no active Supervisor (`status` None = deletion)."""
    if user.role != "Supervisor" or user.status != "active":
        return
    if role == "Supervisor" and status == "active":
        return
    if await repository.other_active_supervisors(session, user.id) == 0:
        raise Conflict(
            f"{user.email} is the last active Supervisor: promote or enable another one first."
        )


async def update_user(
    session: AsyncSession,
    directory: Directory,
    *,
    email: str,
    changes: dict[str, str | None],
    actor: str,
    request: Request | None = None,
) -> User:
    """Apply name, role and status changes; each kind is audited and mirrored in the directory."""
    user = await get_user(session, email)
    role = _check_role(changes.get("role") or user.role)
    status = changes.get("status") or user.status
    if status not in STATUSES:
        raise BadRequest(f"status: must be one of {', '.join(STATUSES)} (got {status!r})")
    await guard_last_supervisor(session, user, role=role, status=status)
    names: dict[str, Any] = {
        field: changes[field]
        for field in ("given_name", "family_name")
        if field in changes and changes[field] != getattr(user, field)
    }
    if names:
        for field, value in names.items():
            setattr(user, field, value)
        await audit.record(
            session,
            actor=actor,
            action="user.update",
            target=user.email,
            details=names,
            request=request,
        )
    if role != user.role:
        await _change_role(session, directory, user, role, actor=actor, request=request)
    if status != user.status:
        await _change_status(session, directory, user, status, actor=actor, request=request)
    await session.flush()
    return user


async def change_role(
    session: AsyncSession,
    directory: Directory,
    *,
    email: str,
    role: str,
    actor: str,
    request: Request | None = None,
) -> User:
    """Set the role here and, with Cognito, the group membership."""
    user = await get_user(session, email)
    _check_role(role)
    await guard_last_supervisor(session, user, role=role, status=user.status)
    if role != user.role:
        await _change_role(session, directory, user, role, actor=actor, request=request)
    return user


async def _change_role(
    session: AsyncSession,
    directory: Directory,
    user: User,
    role: str,
    *,
    actor: str,
    request: Request | None,
) -> None:
    before, user.role = user.role, role
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="user.role_change",
        target=user.email,
        details={"from": before, "to": role},
        request=request,
    )
    # After our change is flushed: if Cognito refuses, the request's transaction rolls back.
    await directory.set_role(email=user.email, role=role)


async def _change_status(
    session: AsyncSession,
    directory: Directory,
    user: User,
    status: str,
    *,
    actor: str,
    request: Request | None,
) -> None:
    before, user.status = user.status, status
    if status == "disabled":
        await auth_repository.revoke_user_tokens(session, user.id, utcnow())
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="user.status_change",
        target=user.email,
        details={"from": before, "to": status},
        request=request,
    )
    if status in ("active", "disabled"):
        await directory.set_enabled(email=user.email, enabled=status == "active")


async def delete_user(
    session: AsyncSession,
    directory: Directory,
    *,
    email: str,
    actor: str,
    request: Request | None = None,
) -> None:
    """Remove the account here (its tokens and invitations go with it) and in the directory."""
    user = await get_user(session, email)
    await guard_last_supervisor(session, user, role="Agent", status=None)
    target, details = user.email, {"role": user.role, "status": user.status}
    # A delete committed meanwhile (a double click) leaves nothing to delete: 404 like a later one.
    if not await repository.delete_user(session, user.id):
        raise NotFound(f"No user with email {target}.")
    # Their conversations go too: they are personal data, and an address given to someone else
    # later must not come with the previous owner's history (sessions are keyed by email).
    chats = await chat_repository.delete_sessions_of(session, target)
    await audit.record(
        session,
        actor=actor,
        action="user.delete",
        target=target,
        details={**details, "chat_sessions": chats},
        request=request,
    )
    await directory.delete_user(email=target)
