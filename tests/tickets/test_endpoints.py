"""GET /api/database/stats and GET /data/query through HTTP, as Supervisor, Agent and API key."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.main import create_app
from cschat.tickets import demo
from tests.tickets.data import Reference, all_tickets, folded, metric

NOW = datetime.now(UTC)


async def _seed(app: FastAPI, tz: ZoneInfo, count: int = 600) -> Reference:
    engine = app.state.db.engine
    await demo.seed(engine, count=count, days=60, seed=5, now=NOW, tz=tz)
    return Reference(await all_tickets(engine), tz)


@pytest.fixture
async def ref(app: FastAPI) -> Reference:
    return await _seed(app, ZoneInfo("UTC"))


async def test_stats_in_seed_shape_with_dashboard_figures(
    ref: Reference, supervisor_client: httpx.AsyncClient
) -> None:
    response = await supervisor_client.get("/api/database/stats")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["total_tickets"] == len(ref.tickets)
    want = Counter(t.category for t in ref.tickets)
    assert {c["category"]: c["count"] for c in body["categories"]} == want
    assert {c["channel"]: c["count"] for c in body["channels"]} == Counter(
        t.channel for t in ref.tickets
    )
    assert {c["priority"]: c["count"] for c in body["priorities"]} == Counter(
        t.priority for t in ref.tickets
    )
    today = NOW.date()
    week_start = today - timedelta(days=today.weekday())
    assert body["week_start"] == week_start.isoformat()
    assert body["resolved_this_week"] == len(ref.select(start=week_start))
    assert body["resolved_this_month"] == len(ref.select(start=today.replace(day=1)))
    assert body["resolved_this_month"] >= body["resolved_this_week"] > 0
    resolved = ref.select()
    assert body["resolved_total"] == len(resolved)
    assert body["avg_resolution_hours"] == pytest.approx(metric(resolved, "avg_resolution_hours"))
    assert body["median_resolution_hours"] == pytest.approx(
        metric(resolved, "median_resolution_hours")
    )
    assert body["open_tickets"] == len(ref.select(date_field="created", status="open"))
    assert body["timezone"] == "UTC"
    assert body["data_as_of"] is not None
    assert body["last_ingest"] is None and body["last_sync"] is None


async def test_stats_weeks_follow_app_timezone(
    make_settings: Callable[..., Settings],
) -> None:
    from tests.support.auth import sign_in

    tz = ZoneInfo("Pacific/Kiritimati")  # UTC+14: "today" differs from UTC most of the day
    app = create_app(make_settings(APP_TIMEZONE=tz.key))
    async with app.router.lifespan_context(app):
        ref = await _seed(app, tz, count=300)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await sign_in(app, client, email="boss@example.com", role="Supervisor")
            response = await client.get("/api/database/stats")
    assert response.status_code == 200, response.text
    body = response.json()
    today = NOW.astimezone(tz).date()
    week_start = today - timedelta(days=today.weekday())
    assert body["timezone"] == tz.key
    assert body["week_start"] == week_start.isoformat()
    assert body["resolved_this_week"] == len(ref.select(start=week_start))


async def test_stats_need_a_supervisor(ref: Reference, agent_client: httpx.AsyncClient) -> None:
    response = await agent_client.get("/api/database/stats")
    assert response.status_code == 403
    body = response.json()
    assert (body["success"], body["error"]) == (False, "Forbidden") and body["detail"]
    assert "total_tickets" not in body and "categories" not in body


async def test_stats_need_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/database/stats")
    assert response.status_code == 401
    assert response.json()["success"] is False


async def test_query_grouped_by_dimension(
    ref: Reference, supervisor_client: httpx.AsyncClient
) -> None:
    response = await supervisor_client.get(
        "/data/query",
        params={"metric": "avg_csat", "group_by": "channel", "date_field": "created"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == ["channel", "avg_csat", "count"]
    groups: dict[str | None, list[object]] = {}
    for t in ref.select(date_field="created"):
        groups.setdefault(folded(t.channel), []).append(t)
    assert len(body["rows"]) == len(groups)
    for key, value, count in body["rows"]:
        assert count == len(groups[folded(key)])
        assert value == pytest.approx(metric(groups[folded(key)], "avg_csat"))  # type: ignore[arg-type]
    assert body["tool"] == "breakdown_tickets"


async def test_query_by_week_as_csv(ref: Reference, supervisor_client: httpx.AsyncClient) -> None:
    start = (NOW - timedelta(days=30)).date()
    response = await supervisor_client.get(
        "/data/query",
        params={
            "group_by": "week",
            "start_date": start.isoformat(),
            "format": "csv",
            "category": "billing",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["week", "count"]
    total = sum(int(r[1]) for r in rows[1:])
    assert total == len(ref.select(start=start, category="Billing")) > 0


async def test_query_single_figures(ref: Reference, supervisor_client: httpx.AsyncClient) -> None:
    response = await supervisor_client.get("/data/query", params={"date_field": "created"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["columns"], body["rows"]) == (["count"], [[len(ref.tickets)]])
    response = await supervisor_client.get(
        "/data/query", params={"metric": "median_resolution_hours"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    resolved = ref.select()
    assert body["columns"] == ["median_resolution_hours", "count"]
    assert body["rows"] == [
        [pytest.approx(metric(resolved, "median_resolution_hours")), len(resolved)]
    ]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"metric": "sum"}, "metric"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"limit": "0"}, "limit"),
        ({"metric": "avg_csat", "status": "open"}, "status"),
        ({"start_date": "2024-02-01", "end_date": "2024-01-01"}, "end_date"),
        ({"bogus": "1"}, "bogus"),
        # The day after, or a local midnight, would leave the calendar (years 1-9999).
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"start_date": "0001-01-01", "group_by": "category"}, "start_date"),
        ({"start_date": "9999-12-31", "group_by": "month"}, "start_date"),
    ],
)
async def test_query_bad_input_names_the_field(
    params: dict[str, str], needle: str, supervisor_client: httpx.AsyncClient
) -> None:
    response = await supervisor_client.get("/data/query", params=params)
    assert response.status_code in (400, 422)
    body = response.json()
    assert body["success"] is False and "rows" not in body
    assert needle in body["detail"]


async def test_query_refuses_agents_and_ingest_keys(
    make_settings: Callable[..., Settings], app: FastAPI, agent_client: httpx.AsyncClient
) -> None:
    assert (await agent_client.get("/data/query")).status_code == 403
    assert (await agent_client.post("/data/query/sql", json={"sql": "SELECT 1"})).status_code == 403
    app = create_app(make_settings(INGEST_API_KEY="ingest-key-0123456789"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            key = {"X-API-Key": "ingest-key-0123456789"}
            response = await client.get("/data/query", headers=key)
            assert response.status_code == 403
            assert "query" in response.json()["detail"]
            wrong = await client.get("/data/query", headers={"X-API-Key": "nope"})
            assert wrong.status_code == 401


async def test_stats_follow_new_data(
    app: FastAPI, ref: Reference, supervisor_client: httpx.AsyncClient
) -> None:
    first = (await supervisor_client.get("/api/database/stats")).json()
    from cschat.tickets.models import Ticket

    async with app.state.db.sessionmaker() as session:
        session.add(
            Ticket(
                source="t",
                external_id="new-1",
                status="resolved",
                category="Fresh",
                created_at=NOW,
                resolved_at=NOW,
                resolution_minutes=30,
            )
        )
        await session.commit()
    second = (await supervisor_client.get("/api/database/stats")).json()
    assert second["total_tickets"] == first["total_tickets"] + 1
    assert {"category": "Fresh", "count": 1} in second["categories"]
    assert second["resolved_this_week"] == first["resolved_this_week"] + 1
