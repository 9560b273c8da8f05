"""AUTH_PROVIDER=local: password sign-in, cookies, refresh rotation, the code flow, sign-out."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import update

from cschat.auth.cookies import read_ui_hint
from cschat.auth.models import AuthorizationCode
from cschat.core.config import Settings
from cschat.core.db import utcnow
from cschat.core.security import dummy_password_hash
from cschat.main import create_app
from cschat.users import service as users_service
from tests.conftest import make_client
from tests.support.auth import TEST_PASSWORD, create_user

EMAIL = "ana@example.com"


def _set_cookies(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie of a response with its attributes (lower-case names)."""
    out: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            attrs: dict[str, str | bool] = {"value": morsel.value}
            attrs.update({k: v for k, v in morsel.items() if v})
            attrs["httponly"] = "httponly" in header.lower()
            out[name] = attrs
    return out


async def _login(client: httpx.AsyncClient, email: str = EMAIL, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    return await client.post("/auth/login", json={"email": email, "password": password})


async def test_json_login_sets_cookies_and_me_answers(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    await create_user(app, email=EMAIL, role="Supervisor", given_name="Ana", family_name="Gil")
    response = await _login(client)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "email": EMAIL, "role": "Supervisor"}
    cookies = _set_cookies(response)
    assert cookies["id_token"]["httponly"] is True
    assert cookies["id_token"]["path"] == "/"
    assert str(cookies["id_token"]["samesite"]).lower() == "lax"
    assert "secure" not in cookies["id_token"]
    assert cookies["refresh_token"]["httponly"] is True
    assert cookies["refresh_token"]["path"] == "/auth"
    assert cookies["ui_hint"]["httponly"] is False
    hint = read_ui_hint(str(cookies["ui_hint"]["value"]).strip('"'), settings)
    assert hint is not None and hint["email"] == EMAIL and hint["role"] == "Supervisor"
    assert hint["exp"] > time.time() + 3000
    me = await client.get("/auth/me")
    assert me.status_code == 200
    assert me.json() == {
        "email": EMAIL,
        "groups": ["Supervisor"],
        "given_name": "Ana",
        "family_name": "Gil",
        "role": "Supervisor",
        "status": "active",
    }


async def test_cookie_flags_follow_settings(make_settings: Callable[..., Settings]) -> None:
    app = create_app(
        make_settings(COOKIE_SECURE="true", COOKIE_SAMESITE="Strict", COOKIE_DOMAIN="example.test")
    )
    async with app.router.lifespan_context(app), make_client(app) as client:
        await create_user(app, email=EMAIL)
        response = await _login(client)
    cookies = _set_cookies(response)
    for name in ("id_token", "refresh_token", "ui_hint"):
        assert cookies[name]["secure"] is True
        assert str(cookies[name]["samesite"]).lower() == "strict"
        assert cookies[name]["domain"] == "example.test"


async def test_id_token_is_shaped_like_cognitos_and_verifies_with_jwks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL, given_name="Ana", family_name="Gil")
    await _login(client)
    token = client.cookies["id_token"]
    jwks = (await client.get("/.well-known/jwks.json")).json()
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert header["alg"] == "RS256" and "d" not in key
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="cschat")
    assert claims["token_use"] == "id"
    assert claims["email"] == EMAIL
    assert claims["cognito:groups"] == ["Agent"]
    assert (claims["given_name"], claims["family_name"]) == ("Ana", "Gil")
    assert claims["exp"] - claims["iat"] == 3600
    assert {"iss", "sub", "aud"} <= claims.keys()


