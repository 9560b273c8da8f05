"""Every route, every kind of caller: anonymous, Agent, Supervisor, disabled (DESIGN §4).

The routes come from the app itself, so a new route without a row in EXPECTED fails here, and a
row for a route that no longer exists fails too. Each route is then called by each caller.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import APIRouter, FastAPI

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
CALLERS = ("anonymous", "Agent", "Supervisor", "disabled")

SignIn = Callable[[httpx.AsyncClient, str], Awaitable[None]]


def _served(app: FastAPI) -> dict[tuple[str, str], RouteInfo]:
    return {
        (method, route.path): route
        for route in api_routes(app)
        for method in route.methods
        if method != "HEAD"
    }


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def check(access: Access, caller: str, status: int) -> str | None:
    """What is wrong with `status` for this caller of a route with this access, if anything."""
    if status >= 500:
        return "server error"
    if access == "public":
        return "refused a public route" if status == 403 else None
    if caller in ("anonymous", "disabled"):
        return None if status == 401 else "let in without an active session"
    if access in ("supervisor", "key_or_supervisor") and caller == "Agent":
        return None if status == 403 else "let an Agent into a Supervisor route"
    return "refused an allowed caller" if status in (401, 403) else None


async def caller_cookies(app: FastAPI, caller: str, sign_in: SignIn) -> httpx.Cookies:
    """The cookies of one signed-in caller of this kind (none for anonymous)."""
    async with make_client(app) as client:
        if caller == "anonymous":
            return httpx.Cookies()
        email = f"{caller.lower()}-{id(app)}@example.com"
        await sign_in(client, email)
        async with app.state.db.transaction() as session:
            role = "Supervisor" if caller == "Supervisor" else "Agent"
            await users_service.set_role(session, email=email, role=role)
            if caller == "disabled":
                await users_service.set_status(session, email=email, status="disabled")
        return httpx.Cookies(client.cookies)


async def walk(app: FastAPI, expected: dict[tuple[str, str], Access], sign_in: SignIn) -> None:
    served = _served(app)
    assert sorted(set(served) - set(expected)) == [], "routes missing from the role table"
    assert sorted(set(expected) - set(served)) == [], "table rows for routes that do not exist"
    jars = {caller: await caller_cookies(app, caller, sign_in) for caller in CALLERS}
    problems = []
    for (method, path), route in sorted(served.items()):
        assert route.access == expected[(method, path)], f"{method} {path} declares {route.access}"
        for caller in CALLERS:
            # A fresh client per call: sign-out or refresh by one route cannot leak into another.
            async with make_client(app) as client:
                client.cookies = httpx.Cookies(jars[caller])
                response = await client.request(method, _concrete(path))
            problem = check(expected[(method, path)], caller, response.status_code)
            if problem:
                problems.append(f"{method} {path} as {caller}: {response.status_code} {problem}")
    assert problems == []


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


async def test_role_matrix_catches_supervisor_routes(app: FastAPI) -> None:
    app.include_router(_probe_router())
    expected: dict[tuple[str, str], Access] = {
        **EXPECTED,
        ("GET", "/probe/user"): "user",
        ("DELETE", "/probe/supervisor/{item_id}"): "supervisor",
        ("POST", "/probe/ingest"): "key_or_supervisor",
    }
    await walk(app, expected, local_sign_in(app))
    with pytest.raises(AssertionError, match="routes missing from the role table"):
        await walk(app, EXPECTED, local_sign_in(app))


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
