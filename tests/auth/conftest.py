"""Cognito set-up for the auth tests: moto's server, a user pool, and the fake token endpoint."""

from __future__ import annotations

import gzip
import importlib.resources
import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from tests.conftest import make_client
from tests.fakes.aws import moto_server
from tests.fakes.cognito_token import CognitoTokenFake, cognito_token_server

COGNITO_PASSWORD = "Cognito-Passw0rd!"
REDIRECT_URI = "http://localhost:3000/login/callback"


@dataclass
class CognitoPool:
    """A moto user pool with an app client (with secret) and the two role groups."""

    fake: CognitoTokenFake
    moto_endpoint: str

    @property
    def jwks_url(self) -> str:
        return f"{self.moto_endpoint}/{self.fake.pool_id}/.well-known/jwks.json"

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.fake.region}.amazonaws.com/{self.fake.pool_id}"

    def env(self) -> dict[str, str]:
        """The settings that point the app at this pool."""
        return {
            "AUTH_PROVIDER": "cognito",
            "COGNITO_REGION": self.fake.region,
            "COGNITO_USER_POOL_ID": self.fake.pool_id,
            "COGNITO_CLIENT_ID": self.fake.client_id,
            "COGNITO_CLIENT_SECRET": self.fake.client_secret or "",
            "COGNITO_DOMAIN": self.fake.url,
            "COGNITO_JWKS_URL": self.jwks_url,
            "OAUTH_REDIRECT_URI": REDIRECT_URI,
        }

    def add_user(
        self,
        email: str | None = None,
        *,
        groups: tuple[str, ...] = (),
        given_name: str = "Ana",
        family_name: str = "García",
    ) -> str:
        """A confirmed user with a permanent password; returns the email."""
        email = email or f"user-{secrets.token_hex(4)}@example.com"
        idp = self.fake.idp()
        idp.admin_create_user(
            UserPoolId=self.fake.pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "given_name", "Value": given_name},
                {"Name": "family_name", "Value": family_name},
            ],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=self.fake.pool_id, Username=email, Password=COGNITO_PASSWORD, Permanent=True
        )
        for group in groups:
            idp.admin_add_user_to_group(
                UserPoolId=self.fake.pool_id, Username=email, GroupName=group
            )
        return email

    def tokens(self, email: str) -> dict[str, Any]:
        """Moto's tokens for a user (IdToken, AccessToken, RefreshToken)."""
        return self.fake.sign_in(email, COGNITO_PASSWORD)


@pytest.fixture(scope="session")
def cognito_pool() -> Iterator[CognitoPool]:
    with moto_server() as endpoint:
        fake = CognitoTokenFake(
            moto_endpoint=endpoint, pool_id="", client_id="", client_secret=None
        )
        idp = fake.idp()
        pool_id = idp.create_user_pool(PoolName="cschat-test")["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="cschat",
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            CallbackURLs=[REDIRECT_URI],
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            ReadAttributes=["email", "email_verified", "given_name", "family_name"],
        )["UserPoolClient"]
        for group in ("Supervisor", "Agent"):
            idp.create_group(UserPoolId=pool_id, GroupName=group)
        fake.pool_id = pool_id
        fake.client_id = client["ClientId"]
        fake.client_secret = client["ClientSecret"]
        with cognito_token_server(fake):
            yield CognitoPool(fake=fake, moto_endpoint=endpoint)


@pytest.fixture
async def cognito_app(
    make_settings: Callable[..., Settings], cognito_pool: CognitoPool
) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(**cognito_pool.env()))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def cognito_client(cognito_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(cognito_app) as c:
        yield c


async def cognito_sign_in(
    client: httpx.AsyncClient, pool: CognitoPool, email: str
) -> httpx.Response:
    """The seed's flow: login URL, hosted UI (the fake), callback code, `POST /auth/exchange`."""
    start = await client.get("/auth/login-url")
    assert start.status_code == 200, start.text
    hosted = httpx.URL(start.json()["url"]).copy_merge_params(
        {"username": email, "password": COGNITO_PASSWORD}
    )
    async with httpx.AsyncClient() as browser:
        redirect = await browser.get(hosted)
    assert redirect.status_code == 302, redirect.text
    callback = httpx.URL(redirect.headers["location"])
    assert str(callback).startswith(REDIRECT_URI)
    assert callback.params["state"] == start.json()["state"]
    return await client.post(
        "/auth/exchange",
        data={"code": callback.params["code"], "state": callback.params["state"]},
    )


def moto_private_jwk() -> jwt.PyJWK:
    """The key moto signs its Cognito tokens with (kid "dummy"), to forge near-valid tokens."""
    resource = importlib.resources.files("moto.cognitoidp") / "resources/jwks-private.json.gz"
    return jwt.PyJWK(json.loads(gzip.decompress(resource.read_bytes())))
