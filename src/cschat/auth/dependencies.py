"""Who is calling: the signed-in user (cookie) or an API key, and what they may do.

Everything above the auth layer depends only on `Principal` and these aliases, not the provider.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Request

from cschat.core.config import Settings
from cschat.core.errors import Forbidden, Unauthorized

Role = Literal["Agent", "Supervisor"]
API_KEY_HEADER = "X-API-Key"


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as every service sees it."""

    email: str
    role: Role
    user_id: str
    groups: tuple[str, ...] = ()
    given_name: str | None = None
    family_name: str | None = None
    via: Literal["cookie", "api_key"] = "cookie"
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "Supervisor"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def current_user(request: Request) -> Principal:
    """The signed-in user from the `id_token` cookie (the identity issue implements sign-in)."""
    raise Unauthorized("Sign in first: no valid session cookie.")


CurrentUser = Annotated[Principal, Depends(current_user)]


async def supervisor_user(user: CurrentUser) -> Principal:
    if not user.is_supervisor:
        raise Forbidden("This needs the Supervisor role.")
    return user


SupervisorUser = Annotated[Principal, Depends(supervisor_user)]


def api_key_principal(request: Request, settings: Settings) -> Principal | None:
    """An `X-API-Key` caller, or None when the header is absent; a wrong key is a 401."""
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
    raise Unauthorized("The X-API-Key header is not a valid API key.")


def key_or_supervisor(scope: str) -> object:
    """A dependency: an API key with `scope`, or a signed-in Supervisor."""

    async def dependency(request: Request, settings: SettingsDep) -> Principal:
        key = api_key_principal(request, settings)
        if key is not None:
            if scope not in key.scopes:
                raise Forbidden(f"This API key lacks the '{scope}' scope.")
            return key
        # Called directly rather than injected (a key must win before any cookie check), so
        # look up overrides of `current_user` the way FastAPI's injection would.
        resolve = request.app.dependency_overrides.get(current_user, current_user)
        return await supervisor_user(await resolve(request))

    return Depends(dependency)
