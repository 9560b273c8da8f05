"""Reconcile our accounts with the Cognito user pool, both ways (`cschat users sync-roles`).

Cognito wins for roles (its groups are what sign-in applies anyway) and for accounts made in
the Cognito console; a user disabled on either side ends up disabled on both; accounts that exist
only here are created in Cognito. Safe to run twice: the second run changes nothing.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit import service as audit
from cschat.auth import repository as auth_repository
from cschat.core.db import Database, utcnow
from cschat.users import repository
from cschat.users.directory import Directory
from cschat.users.models import User

log = structlog.get_logger(__name__)

# Any constant: the advisory lock that lets one replica at a time run the periodic sync.
ROLE_SYNC_LOCK_KEY = 0x63736368_0001
ACTOR = "system:cognito-sync"


async def _audit(session: AsyncSession, action: str, user: User, details: dict[str, str]) -> None:
    await audit.record(session, actor=ACTOR, action=action, target=user.email, details=details)


async def sync_roles(session: AsyncSession, directory: Directory) -> list[str]:
    """Apply the differences; returns one line per change made."""
    changes: list[str] = []
    remote = {u.email: u for u in await directory.list_users()}
    for user in await repository.list_users(session):
        theirs = remote.get(user.email)
        if theirs is None:
            if user.status != "disabled":
                await directory.create_user(
                    email=user.email,
                    role=user.role,
                    given_name=user.given_name,
                    family_name=user.family_name,
                )
                changes.append(f"created {user.email} in Cognito as {user.role}")
            continue
        if user.cognito_sub is None and theirs.sub:
            user.cognito_sub = theirs.sub
        if theirs.role != user.role:
            changes.append(f"{user.email}: role {user.role} -> {theirs.role}")
            await _audit(session, "user.role_change", user, {"from": user.role, "to": theirs.role})
            user.role = theirs.role
        if not theirs.enabled and user.status != "disabled":
            changes.append(f"{user.email}: status {user.status} -> disabled (disabled in Cognito)")
            await _audit(
                session, "user.status_change", user, {"from": user.status, "to": "disabled"}
            )
            user.status = "disabled"
            await auth_repository.revoke_user_tokens(session, user.id, utcnow())
        elif theirs.enabled and user.status == "disabled":
            await directory.set_enabled(email=user.email, enabled=False)
            changes.append(f"{user.email}: disabled in Cognito (disabled here)")
    known = {u.email for u in await repository.list_users(session)}
    for theirs in remote.values():
        if theirs.email in known:
            continue
        user = await repository.add(
            session,
            User(
                email=theirs.email,
                role=theirs.role,
                status="active" if theirs.enabled else "disabled",
                cognito_sub=theirs.sub,
                given_name=theirs.given_name,
                family_name=theirs.family_name,
            ),
        )
        changes.append(f"added {user.email} from Cognito as {user.role} ({user.status})")
        await _audit(session, "user.create", user, {"role": user.role, "source": "cognito"})
    await session.flush()
    return changes


async def sync_once(db: Database, directory: Directory) -> list[str]:
    """One round in its own transaction, unless another replica holds the round's lock."""
    async with db.transaction() as session:
        if db.dialect == "postgresql":
            # Released at commit; another replica holding it means this round is theirs.
            got = await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ROLE_SYNC_LOCK_KEY}
            )
            if not got:
                return []
        return await sync_roles(session, directory)


async def run_periodically(db: Database, directory: Directory, interval_minutes: int) -> None:
    """Sync every `interval_minutes` until cancelled; a failed round is logged and retried."""
    while True:
        await asyncio.sleep(interval_minutes * 60)
        try:
            changes = await sync_once(db, directory)
        except Exception as exc:  # a background loop must outlive one bad round
            log.warning("role_sync_failed", error_type=type(exc).__name__)
            continue
        if changes:
            log.info("role_sync_changed", changes=changes)
