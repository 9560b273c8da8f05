"""The local provider refuses every ID token it did not issue as is (401, one generic sentence)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI

from cschat.auth.providers.local import LocalProvider
from cschat.users import repository as users_repository
from tests.conftest import make_client
from tests.support.auth import create_user
from tests.support.tokens import hs256_token, local_claims, local_token

EMAIL = "ana@example.com"


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = jwt.utils.base64url_decode(payload).replace(b'"Agent"', b'"Supervisor"')
    return ".".join([header, jwt.utils.base64url_encode(claims).decode(), signature])


def _alg_none(app: FastAPI, sub: str) -> str:
    return jwt.encode(local_claims(EMAIL, sub=sub), "", algorithm="none")


def _hs256_with_public_key(app: FastAPI, sub: str) -> str:
    provider: LocalProvider = app.state.auth_provider
    pem = provider.key.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return hs256_token(local_claims(EMAIL, sub=sub), pem, kid=provider.key.kid)


def _other_key(app: FastAPI, sub: str, *, same_kid: bool) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    provider: LocalProvider = app.state.auth_provider
    kid = provider.key.kid if same_kid else "unknown-kid"
    claims = local_claims(EMAIL, sub=sub)
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": kid})


# Each case has exactly one thing wrong with an otherwise valid token for the account (`sub`).
CASES: dict[str, Callable[[FastAPI, str], str]] = {
    "bad_signature": lambda app, sub: _tamper(local_token(app, EMAIL, sub=sub)),
    "alg_none": _alg_none,
    "hs256_with_public_key": _hs256_with_public_key,
    "expired": lambda app, sub: local_token(
        app, EMAIL, sub=sub, exp=int(time.time()) - 60, iat=int(time.time()) - 3700
    ),
    "wrong_aud": lambda app, sub: local_token(app, EMAIL, sub=sub, aud="someone-else"),
    "wrong_iss": lambda app, sub: local_token(app, EMAIL, sub=sub, iss="https://evil.example"),
    "access_token": lambda app, sub: local_token(app, EMAIL, sub=sub, token_use="access"),
    "no_token_use": lambda app, sub: local_token(app, EMAIL, sub=sub, token_use=None),
    "unknown_kid": lambda app, sub: _other_key(app, sub, same_kid=False),
    "signed_by_another_key": lambda app, sub: _other_key(app, sub, same_kid=True),
    "no_email": lambda app, sub: local_token(app, EMAIL, sub=sub, email=None),
    "nul_in_email": lambda app, sub: local_token(app, EMAIL + "\x00", sub=sub),
    "unknown_user": lambda app, sub: local_token(app, "ghost@example.com", sub=sub),
    "earlier_account_same_email": lambda app, sub: local_token(app, EMAIL, sub="old-account-id"),
    "garbage": lambda app, sub: "garbage",
    "three_garbage_parts": lambda app, sub: "a.b.c",
}


async def _account_id(app: FastAPI) -> str:
    await create_user(app, email=EMAIL)
    async with app.state.db.transaction() as session:
        user = await users_repository.get_by_email(session, EMAIL)
    assert user is not None
    return user.id


@pytest.mark.parametrize("case", ["valid", *CASES])
async def test_local_token_rejections(app: FastAPI, case: str) -> None:
    sub = await _account_id(app)
    token = local_token(app, EMAIL, sub=sub) if case == "valid" else CASES[case](app, sub)
    async with make_client(app) as client:
        client.cookies.set("id_token", token)
        response = await client.get("/auth/me")
    if case == "valid":
        assert response.status_code == 200, response.text
        assert response.json()["email"] == EMAIL
        return
    assert response.status_code == 401, (case, response.text)
    # The token itself was refused (not, say, a cookie that never arrived), in the one sentence;
    # only a token for an account that is gone says so.
    detail = (
        "This account no longer exists: sign in again."
        if case == "unknown_user"
        else "The session token is invalid or expired: sign in again."
    )
    assert response.json() == {"success": False, "error": "Unauthorized", "detail": detail}


async def test_no_cookie_is_401_with_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/me")
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "Unauthorized",
        "detail": "Sign in first: no session cookie.",
    }
