"""Rules for accounts: normalised emails, roles, statuses; disabling revokes sessions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth import repository as auth_repository
from cschat.core.db import utcnow
from cschat.core.errors import BadRequest, Conflict, NotFound
from cschat.core.security import hash_password
from cschat.users import repository
from cschat.users.models import ROLES, STATUSES, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased: emails are unique regardless of case."""
    return email.strip().lower()


def valid_email(email: str) -> str:
    """The normalised email, or BadRequest naming the problem."""
    normalized = normalize_email(email)
    if len(normalized) > 320 or not _EMAIL.match(normalized):
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
