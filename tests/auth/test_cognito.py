"""AUTH_PROVIDER=cognito against moto's server and the fake hosted UI / token endpoint."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from sqlalchemy import select

from cschat.auth.providers.cognito import pkce_challenge
from cschat.users.models import AllowlistEntry, User
from tests.auth.conftest import (
    COGNITO_PASSWORD,
    REDIRECT_URI,
    CognitoPool,
    cognito_sign_in,
    moto_private_jwk,
)
from tests.conftest import make_client
from tests.support.auth import create_user
from tests.support.tokens import hs256_token


async def _user(app: FastAPI, email: str) -> User | None:
    async with app.state.db.transaction() as session:
        user: User | None = await session.scalar(select(User).where(User.email == email.lower()))
    return user


async def test_login_url_is_the_hosted_ui_with_state_and_pkce(
    cognito_client: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    response = await cognito_client.get("/auth/login-url")
    assert response.status_code == 200
    body = response.json()
    url = urlsplit(body["url"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}" == cognito_pool.fake.url
    assert url.path == "/oauth2/authorize"
    assert query["client_id"] == cognito_pool.fake.client_id
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["response_type"] == "code"
    assert query["state"] == body["state"]
    assert query["code_challenge_method"] == "S256"
    # The verifier stays server-side (HttpOnly cookie); only its S256 challenge is in the URL.
    flow_cookie = response.headers["set-cookie"]
    assert "auth_flow=" in flow_cookie and "httponly" in flow_cookie.lower()
    assert len(query["code_challenge"]) == 43
    assert body["provider"] == "cognito"


async def test_code_flow_signs_in_with_role_from_groups(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user(groups=("Supervisor",), given_name="Marta", family_name="Díaz")
    response = await cognito_sign_in(cognito_client, cognito_pool, email)
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    assert response.json()["email"] == email
    me = await cognito_client.get("/auth/me")
    assert me.status_code == 200
    assert me.json() == {
        "email": email,
        "groups": ["Supervisor"],
        "given_name": "Marta",
        "family_name": "Díaz",
        "role": "Supervisor",
        "status": "active",
    }
    user = await _user(cognito_app, email)
    assert user is not None and user.cognito_sub and user.last_sign_in_at is not None
    # The confidential client authenticated with HTTP Basic, and PKCE matched.
    token_call = cognito_pool.fake.token_requests[-1]
    assert token_call["authorization"].startswith("Basic ")
    assert token_call["form"]["code_verifier"]


async def test_user_without_groups_is_an_agent(
    cognito_client: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    assert (await cognito_sign_in(cognito_client, cognito_pool, email)).status_code == 200
    me = (await cognito_client.get("/auth/me")).json()
    assert me["role"] == "Agent"


async def test_invited_pending_user_becomes_active(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    await create_user(cognito_app, email=email, status="pending", password=None)
    async with cognito_app.state.db.transaction() as session:
        session.add(AllowlistEntry(entry="@somewhere-else.com"))
    response = await cognito_sign_in(cognito_client, cognito_pool, email)
    assert response.status_code == 200, response.text
    user = await _user(cognito_app, email)
    assert user is not None and user.status == "active"


async def test_uninvited_user_off_a_non_empty_allowlist_is_refused(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    async with cognito_app.state.db.transaction() as session:
        session.add(AllowlistEntry(entry="@somewhere-else.com"))
    response = await cognito_sign_in(cognito_client, cognito_pool, email)
    assert response.status_code == 403
    assert "allowlist" in response.json()["detail"]
    assert await _user(cognito_app, email) is None
    assert "id_token" not in response.cookies


@pytest.mark.parametrize("entry", ["email", "domain"])
async def test_allowlisted_email_or_domain_may_sign_in(
    cognito_client: httpx.AsyncClient,
    cognito_app: FastAPI,
    cognito_pool: CognitoPool,
    entry: str,
) -> None:
    email = cognito_pool.add_user()
    async with cognito_app.state.db.transaction() as session:
        session.add(AllowlistEntry(entry=email if entry == "email" else "@example.com"))
    response = await cognito_sign_in(cognito_client, cognito_pool, email)
    assert response.status_code == 200, response.text
    user = await _user(cognito_app, email)
    assert user is not None and user.status == "active"
    assert (await cognito_client.get("/auth/me")).json()["email"] == email


async def test_empty_allowlist_admits_a_new_user_as_active_agent(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    assert (await cognito_sign_in(cognito_client, cognito_pool, email)).status_code == 200
    user = await _user(cognito_app, email)
    assert user is not None and (user.status, user.role) == ("active", "Agent")


async def test_disabled_user_is_refused(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    await create_user(cognito_app, email=email, status="disabled", password=None)
    response = await cognito_sign_in(cognito_client, cognito_pool, email)
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]
    assert "id_token" not in response.cookies
    user = await _user(cognito_app, email)
    assert user is not None and user.status == "disabled"


async def test_code_is_single_use_and_bad_code_is_a_400(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    response = await cognito_client.post("/auth/exchange", data={"code": "not-a-code"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("code:")

    email = cognito_pool.add_user()
    start = (await cognito_client.get("/auth/login-url")).json()
    hosted = httpx.URL(start["url"]).copy_merge_params(
        {"username": email, "password": COGNITO_PASSWORD}
    )
    async with httpx.AsyncClient() as browser:
        callback = httpx.URL((await browser.get(hosted)).headers["location"])
    form = {"code": callback.params["code"], "state": callback.params["state"]}
    first = await cognito_client.post("/auth/exchange", data=form)
    assert first.status_code == 200, first.text
    async with make_client(cognito_app) as replayer:
        replayed = await replayer.post("/auth/exchange", data={"code": form["code"]})
    assert replayed.status_code == 400, replayed.text
    assert replayed.json()["detail"].startswith("code:")
    assert "id_token" not in replayed.cookies


async def test_state_mismatch_is_refused(
    cognito_client: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    await cognito_client.get("/auth/login-url")
    response = await cognito_client.post("/auth/exchange", data={"code": "x", "state": "forged"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("state:")


async def test_wrong_pkce_verifier_is_refused_by_the_token_endpoint(
    cognito_client: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    first = (await cognito_client.get("/auth/login-url")).json()
    hosted = httpx.URL(first["url"]).copy_merge_params(
        {"username": email, "password": "Cognito-Passw0rd!"}
    )
    async with httpx.AsyncClient() as browser:
        callback = httpx.URL((await browser.get(hosted)).headers["location"])
    # A second sign-in started in this browser replaces the verifier the code was bound to.
    await cognito_client.get("/auth/login-url")
    response = await cognito_client.post("/auth/exchange", data={"code": callback.params["code"]})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("code:")
    assert "id_token" not in response.cookies
    # The token endpoint was asked, with a verifier that does not match the code's challenge.
    sent = cognito_pool.fake.token_requests[-1]["form"]
    assert sent["code"] == callback.params["code"]
    challenge = httpx.URL(first["url"]).params["code_challenge"]
    assert sent["code_verifier"] and pkce_challenge(sent["code_verifier"]) != challenge


async def test_refresh_uses_the_refresh_token_grant(
    cognito_client: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user(groups=("Supervisor",))
    assert (await cognito_sign_in(cognito_client, cognito_pool, email)).status_code == 200
    old = cognito_client.cookies.get("id_token")
    await asyncio.sleep(1.1)  # moto stamps iat/exp in whole seconds
    response = await cognito_client.post("/auth/refresh")
    assert response.status_code == 200, response.text
    assert cognito_client.cookies.get("id_token") != old
    assert cognito_pool.fake.token_requests[-1]["form"]["grant_type"] == "refresh_token"
    assert (await cognito_client.get("/auth/me")).json()["role"] == "Supervisor"


async def test_logout_revokes_and_returns_cognito_logout_url(
    cognito_client: httpx.AsyncClient, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    assert (await cognito_sign_in(cognito_client, cognito_pool, email)).status_code == 200
    refresh_token = cognito_client.cookies.get("refresh_token")
    response = await cognito_client.post("/auth/logout")
    assert response.status_code == 200
    logout = urlsplit(response.json()["logout_url"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{cognito_pool.fake.url}/logout"
    assert parse_qs(logout.query)["client_id"] == [cognito_pool.fake.client_id]
    assert refresh_token in cognito_pool.fake.revoked
    assert (await cognito_client.get("/auth/me")).status_code == 401


async def test_disabled_mid_session_is_cut_off(
    cognito_client: httpx.AsyncClient, cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    email = cognito_pool.add_user()
    assert (await cognito_sign_in(cognito_client, cognito_pool, email)).status_code == 200
    assert (await cognito_client.get("/auth/me")).status_code == 200
    from cschat.users import service

    async with cognito_app.state.db.transaction() as session:
        await service.set_status(session, email=email, status="disabled")
    assert (await cognito_client.get("/auth/me")).status_code == 401


async def test_password_login_is_not_offered(cognito_client: httpx.AsyncClient) -> None:
    response = await cognito_client.post("/auth/login", json={"email": "a@b.co", "password": "x"})
    assert response.status_code == 404
    assert (await cognito_client.get("/.well-known/jwks.json")).status_code == 404


def _forge(pool: CognitoPool, email: str, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": pool.issuer,
        "aud": pool.fake.client_id,
        "sub": "forged-sub",
        "token_use": "id",
        "email": email,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    key = moto_private_jwk()
    return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})


def _other_key_token(pool: CognitoPool, email: str, kid: str) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": pool.issuer,
        "aud": pool.fake.client_id,
        "sub": "s",
        "token_use": "id",
        "email": email,
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": kid})


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = jwt.utils.base64url_decode(payload)
    forged = claims.replace(b'"token_use":"id"', b'"token_use":"id" ')
    return ".".join([header, jwt.utils.base64url_encode(forged).decode(), signature])


def _alg_none(pool: CognitoPool, email: str) -> str:
    now = int(time.time())
    claims = {
        "iss": pool.issuer,
        "aud": pool.fake.client_id,
        "sub": "s",
        "token_use": "id",
        "email": email,
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode(claims, "", algorithm="none", headers={"kid": "dummy"})


async def _hs256_with_public_key(pool: CognitoPool, email: str) -> str:
    """The classic confusion attack: HMAC keyed with the RSA public key's PEM."""
    async with httpx.AsyncClient() as http:
        jwks = (await http.get(pool.jwks_url)).json()
    public_pem = jwt.PyJWK(jwks["keys"][0]).key.public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    claims = {
        "iss": pool.issuer,
        "aud": pool.fake.client_id,
        "sub": "s",
        "token_use": "id",
        "email": email,
        "iat": now,
        "exp": now + 600,
    }
    return hs256_token(claims, public_pem, kid="dummy")


