import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.integrations.hubspot import repository
from cschat.integrations.hubspot.runner import SyncLock, SyncRunner
from cschat.main import create_app
from tests.integrations.hubspot.conftest import FakeFactory, differences, expected_tickets
from tests.integrations.hubspot.conftest import stored_tickets as stored
from tests.support.auth import sign_in

SYNC = "/api/integrations/hubspot/sync"
STATUS = "/api/integrations/hubspot/status"
# Cookie-authenticated POSTs carry the front end's Origin, as a browser sends it (CSRF check).
BROWSER = {"Origin": "http://localhost:3000"}


@asynccontextmanager
async def supervisor(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=BROWSER
        ) as c:
            await sign_in(app, c, email="boss@example.com", role="Supervisor")
            yield app, c


async def wait_finished(client: httpx.AsyncClient) -> dict[str, object]:
    for _ in range(1500):  # generous: the machine may be busy
        body: dict[str, object] = (await client.get(STATUS)).json()
        if not body["running"]:
            return body
        await asyncio.sleep(0.02)
    raise AssertionError("the sync did not finish")


async def test_supervisor_starts_a_background_sync_and_reads_its_status(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(1200)
    settings = hubspot_settings(url)
    async with supervisor(settings) as (_, client):
        started = await client.post(SYNC, json={})
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        body = await wait_finished(client)
        last = body["last_run"]
        assert isinstance(last, dict)
        assert (last["id"], last["status"], last["trigger"], last["mode"]) == (
            run_id,
            "succeeded",
            "api",
            "incremental",
        )
        assert (last["fetched"], last["inserted"], last["upserted"]) == (1200, 1200, 1200)
        assert body["tickets"] == 1200
        assert body["configured"] is True
        assert body["cursor"] is not None and body["cursor_ticket_id"] is not None
        assert body["next_run_at"] is None and body["interval_minutes"] == 0
        metrics = (await client.get("/metrics")).text
        assert 'cschat_hubspot_sync_runs_total{status="succeeded"}' in metrics
        assert 'cschat_hubspot_tickets_total{change="inserted"}' in metrics
        audited = (await client.get("/api/audit", params={"action": "hubspot.sync"})).json()
        assert audited["total"] == 1
        event = audited["items"][0]
        assert event["target"] == f"sync_run:{run_id}"
        assert event["details"]["status"] == "succeeded"
        assert "@" in event["actor"]
        stats = (await client.get("/api/database/stats")).json()
        assert stats["last_sync"]["status"] == "succeeded"
        assert stats["last_sync"]["fetched"] == 1200
        # The same instants as the status endpoint's, in UTC whatever the server's zone.
        for name in ("started_at", "finished_at"):
            shown = datetime.fromisoformat(stats["last_sync"][name])
            assert shown.utcoffset() == timedelta(0)
            assert shown == datetime.fromisoformat(last[name])
    assert differences(expected_tickets(fake), await stored(settings)) == []


async def test_a_second_sync_while_one_runs_is_a_409(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(3000)
    fake.fail_next(1, "ten_secondly")  # keeps the first run busy for a moment
    settings = hubspot_settings(url, HUBSPOT_TIME_SCALE="0.05")
    async with supervisor(settings) as (app, client):
        assert (await client.post(SYNC, json={"full": True})).status_code == 202
        second = await client.post(SYNC)
        assert second.status_code == 409
        assert second.json()["error"] == "Conflict"
        assert "already running" in second.json()["detail"]
        await app.state.hubspot.wait()
        assert (await wait_finished(client))["last_run"]["mode"] == "full"  # type: ignore[index]
        assert (await client.post(SYNC)).status_code == 202
        await app.state.hubspot.wait()
        assert (await wait_finished(client))["last_run"]["status"] == "succeeded"  # type: ignore[index]
    # Two runs (the refused one started nothing), each ticket stored once.
    assert differences(expected_tickets(fake), await stored(settings)) == []


async def test_only_one_runner_per_database_holds_the_sync_lock(
    hubspot_settings: Callable[..., Settings],
) -> None:
    settings = hubspot_settings("http://127.0.0.1:9")
    first, second = Database(settings.db), Database(settings.db)
    lock = SyncLock(first.engine)
    assert not await SyncLock(second.engine).held_anywhere()
    assert await lock.acquire()
    assert await SyncLock(second.engine).held_anywhere()
    assert await SyncRunner(second, settings.hubspot).running()
    try:
        with pytest.raises(Exception, match="already running"):
            await SyncRunner(second, settings.hubspot).run(full=False, trigger="cli")
    finally:
        await lock.release()
    assert not await SyncLock(second.engine).held_anywhere()
    relock = SyncLock(second.engine)
    assert await relock.acquire()
    await relock.release()
    await first.dispose()
    await second.dispose()


async def test_sync_needs_a_token_and_a_supervisor(
    make_settings: Callable[..., Settings], agent_client: httpx.AsyncClient
) -> None:
    assert (await agent_client.post(SYNC)).status_code == 403
    assert (await agent_client.get(STATUS)).status_code == 403
    app = create_app(make_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=BROWSER
        ) as anonymous:
            assert (await anonymous.get(STATUS)).status_code == 401
            await sign_in(app, anonymous, email="boss@example.com", role="Supervisor")
            refused = await anonymous.post(SYNC)
            assert refused.status_code == 409
            assert "HUBSPOT_TOKEN" in refused.json()["detail"]
            status = (await anonymous.get(STATUS)).json()
            assert (status["configured"], status["last_run"], status["tickets"]) == (False, None, 0)
            bad = await anonymous.post(SYNC, json={"full": "maybe"})
            assert bad.status_code == 422
            assert "full" in bad.json()["detail"]


async def test_the_periodic_sync_runs_on_its_own(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(300)
    settings = hubspot_settings(url, HUBSPOT_SYNC_INTERVAL_MINUTES="60")
    async with supervisor(settings) as (app, client):
        status = (await client.get(STATUS)).json()
        assert status["interval_minutes"] == 60
        assert status["next_run_at"] is not None  # scheduled by the lifespan
        runner: SyncRunner = app.state.hubspot
        await runner.close()
        runner.start_schedule(0.05)
        for _ in range(750):
            body = (await client.get(STATUS)).json()
            if body["last_run"] and body["last_run"]["status"] == "succeeded":
                break
            await asyncio.sleep(0.02)
        assert body["last_run"]["trigger"] == "schedule"
        assert body["tickets"] == 300
    assert fake.requests["search"] >= 2
    assert differences(expected_tickets(fake), await stored(settings)) == []


async def test_a_run_whose_process_died_is_not_shown_as_running(
    hubspot_settings: Callable[..., Settings],
) -> None:
    settings = hubspot_settings("http://127.0.0.1:9")
    if settings.db.effective_url().get_backend_name() != "postgresql":
        pytest.skip("SQLite's sync lock is process-local: another process's run looks the same")
    # What a process killed mid-sync leaves: a `running` row, and no lock (it went with the
    # process's connection). Until the next run marks it, the status must not say it runs.
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        dead = await repository.create_run(session, source="hubspot", mode="full", trigger="api")
        await session.commit()
        dead_id = dead.id
    await db.dispose()
    async with supervisor(settings) as (_, client):
        body = (await client.get(STATUS)).json()
    assert body["running"] is False
    last = body["last_run"]
    assert (last["id"], last["status"]) == (dead_id, "interrupted"), last
