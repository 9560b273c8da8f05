"""Who is calling: the signed-in user (cookie) or an API key, and what they may do.

Everything above the auth layer depends only on `Principal` and these aliases, not the provider.
Every route declares its access with one of them, or with `PublicRoute` (see `auth/access.py`).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request

from cschat.apikeys import service as apikeys
from cschat.auth import service
from cschat.auth.cookies import ID_TOKEN_COOKIE
from cschat.auth.principal import Principal, Role
from cschat.auth.providers.base import AuthProvider
from cschat.auth.ratelimit import LoginLimiter
from cschat.core.config import Settings
from cschat.core.errors import Forbidden, Unauthorized
from cschat.users.repository import IdentityReader

__all__ = [
    "API_KEY_HEADER",
    "CurrentUser",
    "LimiterDep",
    "Principal",
    "ProviderDep",
    "PublicRoute",
    "Role",
    "SettingsDep",
    "SupervisorUser",
    "current_user",
    "key_or_supervisor",
    "public",
    "supervisor_user",
]

API_KEY_HEADER = "X-API-Key"


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_provider(request: Request) -> AuthProvider:
    provider: AuthProvider = request.app.state.auth_provider
    return provider


ProviderDep = Annotated[AuthProvider, Depends(get_provider)]


async def get_limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


LimiterDep = Annotated[LoginLimiter, Depends(get_limiter)]


async def public() -> None:
    """Marks a route as open to anyone (the one explicit opt-out of signing in)."""


PublicRoute = Depends(public)


async def current_user(request: Request) -> Principal:
    """The signed-in, active user from the `id_token` cookie; 401 otherwise."""
    token = request.cookies.get(ID_TOKEN_COOKIE)
    if not token:
        raise Unauthorized("Sign in first: no session cookie.")
    provider = await get_provider(request)
    claims = await provider.verify_id_token(token)
    # Not the request's session: one indexed read on the primary with nothing to commit, and
    # never a replica that may lag behind a just-disabled account.
    reader: IdentityReader = request.app.state.identity_reader
    return await service.principal_from_claims(reader, provider, claims)


CurrentUser = Annotated[Principal, Depends(current_user)]


async def supervisor_user(user: CurrentUser) -> Principal:
    if not user.is_supervisor:
        raise Forbidden("This needs the Supervisor role.")
    return user


SupervisorUser = Annotated[Principal, Depends(supervisor_user)]


async def api_key_principal(request: Request, settings: Settings) -> Principal | None:
    """An `X-API-Key` caller, or None when the header is absent; a wrong, revoked or expired
    key is a 401 with the reason.

    INGEST_API_KEY is an ingest-scoped key; others are looked up in `api_keys` by prefix (one
    indexed read) and compared by hash in constant time.
    """
    presented = request.headers.get(API_KEY_HEADER)
    if presented is None:
        return None
    expected = settings.ingest.api_key
    if expected is not None and hmac.compare_digest(
        presented.encode(), expected.get_secret_value().encode()
    ):
        return Principal(
            email="ingest-api-key",
            role="Supervisor",
            user_id="api-key:ingest",
            via="api_key",
            scopes=frozenset({"ingest"}),
        )
    key_id, prefix, scopes = await apikeys.authenticate(
        request.app.state.key_reader, request.app.state.db, presented
    )
    return Principal(
        email=f"api-key:{prefix}",
        role="Supervisor",
        user_id=f"api-key:{key_id}",
        via="api_key",
        scopes=frozenset(scopes),
    )


def key_or_supervisor(scope: str) -> Any:
    """A dependency: an API key with `scope`, or a signed-in Supervisor."""

    async def dependency(request: Request, settings: SettingsDep) -> Principal:
        key = await api_key_principal(request, settings)
        if key is not None:
            if scope not in key.scopes:
                raise Forbidden(f"This API key lacks the '{scope}' scope.")
            return key
        return await supervisor_user(await current_user(request))

    dependency.access = "key_or_supervisor"  # type: ignore[attr-defined]
    return Depends(dependency)