async def test_form_login_and_case_insensitive_email(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL)
    response = await client.post(
        "/auth/login", data={"email": "  ANA@Example.COM ", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["email"] == EMAIL


@pytest.mark.parametrize(
    ("kwargs", "status", "needle"),
    [
        ({"json": {"email": EMAIL}}, 422, "password"),
        ({"json": ["nope"]}, 422, "request"),
        ({"content": b"{oops", "headers": {"Content-Type": "application/json"}}, 400, "JSON"),
        ({"content": b"email=x", "headers": {"Content-Type": "text/plain"}}, 400, "form"),
    ],
)
async def test_bad_login_bodies_get_a_clear_4xx(
    client: httpx.AsyncClient, kwargs: dict[str, object], status: int, needle: str
) -> None:
    response = await client.post("/auth/login", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert needle in response.json()["detail"]


async def test_wrong_password_and_unknown_email_look_the_same(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL)
    wrong = await _login(client, password="not the password")
    unknown = await _login(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "id_token" not in wrong.cookies


@pytest.mark.parametrize("route", ["/auth/login", "/auth/local/authorize"])
async def test_nul_in_the_email_is_a_wrong_password(
    app: FastAPI, client: httpx.AsyncClient, supervisor_client: httpx.AsyncClient, route: str
) -> None:
    await create_user(app, email=EMAIL)
    form = {
        "email": "ana\x00@example.com",
        "password": TEST_PASSWORD,
        "redirect_uri": "http://localhost:3000/login/callback",
    }
    response = await client.post(route, data=form)
    assert response.status_code == 401, response.text
    assert "Wrong email or password." in response.text
    # The refused attempt is still audited; PostgreSQL cannot store the NUL itself.
    items = await supervisor_client.get("/api/audit", params={"action": "auth.login_failed"})
    assert [i["actor"] for i in items.json()["items"]] == ["ana\ufffd@example.com"]


async def test_unknown_email_is_checked_against_the_dummy_hash(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_verify = PasswordHasher.verify

    def recording_verify(self: PasswordHasher, hash: str, password: str) -> bool:
        checked.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", recording_verify)
    response = await _login(client, email="nobody@example.com", password="whatever-it-is")
    assert response.status_code == 401
    assert checked == [dummy_password_hash()]
    # As costly as a real account's check: argon2id with the same parameters.
    await create_user(app, email=EMAIL)
    await _login(client, password="not the password")
    dummy, real = checked
    assert dummy.split("$")[1:4] == real.split("$")[1:4]
    assert dummy.startswith("$argon2id$")


async def test_pending_and_disabled_accounts_cannot_sign_in(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email="pending@example.com", status="pending")
    await create_user(app, email="off@example.com", status="disabled")
    pending = await _login(client, email="pending@example.com")
    disabled = await _login(client, email="off@example.com")
    assert pending.status_code == disabled.status_code == 403
    assert "invitation" in pending.json()["detail"]
    assert "disabled" in disabled.json()["detail"]


async def test_disabled_user_is_cut_off_mid_session(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL)
    await _login(client)
    assert (await client.get("/auth/me")).status_code == 200
    async with app.state.db.transaction() as session:
        await users_service.set_status(session, email=EMAIL, status="disabled")
    me = await client.get("/auth/me")
    assert me.status_code == 401
    assert "not active" in me.json()["detail"]
    assert (await client.post("/auth/refresh")).status_code == 401


async def test_role_change_applies_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL, role="Agent")
    await _login(client)
    assert (await client.get("/auth/me")).json()["role"] == "Agent"
    assert (await client.get("/api/users")).status_code == 403
    async with app.state.db.transaction() as session:
        await users_service.set_role(session, email=EMAIL, role="Supervisor")
    # The same cookie, no new sign-in: the role is read from the account on each request.
    assert (await client.get("/auth/me")).json()["role"] == "Supervisor"
    assert (await client.get("/api/users")).status_code == 200


async def test_refresh_rotates_and_an_old_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL)
    await _login(client)
    first = client.cookies["refresh_token"]
    rotated = await client.post("/auth/refresh")
    assert rotated.status_code == 200
    second = client.cookies["refresh_token"]
    assert second != first
    assert (await client.get("/auth/me")).status_code == 200

    async with make_client(app) as thief:
        thief.cookies.set("refresh_token", first, path="/auth")
        replay = await thief.post("/auth/refresh")
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]
    # Reuse revokes the whole chain, including the token that replaced the reused one.
    assert (await client.post("/auth/refresh")).status_code == 401


async def test_logout_clears_cookies_and_revokes_the_refresh_token(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL)
    await _login(client)
    refresh_token = client.cookies["refresh_token"]
    response = await client.post("/auth/logout")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    cleared = _set_cookies(response)
    for name in ("id_token", "refresh_token", "ui_hint"):
        assert cleared[name]["max-age"] == "0"
    assert cleared["refresh_token"]["path"] == "/auth"
    assert cleared["id_token"]["httponly"] is True and cleared["refresh_token"]["httponly"] is True
    assert (await client.get("/auth/me")).status_code == 401
    async with make_client(app) as other:
        other.cookies.set("refresh_token", refresh_token, path="/auth")
        assert (await other.post("/auth/refresh")).status_code == 401


async def test_refresh_without_cookie_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/refresh")
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
    assert "id_token" not in response.cookies


async def test_code_flow_with_the_built_in_page(app: FastAPI, client: httpx.AsyncClient) -> None:
    await create_user(app, email=EMAIL, role="Supervisor")
    start = (await client.get("/auth/login-url")).json()
    assert start["provider"] == "local"
    page_url = httpx.URL(start["url"])
    assert page_url.path == "/auth/local/authorize"
    assert page_url.params["redirect_uri"] == "http://localhost:3000/login/callback"
    page = await client.get(start["url"])
    assert page.status_code == 200
    assert "<form" in page.text and "text/html" in page.headers["content-type"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    submitted = await client.post(
        "/auth/local/authorize",
        data={
            "email": EMAIL,
            "password": TEST_PASSWORD,
            "redirect_uri": page_url.params["redirect_uri"],
            "state": start["state"],
        },
        headers={"Origin": "http://testserver"},
    )
    assert submitted.status_code == 303
    target = urlsplit(submitted.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == (
        "http://localhost:3000/login/callback"
    )
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["state"] == start["state"]

    exchanged = await client.post("/auth/exchange", data={"code": query["code"]})
    assert exchanged.status_code == 200
    assert exchanged.json()["ok"] is True and exchanged.json()["email"] == EMAIL
    assert (await client.get("/auth/me")).json()["role"] == "Supervisor"

    again = await client.post("/auth/exchange", data={"code": query["code"]})
    assert again.status_code == 400


async def test_expired_code_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    await create_user(app, email=EMAIL)
    page = httpx.URL((await client.get("/auth/login-url")).json()["url"])

    async def new_code() -> str:
        submitted = await client.post(
            "/auth/local/authorize",
            data={
                "email": EMAIL,
                "password": TEST_PASSWORD,
                "redirect_uri": page.params["redirect_uri"],
            },
        )
        assert submitted.status_code == 303, submitted.text
        return parse_qs(urlsplit(submitted.headers["location"]).query)["code"][0]

    expired, fresh = await new_code(), await new_code()
    # The database holds the code's SHA-256, never the code.
    expired_hash = hashlib.sha256(expired.encode()).hexdigest()
    async with app.state.db.transaction() as session:
        result = await session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == expired_hash)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        assert getattr(result, "rowcount", 0) == 1
    refused = await client.post("/auth/exchange", data={"code": expired})
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("code:")
    assert "id_token" not in refused.cookies
    # The same sign-in's other code, not expired, still works: only the expiry made the difference.
    assert (await client.post("/auth/exchange", data={"code": fresh})).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_sign_in_page_refuses_other_redirects(client: httpx.AsyncClient, method: str) -> None:
    evil = "https://evil.example/steal"
    if method == "GET":
        response = await client.get("/auth/local/authorize", params={"redirect_uri": evil})
    else:
        response = await client.post(
            "/auth/local/authorize",
            data={"email": EMAIL, "password": "x", "redirect_uri": evil},
        )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("redirect_uri:")


async def test_sign_in_page_shows_wrong_password_escaped(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await create_user(app, email=EMAIL)
    response = await client.post(
        "/auth/local/authorize",
        data={
            "email": '"><script>x</script>',
            "password": "nope",
            "redirect_uri": "http://localhost:3000/login/callback",
            "state": "<b>",
        },
    )
    assert response.status_code == 401
    assert "Wrong email or password." in response.text
    assert "<script>x" not in response.text and "<b>" not in response.text
    assert "location" not in response.headers


async def test_jwks_has_only_public_material(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


async def test_signing_key_survives_a_restart(
    make_settings: Callable[..., Settings], tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without JWT_PRIVATE_KEY (development), the key is generated once into ./data.
    monkeypatch.chdir(str(tmp_path))
    settings = make_settings(JWT_PRIVATE_KEY="")
    first = create_app(settings)
    async with first.router.lifespan_context(first), make_client(first) as client:
        await create_user(first, email=EMAIL)
        await _login(client)
        token = client.cookies["id_token"]
    second = create_app(settings)
    async with second.router.lifespan_context(second), make_client(second) as client:
        client.cookies.set("id_token", token)
        assert (await client.get("/auth/me")).status_code == 200


async def test_ui_hint_is_signed_with_ui_hint_secret(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(UI_HINT_SECRET="ui-hint-secret-" + "h" * 32)
    app = create_app(settings)
    async with app.router.lifespan_context(app), make_client(app) as client:
        await create_user(app, email=EMAIL)
        await _login(client)
        value = client.cookies["ui_hint"].strip('"')
    assert read_ui_hint(value, settings) is not None
    body, _, mac = value.partition(".")
    forged_body = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    assert read_ui_hint(f"{forged_body}.{mac}", settings) is None
    other = make_settings()  # same SECRET_KEY, no UI_HINT_SECRET: a different key
    assert read_ui_hint(value, other) is None


async def test_the_seed_front_ends_hosted_ui_url_reaches_the_built_in_page(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # The seed's front end builds Cognito's hosted-UI URL itself from COGNITO_DOMAIN.
    await create_user(app, email=EMAIL)
    callback = "http://localhost:3000/login/callback"
    page = await client.get(
        "/oauth2/authorize",
        params={
            "client_id": "seed-client",
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": callback,
        },
    )
    assert page.status_code == 200
    assert "<form" in page.text and callback in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    refused = await client.get("/oauth2/authorize", params={"redirect_uri": "https://evil.example"})
    assert refused.status_code == 400


async def test_sign_in_while_the_database_is_down_is_a_503(
    make_settings: Callable[..., Settings],
) -> None:
    # Routes behind a session answered 503, but the sign-in routes, which reach the database
    # through the request's session first, answered 500 InternalError.
    app = create_app(make_settings(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    async with app.router.lifespan_context(app), make_client(app) as client:
        login = await client.post("/auth/login", json={"email": EMAIL, "password": TEST_PASSWORD})
        client.cookies.set("refresh_token", "some-refresh-token", path="/auth")
        refresh = await client.post("/auth/refresh")
        exchange = await client.post("/auth/exchange", data={"code": "some-code"})
    for response in (login, refresh, exchange):
        assert response.status_code == 503, response.text
        assert response.json() == {
            "success": False,
            "error": "ServiceUnavailable",
            "detail": "The database is unavailable: try again shortly.",
        }
