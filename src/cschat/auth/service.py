"""Sign-in rules shared by both providers: who may in, with which role, and who is calling."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.principal import Principal, Role, role_from_groups
from cschat.auth.providers.base import INVALID_TOKEN, AuthProvider, TokenSet
from cschat.auth.ratelimit import LoginLimiter
from cschat.core.db import utcnow
from cschat.core.errors import Forbidden, RateLimited, Unauthorized
from cschat.core.security import dummy_password_hash, verify_password
from cschat.users import repository as users
from cschat.users.models import User
from cschat.users.repository import IdentityReader
from cschat.users.service import normalize_email

WRONG_CREDENTIALS = "Wrong email or password."


async def authenticate_password(
    session: AsyncSession, limiter: LoginLimiter, *, email: str, password: str, ip: str
) -> User:
    """The active user with this email and password; 401, 403 or 429 otherwise."""
    normalized = normalize_email(email)
    wait = await limiter.retry_after(email=normalized, ip=ip)
    if wait:
        raise RateLimited(
            f"Too many failed sign-ins: try again in {wait} seconds.", retry_after=wait
        )
    user = await users.get_by_email(session, normalized)
    # Unknown emails (and accounts without a password) verify against a dummy hash so that
    # they take as long as a wrong password and the answer does not reveal which emails exist.
    stored_hash = user.password_hash if user and user.password_hash else dummy_password_hash()
    matches = await to_thread.run_sync(verify_password, stored_hash, password)
    if not matches or user is None or user.password_hash is None:
        await limiter.failed(email=normalized, ip=ip)
        raise Unauthorized(WRONG_CREDENTIALS)
    await limiter.succeeded(email=normalized)
    if user.status == "disabled":
        raise Forbidden("This account is disabled: ask a Supervisor to enable it.")
    if user.status != "active":
        raise Forbidden("This account is not active yet: accept your invitation first.")
    return user


def _allowlist_candidates(email: str) -> list[str]:
    return [email, "@" + email.rpartition("@")[2]]


async def admit(session: AsyncSession, provider: AuthProvider, tokens: TokenSet) -> User:
    """The user a fresh sign-in is for, after the invitation, allowlist and status rules."""
    claims = tokens.claims
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise Unauthorized("The identity provider sent no email for this account.")
    normalized = normalize_email(email)
    user = await users.get_by_email(session, normalized)
    if provider.name == "cognito":
        user = await _admit_cognito(session, user, normalized, claims)
    if user is None:
        raise Unauthorized(INVALID_TOKEN)
    if user.status == "disabled":
        raise Forbidden("This account is disabled: ask a Supervisor to enable it.")
    if user.status != "active":
        raise Forbidden("This account is not active yet: accept your invitation first.")
    user.last_sign_in_at = utcnow()
    await session.flush()
    return user


async def _admit_cognito(
    session: AsyncSession, user: User | None, email: str, claims: dict[str, Any]
) -> User:
    groups = claims.get("cognito:groups") or []
    role: Role = role_from_groups(groups if isinstance(groups, list) else [])
    sub = str(claims["sub"])
    if user is None:
        # Uninvited: allowed only when the allowlist is empty or names them (DESIGN §5).
        if await users.allowlist_size(session) and not await users.allowlist_matches(
            session, _allowlist_candidates(email)
        ):
            raise Forbidden(
                f"{email} is neither invited nor on the allowlist: ask a Supervisor for access."
            )
        user = await users.add(session, User(email=email, role=role, status="active"))
    elif user.status == "pending":
        # An invitation is accepted by signing in through Cognito.
        user.status = "active"
    if user.cognito_sub not in (None, sub):
        raise Forbidden("This email belongs to another Cognito account: ask a Supervisor.")
    user.cognito_sub = sub
    user.role = role
    user.given_name = claims.get("given_name") or user.given_name
    user.family_name = claims.get("family_name") or user.family_name
    return user


async def principal_from_claims(
    reader: IdentityReader, provider: AuthProvider, claims: dict[str, Any]
) -> Principal:
    """The caller behind verified claims: the account must exist and be active right now."""
    email = claims.get("email")
    if not isinstance(email, str) or "\x00" in email:
        raise Unauthorized(INVALID_TOKEN)
    row = await reader.find(normalize_email(email))
    if row is None:
        raise Unauthorized("This account no longer exists: sign in again.")
    if row.status != "active":
        raise Unauthorized("This account is not active: sign in again once it is enabled.")
    # The token must be for this very account, not an earlier one with the same email.
    if provider.name == "local" and row.id != claims.get("sub"):
        raise Unauthorized(INVALID_TOKEN)
    if provider.name == "cognito" and row.cognito_sub not in (None, claims.get("sub")):
        raise Unauthorized(INVALID_TOKEN)
    # The role comes from the account, so a role change applies on the next request; Cognito
    # groups are copied to the account at each sign-in and refresh.
    role: Role = "Supervisor" if row.role == "Supervisor" else "Agent"
    groups = claims.get("cognito:groups")
    return Principal(
        email=row.email,
        role=role,
        user_id=str(claims.get("sub") or row.id),
        groups=tuple(groups)
        if isinstance(groups, list) and provider.name == "cognito"
        else (role,),
        given_name=row.given_name,
        family_name=row.family_name,
    )
