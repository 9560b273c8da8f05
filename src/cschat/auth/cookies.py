"""The session cookies (DESIGN §5): `id_token`, `refresh_token` (path /auth), `ui_hint`."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request, Response

from cschat.auth.providers.base import LoginRedirect, TokenSet
from cschat.core.config import Settings
from cschat.core.security import sign_value, unsign_value
from cschat.users.models import User

# Cookie names, not secrets.
ID_TOKEN_COOKIE = "id_token"  # noqa: S105
REFRESH_COOKIE = "refresh_token"
UI_HINT_COOKIE = "ui_hint"
FLOW_COOKIE = "auth_flow"
REFRESH_PATH = "/auth"
FLOW_TTL_SECONDS = 600


def ui_hint_secret(settings: Settings) -> str:
    hint = settings.auth.ui_hint_secret
    return hint.get_secret_value() if hint else settings.signing_secret


def _set(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int,
    path: str = "/",
    httponly: bool = True,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        domain=settings.auth.cookie_domain,
        secure=settings.auth.cookie_secure,
        httponly=httponly,
        samesite=settings.auth.cookie_samesite,
    )


def _delete(
    response: Response, settings: Settings, name: str, *, path: str = "/", httponly: bool = True
) -> None:
    # The same attributes as when set: some clients keep an HttpOnly cookie otherwise.
    response.delete_cookie(
        name,
        path=path,
        domain=settings.auth.cookie_domain,
        secure=settings.auth.cookie_secure,
        httponly=httponly,
        samesite=settings.auth.cookie_samesite,
    )


def set_session(response: Response, settings: Settings, tokens: TokenSet, user: User) -> None:
    """Cookies for a signed-in user; the refresh cookie only when a new token was issued."""
    expires_at = int(tokens.claims.get("exp", time.time() + settings.auth.id_token_ttl_seconds))
    max_age = max(1, expires_at - int(time.time()))
    _set(response, settings, ID_TOKEN_COOKIE, tokens.id_token, max_age=max_age)
    if tokens.refresh_token:
        _set(
            response,
            settings,
            REFRESH_COOKIE,
            tokens.refresh_token,
            max_age=settings.auth.refresh_token_ttl_seconds,
            path=REFRESH_PATH,
        )
    hint = {"email": user.email, "role": user.role, "exp": expires_at}
    _set(
        response,
        settings,
        UI_HINT_COOKIE,
        sign_value(hint, ui_hint_secret(settings)),
        max_age=max_age,
        httponly=False,
    )


def clear_session(response: Response, settings: Settings) -> None:
    _delete(response, settings, ID_TOKEN_COOKIE)
    _delete(response, settings, REFRESH_COOKIE, path=REFRESH_PATH)
    _delete(response, settings, UI_HINT_COOKIE, httponly=False)


def read_ui_hint(value: str, settings: Settings) -> dict[str, Any] | None:
    """The `ui_hint` payload when its signature holds (front ends only read it)."""
    return unsign_value(value, ui_hint_secret(settings))


def set_flow(response: Response, settings: Settings, redirect: LoginRedirect) -> None:
    """Remember state and PKCE verifier of a started sign-in, for the exchange."""
    payload = {"state": redirect.state, "verifier": redirect.code_verifier}
    _set(
        response,
        settings,
        FLOW_COOKIE,
        sign_value(payload, settings.signing_secret),
        max_age=FLOW_TTL_SECONDS,
        path=REFRESH_PATH,
    )


def read_flow(request: Request, settings: Settings) -> dict[str, Any] | None:
    raw = request.cookies.get(FLOW_COOKIE)
    return unsign_value(raw, settings.signing_secret) if raw else None


def clear_flow(response: Response, settings: Settings) -> None:
    _delete(response, settings, FLOW_COOKIE, path=REFRESH_PATH)
