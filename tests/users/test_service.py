"""Account rules: emails unique regardless of case, roles and statuses checked, hashes argon2id."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cschat.auth.models import RefreshToken
from cschat.core.errors import BadRequest, Conflict, NotFound
from cschat.users import service
from cschat.users.models import User


async def test_email_is_stored_lower_case_and_unique(app: FastAPI) -> None:
    async with app.state.db.transaction() as session:
        user = await service.create_user(session, email=" Ana@Example.COM ", role="Agent")
        assert user.email == "ana@example.com"
        with pytest.raises(Conflict, match=r"ana@example\.com already exists"):
            await service.create_user(session, email="ANA@example.com", role="Agent")


async def test_database_enforces_the_unique_email(app: FastAPI) -> None:
    async with app.state.db.sessionmaker() as session:
        session.add(User(email="a@example.com", role="Agent", status="active"))
        session.add(User(email="a@example.com", role="Agent", status="active"))
        with pytest.raises(IntegrityError):
            await session.commit()


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"email": "not-an-email", "role": "Agent"}, "email:"),
        ({"email": "a@example.com", "role": "Admin"}, "role:"),
        ({"email": "a@example.com", "role": "Agent", "password": "short"}, "password:"),
        ({"email": "a@example.com", "role": "Agent", "status": "gone"}, "status:"),
    ],
)
async def test_bad_values_are_named(app: FastAPI, kwargs: dict[str, str], needle: str) -> None:
    async with app.state.db.transaction() as session:
        with pytest.raises(BadRequest, match=needle):
            await service.create_user(session, **kwargs)


async def test_password_is_hashed_with_argon2id(app: FastAPI) -> None:
    async with app.state.db.transaction() as session:
        user = await service.create_user(
            session, email="a@example.com", role="Agent", password="a long enough password"
        )
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash


async def test_disabling_revokes_refresh_tokens(app: FastAPI) -> None:
    from cschat.auth.repository import add_refresh_token
    from cschat.core.db import utcnow

    async with app.state.db.transaction() as session:
        user = await service.create_user(session, email="a@example.com", role="Agent")
        await add_refresh_token(
            session, token_hash="0" * 64, family_id="f", user_id=user.id, expires_at=utcnow()
        )
        await service.set_status(session, email="A@example.com", status="disabled")
    async with app.state.db.transaction() as session:
        token = await session.scalar(select(RefreshToken))
    assert token is not None and token.revoked_at is not None


async def test_unknown_user_is_not_found(app: FastAPI) -> None:
    async with app.state.db.transaction() as session:
        with pytest.raises(NotFound):
            await service.set_role(session, email="nobody@example.com", role="Agent")
