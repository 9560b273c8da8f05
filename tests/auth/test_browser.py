"""The local provider's code flow in a real Chromium: the built-in page under its own CSP, the form
post, the redirect to a front end on another origin, and the exchange for HttpOnly cookies.

Only a browser enforces the page's Content-Security-Policy (`form-action` also covers the redirect
after the post) and CORS on the front end's calls, so these run Debian's Chromium through
Playwright; they are skipped when it is not installed (CHROMIUM_PATH names another binary).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cschat.auth.service import WRONG_CREDENTIALS
from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.main import create_app
from cschat.users import service as users_service
from tests.support.auth import TEST_PASSWORD
from tests.support.uvicorn_thread import serve_in_thread

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
EMAIL = "ana.browser@example.com"
TIMEOUT_MS = 10_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)",
    ),
]

# What a seed front end does on its callback route: trade the code for cookies, then ask who it is.
_CALLBACK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Front end</title>
<link rel="icon" href="data:,"></head>
<body><p id="result">signing in…</p>
<script>
(async () => {
  const api = API_URL;
  const query = new URLSearchParams(location.search);
  const result = document.getElementById("result");
  try {
    const body = new URLSearchParams({code: query.get("code"), state: query.get("state")});
    const exchange = await fetch(api + "/auth/exchange",
                                 {method: "POST", credentials: "include", body});
    if (!exchange.ok) {
      result.textContent = "exchange: " + exchange.status + " " + await exchange.text();
      return;
    }
    const me = await fetch(api + "/auth/me", {credentials: "include"});
    result.textContent = me.ok ? "signed in as " + (await me.json()).email : "me: " + me.status;
  } catch (error) {
    result.textContent = "failed: " + error;
  }
})();
</script></body></html>
"""


@dataclass
class FrontEnd:
    """The callback page on its own origin; remembers every request it got."""

    origin: str
    api_url: str = ""
    hits: list[str] = field(default_factory=list)

    @property
    def callback_url(self) -> str:
        return f"{self.origin}/login/callback"


@pytest.fixture
def front_end() -> Iterator[FrontEnd]:
    state = FrontEnd(origin="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            found = urlsplit(self.path).path == "/login/callback"
            body = _CALLBACK_PAGE.replace("API_URL", json.dumps(state.api_url)) if found else ""
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


async def _add_user(settings: Settings) -> None:
    db = Database(settings.db)
    try:
        async with db.transaction() as session:
            await users_service.create_user(
                session, email=EMAIL, role="Agent", password=TEST_PASSWORD, given_name="Ana"
            )
    finally:
        await db.dispose()


@contextmanager
def _serve(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
    with serve_in_thread(config, what="the app") as url:
        yield url


@pytest.fixture
def api_url(make_settings: Callable[..., Settings], front_end: FrontEnd) -> Iterator[str]:
    """The app with the front end's callback as OAUTH_REDIRECT_URI and an account to sign in."""
    settings = make_settings(
        OAUTH_REDIRECT_URI=front_end.callback_url, CORS_ORIGINS=front_end.origin
    )
    # In a thread of its own: the sync Playwright of this module marks this thread's loop running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _add_user(settings)).result()
    with _serve(settings) as url:
        front_end.api_url = url
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """One browser profile with its page and the errors the page reported."""

    context: BrowserContext
    page: Page
    errors: list[str]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A fresh browser profile and page; console errors (CSP violations among them) and uncaught
    page errors are collected."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    try:
        yield Tab(context=context, page=page, errors=errors)
    finally:
        context.close()


def _cookies(context: BrowserContext, url: str) -> dict[str, bool]:
    """Name -> HttpOnly of the cookies the browser would send to `url`."""
    return {c.get("name", ""): bool(c.get("httpOnly")) for c in context.cookies(url)}


def _sign_in_page(tab: Tab, api_url: str, front_end: FrontEnd, entry: str) -> str:
    """Open the built-in page the way a front end would; returns the state it sent."""
    if entry == "login-url":
        # Through the browser's own cookie jar, so the `auth_flow` cookie is there for the exchange.
        started = tab.context.request.get(f"{api_url}/auth/login-url")
        assert started.ok, started.text()
        url, state = started.json()["url"], started.json()["state"]
        assert url.startswith(f"{api_url}/auth/local/authorize?")
    else:
        # A seed front end that builds the hosted-UI URL itself, with COGNITO_DOMAIN = this server.
        state = "seed-state-42"
        query = {
            "client_id": "seed",
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": front_end.callback_url,
            "state": state,
        }
        url = f"{api_url}/oauth2/authorize?{urlencode(query)}"
    response = tab.page.goto(url)
    assert response is not None and response.status == 200
    assert tab.page.title() == "Sign in · cschat"
    return str(state)


@pytest.mark.parametrize("entry", ["login-url", "oauth2"])
def test_signing_in_on_the_page_lands_on_the_front_end_with_a_code_that_sets_httponly_cookies(
    tab: Tab, api_url: str, front_end: FrontEnd, entry: str
) -> None:
    page = tab.page
    state = _sign_in_page(tab, api_url, front_end, entry)

    page.fill("#email", EMAIL)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")

    # The 303 after the post goes to another origin: only `form-action 'self' <front end>` lets
    # the browser follow it.
    try:
        page.wait_for_url(f"{front_end.callback_url}?**")
    except PlaywrightTimeoutError:
        pytest.fail(f"no redirect to the front end (at {page.url}); browser errors: {tab.errors}")
    landed = parse_qs(urlsplit(page.url).query)
    assert landed["state"] == [state]
    assert len(landed["code"]) == 1 and landed["code"][0]

    # The front end's page traded the code (CORS with credentials) and asked who signed in.
    expect(page.locator("#result")).to_have_text(f"signed in as {EMAIL}", timeout=TIMEOUT_MS)

    cookies = _cookies(tab.context, f"{api_url}/auth/refresh")
    assert cookies["id_token"] is True
    assert cookies["refresh_token"] is True
    assert cookies["ui_hint"] is False
    assert "auth_flow" not in cookies
    # Page scripts see the hint only, never the tokens.
    visible = str(page.evaluate("document.cookie"))
    assert "ui_hint=" in visible
    assert "id_token" not in visible and "refresh_token" not in visible

    me = tab.context.request.get(f"{api_url}/auth/me")
    assert me.status == 200
    assert me.json()["email"] == EMAIL
    assert me.json()["given_name"] == "Ana"
    assert tab.errors == []


def test_a_wrong_password_shows_the_error_on_the_page_and_does_not_redirect(
    tab: Tab, api_url: str, front_end: FrontEnd
) -> None:
    page = tab.page
    _sign_in_page(tab, api_url, front_end, "login-url")

    page.fill("#email", EMAIL)
    page.fill("#password", "not the password")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url == f"{api_url}/auth/local/authorize"
    ) as posted:
        page.click("button[type=submit]")
    assert posted.value.status == 401
    page.wait_for_load_state()

    assert urlsplit(page.url).path == "/auth/local/authorize"
    assert page.locator(".error[role=alert]").inner_text() == WRONG_CREDENTIALS
    assert page.input_value("#email") == EMAIL
    assert page.input_value("#password") == ""
    assert front_end.hits == []
    assert "id_token" not in _cookies(tab.context, f"{api_url}/auth/me")
    # Chromium logs the page's own status; anything else (a CSP violation) is a failure.
    assert tab.errors == [
        "console: Failed to load resource: the server responded with a status of 401 "
        f"(Unauthorized) ({api_url}/auth/local/authorize)"
    ]
