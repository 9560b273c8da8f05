import asyncio
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import URL

from cschat.core.config import Settings
from cschat.core.db import make_engine
from cschat.main import create_app
from tests.support.tokens import local_token


async def serve(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_health_needs_no_database(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    async with app.router.lifespan_context(app), await serve(app) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["revision"] == body["head"]


async def test_ready_is_503_when_not_migrated(
    make_settings: Callable[..., Settings], tmp_path: object
) -> None:
    app = create_app(make_settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/empty.db"))
    async with app.router.lifespan_context(app), await serve(app) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["revision"] is None and body["head"]
    assert body["error"] == "ServiceUnavailable" and "cschat db upgrade" in body["detail"]


async def test_ready_and_db_health_are_503_when_database_is_down(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    async with app.router.lifespan_context(app), await serve(app) as client:
        ready = await client.get("/ready")
        # A well-signed session cookie: checking the account needs the database, which is down.
        client.cookies.set("id_token", local_token(app, "someone@example.com"))
        health = await client.get("/api/database/health")
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"
    assert health.status_code == 503
    assert health.json()["success"] is False
    assert "database" in health.json()["detail"]


async def test_ready_503s_carry_the_error_shape(make_settings: Callable[..., Settings]) -> None:
    # Every error body has `success`, `error` and `detail`; /ready's 503 had only its report.
    down = create_app(make_settings(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    async with down.router.lifespan_context(down), await serve(down) as client:
        unreachable = (await client.get("/ready")).json()
    assert unreachable["success"] is False and unreachable["error"] == "ServiceUnavailable"
    assert unreachable["detail"] == "The database is unavailable: try again shortly."
    assert unreachable["database"] == "unreachable"


async def test_ready_is_not_fooled_by_connections_the_server_dropped(
    app: FastAPI, client: httpx.AsyncClient, database_url: URL
) -> None:
    # After a database restart the pool's connections are dead: the first /ready said the
    # database was fine but not migrated (revision None) instead of checking again.
    if database_url.get_backend_name() != "postgresql":
        pytest.skip("a server to drop the connections")
    assert (await client.get("/ready")).status_code == 200
    killer = make_engine(database_url)
    async with killer.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await killer.dispose()
    await asyncio.sleep(0.05)
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == response.json()["head"]


async def test_database_health_in_seed_shape(agent_client: httpx.AsyncClient) -> None:
    response = await agent_client.get("/api/database/health")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Base de datos conectada"}


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_api_documentation_is_served(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    if path == "/openapi.json":
        assert response.json()["paths"]["/health"]["get"]
    else:
        assert "text/html" in response.headers["content-type"]
        assert "/openapi.json" in response.text


async def test_openapi_has_tags_and_descriptions(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["description"].strip()
    assert {t["name"] for t in spec["tags"]} >= {"health"}
    assert {"/health", "/auth/login", "/api/users"} <= spec["paths"].keys()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert operation.get("tags"), f"{method.upper()} {path} has no tag"
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    made = await client.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    hostile = await client.get("/health", headers={"X-Request-ID": "a b<script>"})
    assert hostile.headers["x-request-id"] != "a b<script>"
    assert len(hostile.headers["x-request-id"]) == 32
    assert made.headers["x-request-id"] != hostile.headers["x-request-id"]


async def test_unknown_route_uses_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "NotFound", "detail": "Not Found"}


async def test_wrong_method_uses_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/health")
    assert response.status_code == 405
    assert response.json()["error"] == "MethodNotAllowed"


async def test_unexpected_error_hides_internals(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings)

    @app.get("/boom", tags=["health"], summary="Fails on purpose")
    async def boom() -> None:
        raise RuntimeError("password=hunter2 in a driver message")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        response = await client.get("/boom", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "InternalError"
    assert "req-1" in body["detail"]
    assert "hunter2" not in response.text and "Traceback" not in response.text
    logged = capfd.readouterr().err
    assert "hunter2" not in logged and "Traceback" not in logged
    assert "RuntimeError" in logged


async def test_access_log_has_no_secrets(
    client: httpx.AsyncClient, capfd: pytest.CaptureFixture[str]
) -> None:
    await client.get(
        "/health?token=sekret-q",
        headers={
            "Authorization": "Bearer sekret-a",
            "Cookie": "id_token=sekret-c",
            "X-API-Key": "sekret-k",
        },
    )
    logged = capfd.readouterr().err
    assert "request" in logged and "/health" in logged
    assert "sekret" not in logged


async def test_metrics_count_requests(client: httpx.AsyncClient) -> None:
    # The counters are the process's: other tests' requests count too, so compare two readings.
    sample = 'cschat_http_requests_total{method="GET",route="/health",status="200"}'

    async def count() -> float:
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        values = [
            float(line.rsplit(" ", 1)[1])
            for line in response.text.splitlines()
            if line.startswith(sample + " ")
        ]
        return values[0] if values else 0.0

    before = await count()
    for _ in range(3):
        await client.get("/health")
    assert await count() == before + 3


async def test_production_logs_are_json(
    make_settings: Callable[..., Settings], capfd: pytest.CaptureFixture[str]
) -> None:
    import json

    app = create_app(make_settings(APP_ENV="production", COOKIE_SECURE="true"))
    async with app.router.lifespan_context(app), await serve(app) as client:
        await client.get("/health", headers={"X-Request-ID": "json-1"})
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.strip()]
    access = [line for line in lines if line.get("event") == "request"]
    assert access[-1]["request_id"] == "json-1"
    assert access[-1]["status"] == 200
    assert set(access[-1]) >= {"method", "path", "status", "latency_ms", "timestamp", "level"}
