"""Failed sign-ins are limited per email and per IP: 429 with Retry-After."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import httpx
import pytest
from redis import Redis
from redis.exceptions import RedisError

from cschat.core.config import Settings
from cschat.main import create_app
from tests.conftest import make_client
from tests.support.auth import TEST_PASSWORD, create_user

REDIS_URL = "redis://127.0.0.1:6379/15"


async def _fail(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/auth/login", json={"email": email, "password": "wrong-password"})


async def test_per_email_limit_blocks_even_the_right_password(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(LOGIN_MAX_FAILURES_PER_EMAIL=3))
    async with app.router.lifespan_context(app), make_client(app) as client:
        await create_user(app, email="ana@example.com")
        statuses = [(await _fail(client, "ana@example.com")).status_code for _ in range(3)]
        blocked = await client.post(
            "/auth/login", json={"email": "ANA@example.com", "password": TEST_PASSWORD}
        )
        other = await client.post("/auth/login", json={"email": "bob@example.com", "password": "x"})
    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "RateLimited"
    retry_after = int(blocked.headers["retry-after"])
    assert 0 < retry_after <= 900
    assert str(retry_after) in blocked.json()["detail"]
    assert other.status_code == 401


async def test_success_resets_the_email_counter(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(LOGIN_MAX_FAILURES_PER_EMAIL=2))
    async with app.router.lifespan_context(app), make_client(app) as client:
        await create_user(app, email="ana@example.com")
        before = await _fail(client, "ana@example.com")
        ok = await client.post(
            "/auth/login", json={"email": "ana@example.com", "password": TEST_PASSWORD}
        )
        after = [(await _fail(client, "ana@example.com")).status_code for _ in range(3)]
    assert before.status_code == 401
    assert ok.status_code == 200
    # Two more failures fit: without the reset, the one before the sign-in would block the second.
    assert after == [401, 401, 429]


async def test_per_ip_limit_spans_emails(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(LOGIN_MAX_FAILURES_PER_IP=4))
    async with app.router.lifespan_context(app), make_client(app) as client:
        statuses = [(await _fail(client, f"u{n}@example.com")).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]


async def test_the_sign_in_page_is_limited_too(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(LOGIN_MAX_FAILURES_PER_EMAIL=1))
    async with app.router.lifespan_context(app), make_client(app) as client:
        form = {
            "email": "ana@example.com",
            "password": "nope",
            "redirect_uri": "http://localhost:3000/login/callback",
        }
        first = await client.post("/auth/local/authorize", data=form)
        second = await client.post("/auth/local/authorize", data=form)
    assert first.status_code == 401
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in second.text


@pytest.fixture
def redis_url() -> str:
    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (REDIS_URL tests)")
    return REDIS_URL


async def test_redis_store_is_shared_between_processes(
    make_settings: Callable[..., Settings], redis_url: str
) -> None:
    # Two app instances stand for two server processes; only Redis connects them.
    email = f"shared-{secrets.token_hex(6)}@example.com"
    # Redis outlives test runs: the per-IP window (all tests share one IP) must not fill up
    # across runs, so only the per-email limit (a fresh email each run) is exercised here.
    settings = make_settings(
        REDIS_URL=redis_url, LOGIN_MAX_FAILURES_PER_EMAIL=2, LOGIN_MAX_FAILURES_PER_IP=1_000_000
    )
    first, second = create_app(settings), create_app(settings)
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        make_client(first) as one,
        make_client(second) as two,
    ):
        assert (await _fail(one, email)).status_code == 401
        assert (await _fail(two, email)).status_code == 401
        blocked = await _fail(one, email)
        also_blocked = await _fail(two, email)
    assert blocked.status_code == also_blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 900
    keys = Redis.from_url(redis_url).keys("cschat:login-failures:email:*")
    assert keys and all(email.encode() not in key for key in keys)


async def test_memory_store_is_per_process(make_settings: Callable[..., Settings]) -> None:
    email = "ana@example.com"
    settings = make_settings(LOGIN_MAX_FAILURES_PER_EMAIL=1)
    first, second = create_app(settings), create_app(settings)
    async with (
        first.router.lifespan_context(first),
        second.router.lifespan_context(second),
        make_client(first) as one,
        make_client(second) as two,
    ):
        await _fail(one, email)
        assert (await _fail(one, email)).status_code == 429
        assert (await _fail(two, email)).status_code == 401
