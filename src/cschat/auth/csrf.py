"""CSRF: a cookie-authenticated unsafe request must come from an allowed origin (DESIGN §5).

A pure ASGI middleware, so it covers every route, present and future, with no opt-in. Rules:
- safe methods (GET, HEAD, OPTIONS) pass;
- requests with `X-API-Key` pass: browsers cannot add that header cross-site without CORS;
- a request carrying a session cookie needs `Origin` (or, failing that, `Referer`) naming one of
  CORS_ORIGINS or the app's own origin;
- without a session cookie, a present but foreign `Origin` is refused too (login CSRF).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from cschat.auth.cookies import ID_TOKEN_COOKIE, REFRESH_COOKIE
from cschat.core.errors import error_body

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SESSION_COOKIES = (ID_TOKEN_COOKIE, REFRESH_COOKIE)


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, lower-cased; None when it has none."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed = {o for o in (origin_of(x) for x in allowed_origins) if o}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if "x-api-key" in headers:
            await self.app(scope, receive, send)
            return
        origin = headers.get("origin")
        source = origin if origin is not None else headers.get("referer")
        claimed = origin_of(source) if source else None
        allowed = claimed is not None and (claimed in self.allowed or claimed == _own(scope))
        if _has_session_cookie(headers.get("cookie", "")):
            if not allowed:
                await _refuse(send, "Origin or Referer")
                return
        elif origin is not None and not allowed:
            await _refuse(send, "Origin")
            return
        await self.app(scope, receive, send)


def _own(scope: Scope) -> str | None:
    host = next((v for k, v in scope["headers"] if k == b"host"), None)
    if host is None:
        return None
    return f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}".lower()


def _has_session_cookie(header: str) -> bool:
    # Starlette's parser, so this sees exactly the cookies the endpoints will see.
    cookies = cookie_parser(header) if header else {}
    return any(name in cookies for name in SESSION_COOKIES)


async def _refuse(send: Send, what: str) -> None:
    body = json.dumps(
        error_body(
            "Forbidden",
            f"Cross-site request refused: the {what} header must name an allowed origin "
            "(CORS_ORIGINS or this site).",
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
