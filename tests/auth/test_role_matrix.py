"""Every route, every kind of caller: anonymous, Agent, Supervisor, disabled, API keys (DESIGN §4).

The routes come from the app itself, so a new route without a row in EXPECTED fails here, and a
row for a route that no longer exists fails too. Each route is then called by each caller, so a
route that declares a role but does not enforce it fails as well.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from cschat.apikeys import service as apikeys_service
from cschat.auth.access import Access, RouteInfo, api_routes, check_routes_declare_access
from cschat.auth.dependencies import CurrentUser, Principal, SupervisorUser, key_or_supervisor
from cschat.users import service as users_service
from tests.auth.conftest import CognitoPool
from tests.conftest import make_client
from tests.support.auth import TEST_PASSWORD, create_user

EXPECTED: dict[tuple[str, str], Access] = {
    ("GET", "/health"): "public",
    ("GET", "/ready"): "public",
    ("GET", "/metrics"): "public",
    ("GET", "/api/database/health"): "user",
    ("POST", "/auth/login"): "public",
    ("GET", "/auth/login-url"): "public",
    ("GET", "/auth/local/authorize"): "public",
    ("POST", "/auth/local/authorize"): "public",
    ("GET", "/oauth2/authorize"): "public",
    ("POST", "/auth/exchange"): "public",
    ("POST", "/auth/refresh"): "public",
    ("GET", "/auth/me"): "user",
    ("POST", "/auth/logout"): "public",
    ("GET", "/.well-known/jwks.json"): "public",
    ("GET", "/api/database/stats"): "supervisor",
    ("GET", "/data/query"): "key_or_supervisor",
    ("POST", "/data/query/sql"): "key_or_supervisor",
    ("POST", "/api/integrations/hubspot/sync"): "supervisor",
    ("GET", "/api/integrations/hubspot/status"): "supervisor",
    ("GET", "/api/users"): "supervisor",
    ("GET", "/api/users/{email}"): "supervisor",
    ("PUT", "/api/users/{email}"): "supervisor",
    ("DELETE", "/api/users/{email}"): "supervisor",
    ("PUT", "/api/users/{email}/role"): "supervisor",
    ("POST", "/api/users/invite"): "supervisor",
    ("GET", "/api/invitations"): "supervisor",
    ("GET", "/api/invitations/{token}"): "public",
    ("POST", "/api/invitations/accept"): "public",
    ("POST", "/api/invitations/{invitation_id}/resend"): "supervisor",
    ("DELETE", "/api/invitations/{invitation_id}"): "supervisor",
    ("GET", "/api/allowlist"): "supervisor",
    ("POST", "/api/allowlist"): "supervisor",
    ("DELETE", "/api/allowlist/{entry}"): "supervisor",
    ("GET", "/api/api-keys"): "supervisor",
    ("POST", "/api/api-keys"): "supervisor",
    ("DELETE", "/api/api-keys/{key_id}"): "supervisor",
    ("GET", "/api/audit"): "supervisor",
    ("POST", "/data/ingest"): "key_or_supervisor",
    ("POST", "/api/chat"): "user",
    ("POST", "/api/chat/stream"): "user",
    ("GET", "/api/chat/sessions"): "user",
    ("GET", "/api/chat/sessions/{session_id}"): "user",
    ("PATCH", "/api/chat/sessions/{session_id}"): "user",
    ("DELETE", "/api/chat/sessions/{session_id}"): "user",
    ("POST", "/api/chat/messages/{message_id}/feedback"): "user",
    ("GET", "/api/agent/info"): "user",
    ("POST", "/api/agent/test-connection"): "supervisor",
}
# The scope an API key needs on each key_or_supervisor route.
KEY_SCOPES: dict[tuple[str, str], str] = {
    ("POST", "/data/ingest"): "ingest",
    ("GET", "/data/query"): "query",
    ("POST", "/data/query/sql"): "query",
}
CALLERS = ("anonymous", "Agent", "Supervisor", "disabled", "key:ingest", "key:query")
# FastAPI's own documentation routes: public, and the only routes that are not API routes.
DOCS_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}

SignIn = Callable[[httpx.AsyncClient, str], Awaitable[None]]


@dataclass
class Caller:
    """What one kind of caller sends: session cookies, or an X-API-Key header."""

    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)
    headers: dict[str, str] = field(default_factory=dict)


def _served(app: FastAPI) -> dict[tuple[str, str], RouteInfo]:
    return {
        (method, route.path): route
        for route in api_routes(app)
        for method in route.methods
        if method != "HEAD"
    }


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def check(access: Access, caller: str, status: int, scope: str | None = None) -> str | None:
    """What is wrong with `status` for this caller of a route with this access, if anything.

    `scope` is the scope an API key needs on a key_or_supervisor route.
    """
    if status >= 500:
        return "server error"
    if access == "public":
        return "refused a public route" if status == 403 else None
    if caller.startswith("key:"):
        if access != "key_or_supervisor":
            return None if status == 401 else "let an API key into a session-only route"
        if caller != f"key:{scope}":
            return None if status == 403 else f"let a key without the {scope!r} scope in"
        return "refused a key with the right scope" if status in (401, 403) else None
    if caller in ("anonymous", "disabled"):
        return None if status == 401 else "let in without an active session"
    if access in ("supervisor", "key_or_supervisor") and caller == "Agent":
        return None if status == 403 else "let an Agent into a Supervisor route"
    return "refused an allowed caller" if status in (401, 403) else None


async def make_caller(app: FastAPI, caller: str, sign_in: SignIn) -> Caller:
    """The cookies or key of one caller of this kind (nothing for anonymous)."""
    if caller == "anonymous":
        return Caller()
    if caller.startswith("key:"):
        async with app.state.db.transaction() as session:
            _, secret = await apikeys_service.create_key(
                session,
                name=f"role matrix {caller}",
                scopes=[caller.removeprefix("key:")],
                expires_at=None,
                actor="role-matrix",
            )
        return Caller(headers={"X-API-Key": secret})
    async with make_client(app) as client:
        email = f"{caller.lower()}-{id(app)}@example.com"
        await sign_in(client, email)
        async with app.state.db.transaction() as session:
            role = "Supervisor" if caller == "Supervisor" else "Agent"
            await users_service.set_role(session, email=email, role=role)
            if caller == "disabled":
                await users_service.set_status(session, email=email, status="disabled")
        return Caller(cookies=httpx.Cookies(client.cookies))


def check_table(
    app: FastAPI,
    expected: dict[tuple[str, str], Access],
    scopes: dict[tuple[str, str], str] = KEY_SCOPES,
) -> None:
    """The table has one row per served route, with the access that route declares."""
    served = _served(app)
    assert sorted(set(served) - set(expected)) == [], "routes missing from the role table"
    assert sorted(set(expected) - set(served)) == [], "table rows for routes that do not exist"
    declared = {key: route.access for key, route in served.items()}
    wrong = {key: access for key, access in declared.items() if access != expected[key]}
    assert wrong == {}, "routes that declare another access than the table says"
    keyed = {key for key, access in expected.items() if access == "key_or_supervisor"}
    assert keyed == set(scopes), "key_or_supervisor routes without their scope in KEY_SCOPES"


async def call_problems(
    app: FastAPI,
    expected: dict[tuple[str, str], Access],
    sign_in: SignIn,
    scopes: dict[tuple[str, str], str] = KEY_SCOPES,
) -> list[str]:
    """Each route in `expected` called by each caller: what went wrong, if anything."""
    callers = {caller: await make_caller(app, caller, sign_in) for caller in CALLERS}
    problems = []
    calls = 0
    for (method, path), access in sorted(expected.items()):
        for caller in CALLERS:
            # A fresh client per call: sign-out or refresh by one route cannot leak into another.
            async with make_client(app) as client:
                client.cookies = httpx.Cookies(callers[caller].cookies)
                response = await client.request(
                    method, _concrete(path), headers=callers[caller].headers
                )
            calls += 1
            problem = check(access, caller, response.status_code, scopes.get((method, path)))
            if problem:
                problems.append(f"{method} {path} as {caller}: {response.status_code} {problem}")
    assert calls == len(expected) * len(CALLERS) > 0
    return problems


async def walk(
    app: FastAPI,
    expected: dict[tuple[str, str], Access],
    sign_in: SignIn,
    scopes: dict[tuple[str, str], str] = KEY_SCOPES,
) -> None:
    check_table(app, expected, scopes)
    problems = await call_problems(app, expected, sign_in, scopes)
    assert problems == [], "\n".join(problems)


def local_sign_in(app: FastAPI) -> SignIn:
    async def sign_in(client: httpx.AsyncClient, email: str) -> None:
        await create_user(app, email=email)
        response = await client.post(
            "/auth/login", json={"email": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200

    return sign_in


async def test_role_matrix_local(app: FastAPI) -> None:
    await walk(app, EXPECTED, local_sign_in(app))


async def test_role_matrix_cognito(cognito_app: FastAPI, cognito_pool: CognitoPool) -> None:
    async def sign_in(client: httpx.AsyncClient, email: str) -> None:
        cognito_pool.add_user(email)
        await create_user(cognito_app, email=email, password=None)
        client.cookies.set("id_token", cognito_pool.tokens(email)["IdToken"])

    await walk(cognito_app, EXPECTED, sign_in)


def _probe_router() -> APIRouter:
    """Routes of every access kind, as other domains will add them."""
    router = APIRouter(tags=["probe"])

    @router.get("/probe/user", summary="Any signed-in user")
    async def for_users(user: CurrentUser) -> dict[str, str]:
        return {"email": user.email}

    @router.delete("/probe/supervisor/{item_id}", summary="Supervisors only")
    async def for_supervisors(item_id: str, user: SupervisorUser) -> dict[str, str]:
        return {"deleted": item_id}

    @router.post("/probe/ingest", summary="API key with scope, or a Supervisor")
    async def for_keys(user: Principal = key_or_supervisor("ingest")) -> dict[str, str]:
        return {"via": user.via}

    return router


PROBES: dict[tuple[str, str], Access] = {
    ("GET", "/probe/user"): "user",
    ("DELETE", "/probe/supervisor/{item_id}"): "supervisor",
    ("POST", "/probe/ingest"): "key_or_supervisor",
}
PROBE_SCOPES = {**KEY_SCOPES, ("POST", "/probe/ingest"): "ingest"}


async def test_role_matrix_catches_routes_missing_from_the_table(app: FastAPI) -> None:
    app.include_router(_probe_router())
    expected = {**EXPECTED, **PROBES}
    await walk(app, expected, local_sign_in(app), PROBE_SCOPES)
    with pytest.raises(AssertionError, match="routes missing from the role table"):
        check_table(app, EXPECTED, KEY_SCOPES)


def test_role_matrix_catches_wrong_rows(app: FastAPI) -> None:
    app.include_router(_probe_router())
    expected = {**EXPECTED, **PROBES}
    check_table(app, expected, PROBE_SCOPES)
    with pytest.raises(AssertionError, match="table rows for routes that do not exist"):
        check_table(app, {**expected, ("GET", "/probe/gone"): "user"}, PROBE_SCOPES)
    with pytest.raises(AssertionError, match="declare another access"):
        check_table(app, {**expected, ("GET", "/probe/user"): "supervisor"}, PROBE_SCOPES)
    with pytest.raises(AssertionError, match="without their scope"):
        check_table(app, expected, KEY_SCOPES)


async def _session_only(user: CurrentUser) -> Principal:
    """Declares Supervisor (the marker the access check reads) but checks only for a session."""
    return user


async def _nothing() -> None:
    """Declares a signed-in user but checks nothing."""


_session_only.access = "supervisor"  # type: ignore[attr-defined]
_nothing.access = "user"  # type: ignore[attr-defined]


def _leaky_router() -> APIRouter:
    """Routes that declare a role without enforcing it: only calling them can tell."""
    router = APIRouter(tags=["probe"])

    @router.get("/leak/supervisor", summary="Says Supervisor, lets any user in")
    async def leak_supervisor(user: Principal = Depends(_session_only)) -> dict[str, str]:
        return {"email": user.email}

    @router.get(
        "/leak/user", summary="Says signed in, lets anyone in", dependencies=[Depends(_nothing)]
    )
    async def leak_user() -> dict[str, str]:
        return {}

    @router.post("/leak/ingest", summary="Table says ingest scope, code checks query")
    async def leak_scope(user: Principal = key_or_supervisor("query")) -> dict[str, str]:
        return {"via": user.via}

    return router


async def test_role_matrix_catches_routes_that_do_not_enforce_their_role(app: FastAPI) -> None:
    app.include_router(_leaky_router())
    leaks: dict[tuple[str, str], Access] = {
        ("GET", "/leak/supervisor"): "supervisor",
        ("GET", "/leak/user"): "user",
        ("POST", "/leak/ingest"): "key_or_supervisor",
    }
    scopes = {**KEY_SCOPES, ("POST", "/leak/ingest"): "ingest"}
    check_table(app, {**EXPECTED, **leaks}, scopes)  # the declarations alone look right
    problems = await call_problems(app, leaks, local_sign_in(app), scopes)
    assert problems == [
        "GET /leak/supervisor as Agent: 200 let an Agent into a Supervisor route",
        "GET /leak/user as anonymous: 200 let in without an active session",
        "GET /leak/user as disabled: 200 let in without an active session",
        "GET /leak/user as key:ingest: 200 let an API key into a session-only route",
        "GET /leak/user as key:query: 200 let an API key into a session-only route",
        "POST /leak/ingest as key:ingest: 403 refused a key with the right scope",
        "POST /leak/ingest as key:query: 200 let a key without the 'ingest' scope in",
    ]
    with pytest.raises(AssertionError, match="let an Agent into a Supervisor route"):
        await walk(app, {**EXPECTED, **leaks}, local_sign_in(app), scopes)


async def test_every_route_served_is_in_the_table(app: FastAPI, client: httpx.AsyncClient) -> None:
    # Besides FastAPI's own documentation, nothing is served outside the API routes the table
    # covers: a mount or a plain Starlette route would escape the access check.
    others = {
        context.path
        for context in iter_route_contexts(app.routes)
        if not isinstance(context.original_route, APIRoute)
    }
    assert others == DOCS_ROUTES
    # The operations the OpenAPI document lists, found independently of `api_routes`.
    spec = (await client.get("/openapi.json")).json()
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
    }
    # Every documented operation has a row; /metrics is left out of the document on purpose.
    assert set(EXPECTED) - documented == {("GET", "/metrics")}
    assert documented - set(EXPECTED) == set()
    assert set(_served(app)) == set(EXPECTED)


async def test_api_key_reaches_key_routes_only_with_the_key(
    make_settings: Callable[..., object],
) -> None:
    from cschat.main import create_app

    app = create_app(make_settings(INGEST_API_KEY="k" * 32))  # type: ignore[arg-type]
    app.include_router(_probe_router())
    async with app.router.lifespan_context(app), make_client(app, origin=None) as client:
        good = await client.post("/probe/ingest", headers={"X-API-Key": "k" * 32})
        bad = await client.post("/probe/ingest", headers={"X-API-Key": "wrong"})
        not_for_keys = await client.delete("/probe/supervisor/1", headers={"X-API-Key": "k" * 32})
    assert good.status_code == 200 and good.json() == {"via": "api_key"}
    assert bad.status_code == 401
    assert not_for_keys.status_code == 401


def test_a_route_without_declared_access_stops_the_app() -> None:
    app = FastAPI()

    @app.get("/forgotten")
    async def forgotten() -> None:
        return None

    with pytest.raises(RuntimeError, match="GET /forgotten"):
        check_routes_declare_access(app)
