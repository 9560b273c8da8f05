"""AUTH_PROVIDER=cognito: invitations, roles, status and deletion reach the user pool (moto)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from fastapi import FastAPI

from tests.auth.conftest import CognitoPool, cognito_sign_in
from tests.conftest import make_client
from tests.fakes.smtp import SmtpSink, token_from
from tests.support.audit import audit_trail

NEW_PASSWORD = "Invitee-Passw0rd!"


def _email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.com"


def _groups(pool: CognitoPool, email: str) -> list[str]:
    groups = pool.fake.idp().admin_list_groups_for_user(
        UserPoolId=pool.fake.pool_id, Username=email
    )["Groups"]
    return sorted(g["GroupName"] for g in groups)


def _cognito_user(pool: CognitoPool, email: str) -> dict[str, Any]:
    user: dict[str, Any] = pool.fake.idp().admin_get_user(
        UserPoolId=pool.fake.pool_id, Username=email
    )
    return user


async def _hosted_sign_in(
    client: httpx.AsyncClient, pool: CognitoPool, email: str, password: str
) -> httpx.Response:
    """The hosted UI (the fake) with this password, then the callback's `POST /auth/exchange`."""
    start = (await client.get("/auth/login-url")).json()
    hosted = httpx.URL(start["url"]).copy_merge_params({"username": email, "password": password})
    async with httpx.AsyncClient() as browser:
        redirect = await browser.get(hosted)
    assert redirect.status_code == 302, redirect.text
    callback = httpx.URL(redirect.headers["location"])
    return await client.post(
        "/auth/exchange",
        data={"code": callback.params["code"], "state": callback.params["state"]},
    )


@pytest.fixture
async def boss(
    cognito_admin_app: FastAPI, cognito_pool: CognitoPool
) -> AsyncIterator[httpx.AsyncClient]:
    email = cognito_pool.add_user(_email("boss"), groups=("Supervisor",))
    async with make_client(cognito_admin_app) as client:
        response = await cognito_sign_in(client, cognito_pool, email)
        assert response.status_code == 200, response.text
        yield client


async def test_invitation_end_to_end_in_cognito(
    cognito_admin_app: FastAPI, boss: httpx.AsyncClient, cognito_pool: CognitoPool, smtp: SmtpSink
) -> None:
    new = _email("invitee")
    invited = await boss.post(
        "/api/users/invite", json={"email": new, "role": "Agent", "language": "en"}
    )
    assert invited.status_code == 201, invited.text
    created = _cognito_user(cognito_pool, new)
    assert _groups(cognito_pool, new) == ["Agent"]
    assert {"Name": "email", "Value": new} in created["UserAttributes"]
    token = token_from(smtp.last_to(new))

    async with make_client(cognito_admin_app) as invitee:
        shown = (await invitee.get(f"/api/invitations/{token}")).json()
        assert shown["provider"] == "cognito" and shown["password_required"] is False
        accepted = await invitee.post(
            "/api/invitations/accept",
            json={"token": token, "password": NEW_PASSWORD, "given_name": "Inés"},
        )
        assert accepted.status_code == 200, accepted.text
        # Activated by the first Cognito sign-in, not by accepting.
        assert accepted.json()["status"] == "pending"
        signed_in = await _hosted_sign_in(invitee, cognito_pool, new, NEW_PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        assert (await boss.get(f"/api/users/{new}")).json()["status"] == "active"
        assert (await invitee.get("/auth/me")).json()["role"] == "Agent"

        promoted = await boss.put(f"/api/users/{new}/role", json={"role": "Supervisor"})
        assert promoted.status_code == 200, promoted.text
        assert _groups(cognito_pool, new) == ["Supervisor"]
        assert (await invitee.get("/api/users")).status_code == 200

        disabled = await boss.put(f"/api/users/{new}", json={"status": "disabled"})
        assert disabled.status_code == 200, disabled.text
        assert _cognito_user(cognito_pool, new)["Enabled"] is False
        assert (await invitee.get("/auth/me")).status_code == 401

    assert await audit_trail(boss, target=new) == [
        ("invitation.create", new),
        ("invitation.accept", new),
        ("auth.login", new),
        ("user.role_change", new),
        ("user.status_change", new),
    ]
    deleted = await boss.delete(f"/api/users/{new}")
    assert deleted.status_code == 200
    with pytest.raises(ClientError, match="UserNotFound"):
        _cognito_user(cognito_pool, new)
    assert (await boss.get(f"/api/users/{new}")).status_code == 404


async def test_enable_and_demote_reach_cognito(
    boss: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user(_email("member"), groups=("Supervisor",))
    # Known here too (as after a sign-in), then changed from the app.
    invited = await boss.post("/api/users/invite", json={"email": email, "role": "Supervisor"})
    assert invited.status_code == 201, invited.text
    assert (await boss.put(f"/api/users/{email}", json={"status": "disabled"})).status_code == 200
    assert _cognito_user(cognito_pool, email)["Enabled"] is False
    assert (await boss.put(f"/api/users/{email}", json={"status": "active"})).status_code == 200
    assert _cognito_user(cognito_pool, email)["Enabled"] is True
    assert (await boss.put(f"/api/users/{email}/role", json={"role": "Agent"})).status_code == 200
    assert _groups(cognito_pool, email) == ["Agent"]
    stored = (await boss.get(f"/api/users/{email}")).json()
    assert (stored["role"], stored["status"]) == ("Agent", "active")


async def test_deleting_a_user_already_gone_from_cognito(
    boss: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    email = _email("ghost")
    assert (await boss.post("/api/users/invite", json={"email": email})).status_code == 201
    cognito_pool.fake.idp().admin_delete_user(UserPoolId=cognito_pool.fake.pool_id, Username=email)
    response = await boss.delete(f"/api/users/{email}")
    assert response.status_code == 200
    assert (await boss.get(f"/api/users/{email}")).status_code == 404