@pytest.mark.parametrize(
    "case",
    [
        "valid",
        "bad_signature",
        "alg_none",
        "hs256_with_public_key",
        "expired",
        "wrong_aud",
        "wrong_iss",
        "access_token",
        "unknown_kid",
        "garbage",
    ],
)
async def test_cognito_token_rejections(
    cognito_app: FastAPI, cognito_pool: CognitoPool, case: str
) -> None:
    email = cognito_pool.add_user()
    await create_user(cognito_app, email=email, password=None)
    tokens = cognito_pool.tokens(email)
    makers: dict[str, Callable[[], str]] = {
        "valid": lambda: tokens["IdToken"],
        "bad_signature": lambda: _tamper(tokens["IdToken"]),
        "alg_none": lambda: _alg_none(cognito_pool, email),
        "expired": lambda: _forge(
            cognito_pool, email, exp=int(time.time()) - 120, iat=int(time.time()) - 800
        ),
        "wrong_aud": lambda: _forge(cognito_pool, email, aud="someone-else"),
        "wrong_iss": lambda: _forge(
            cognito_pool, email, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"
        ),
        "access_token": lambda: tokens["AccessToken"],
        "unknown_kid": lambda: _other_key_token(cognito_pool, email, kid="not-in-jwks"),
        "garbage": lambda: "not.a.jwt",
    }
    make = makers.get(case)
    value = await _hs256_with_public_key(cognito_pool, email) if make is None else make()
    async with make_client(cognito_app) as client:
        client.cookies.set("id_token", value)
        response = await client.get("/auth/me")
    if case == "valid":
        assert response.status_code == 200, response.text
        assert response.json()["email"] == email
    else:
        assert response.status_code == 401, (case, response.text)
        # Refused for the token itself, not for a missing cookie or account.
        assert response.json() == {
            "success": False,
            "error": "Unauthorized",
            "detail": "The session token is invalid or expired: sign in again.",
        }


async def test_forged_token_with_moto_key_but_right_claims_is_accepted(
    cognito_app: FastAPI, cognito_pool: CognitoPool
) -> None:
    # The control for the forged cases above: only the one changed claim makes them fail.
    email = cognito_pool.add_user()
    await create_user(cognito_app, email=email, password=None)
    async with make_client(cognito_app) as client:
        client.cookies.set("id_token", _forge(cognito_pool, email))
        assert (await client.get("/auth/me")).status_code == 200


def test_pkce_challenge_matches_rfc_7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
