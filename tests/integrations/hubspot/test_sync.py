import asyncio
import contextlib
import re
from collections.abc import Callable

from sqlalchemy import func, select

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.integrations.hubspot import repository
from cschat.integrations.hubspot.models import SyncRun, SyncState
from cschat.integrations.hubspot.runner import SyncRunner
from tests.integrations.hubspot.conftest import (
    FakeFactory,
    differences,
    expected_tickets,
    stored_tickets,
    sync_once,
)
from tests.tickets.conftest import unheld_documents

BIG = 25_000  # the size: crosses the search API's 10,000-result cap twice


async def _documents_no_ticket_holds(settings: Settings) -> int:
    db = Database(settings.db)
    try:
        return await unheld_documents(db)
    finally:
        await db.dispose()


async def test_full_then_incremental_sync_matches_hubspot_field_by_field(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(BIG)
    settings = hubspot_settings(url)

    first = await sync_once(settings)
    assert (first.status, first.inserted, first.updated) == ("succeeded", BIG, 0), first.detail
    # Past the 10,000 cap the fake answers 400; restarts re-read only the boundary timestamp.
    assert BIG // 200 < fake.requests["search"] <= BIG // 200 + 3
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []

    changed = set(fake.change(100))
    second = await sync_once(settings)
    assert second.status == "succeeded", second.detail
    assert (second.inserted, second.updated, second.removed) == (0, 100, 0)
    assert second.fetched < 1000  # incremental: the changes and the lag margin, not everything
    stored = await stored_tickets(settings)
    assert all(stored[i]["priority"] == "Urgent" for i in changed)
    assert differences(expected_tickets(fake), stored) == []

    reopened = fake.reopen(20)
    archived = fake.archive(30)
    created = fake.create(7)
    third = await sync_once(settings)
    assert (third.inserted, third.updated, third.removed) == (7, 20, 30), third.detail
    stored = await stored_tickets(settings)
    assert all(stored[i]["status"] in ("open", "in_progress") for i in reopened)
    assert all(stored[i]["resolved_at"] is None for i in reopened)
    assert not set(archived) & stored.keys()
    assert set(created) <= stored.keys()
    assert differences(expected_tickets(fake), stored) == []
    assert await _documents_no_ticket_holds(settings) == 0  # the archived tickets' are pruned

    # Nothing changed upstream: a re-sync writes nothing and duplicates nothing.
    again = await sync_once(settings)
    assert (again.status, again.inserted, again.updated, again.removed) == (
        "succeeded",
        0,
        0,
        0,
    ), again.detail
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_a_killed_sync_resumes_from_its_cursor_and_ends_exact(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(3000)
    settings = hubspot_settings(url)
    db = Database(settings.db)
    runner = SyncRunner(db, settings.hubspot)
    batches = 0
    task: asyncio.Task[SyncRun] | None = None

    def kill_after_five(done: int, total: int | None) -> None:
        nonlocal batches
        batches += 1
        if batches == 5 and task is not None:
            task.cancel()

    task = asyncio.create_task(runner.run(full=False, trigger="cli", on_progress=kill_after_five))
    with contextlib.suppress(asyncio.CancelledError):
        await task
    async with db.sessionmaker() as session:
        killed = await repository.last_run(session, "hubspot")
        state = await session.get(SyncState, "hubspot")
    assert killed is not None and killed.status == "interrupted"
    assert state is not None and state.cursor_ms is not None
    await db.dispose()
    stored = await stored_tickets(settings)
    assert len(stored) == 1000 == killed.inserted  # five committed pages of 200, nothing more
    expected = expected_tickets(fake)
    assert differences({i: expected[i] for i in stored}, stored) == []

    resumed = await sync_once(settings)
    assert resumed.status == "succeeded", resumed.detail
    assert resumed.inserted == 2000
    assert resumed.fetched < 2300  # resumed near the cursor, not from the start
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_a_storm_of_429s_and_5xx_is_ridden_out(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(1500)
    settings = hubspot_settings(url)
    # Six failures in a row on the first call (the most HUBSPOT_MAX_RETRIES=6 allows), then
    # every third call rate limited for the whole run.
    fake.fail_next(2, "ten_secondly")
    fake.fail_next(2, "503")
    fake.fail_next(2, "secondly")
    fake.fail_every = (3, "secondly")
    run = await sync_once(settings)
    assert run.status == "succeeded", run.detail
    assert run.errors == 0
    retried = re.search(r"(\d+) retried", run.detail or "")
    assert retried is not None and int(retried[1]) >= 6, run.detail  # at least the six in a row
    assert not fake.failures  # every queued failure was met and ridden out
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_retries_give_up_after_the_limit_with_a_clear_status(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(10)
    fake.fail_next(3, "502")
    run = await sync_once(hubspot_settings(url, HUBSPOT_MAX_RETRIES="2"))
    assert run.status == "failed"
    assert run.detail == "HubSpot answered 502 after 3 attempts (Internal error)."


async def test_the_daily_limit_stops_the_run_with_a_clear_status(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(600)
    settings = hubspot_settings(url)
    fake.fail_next(1, "daily")
    run = await sync_once(settings)
    assert run.status == "daily_limit"
    assert run.detail is not None and "daily" in run.detail
    assert run.finished_at is not None and run.errors == 1
    assert fake.requests == {"pipelines": 1}  # no retry against a daily limit


async def test_a_bad_token_gives_an_unauthorized_status(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    _, url = fake_hubspot(10)
    run = await sync_once(hubspot_settings(url, HUBSPOT_TOKEN="wrong"))
    assert run.status == "unauthorized"
    assert run.detail is not None and "HUBSPOT_TOKEN" in run.detail
    assert "wrong" not in run.detail


async def test_the_dated_api_layout_syncs_the_same(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(700)
    settings = hubspot_settings(url, HUBSPOT_API_PREFIX="/crm/objects/2026-03")
    run = await sync_once(settings)
    assert (run.status, run.inserted) == ("succeeded", 700), run.detail
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_a_ticket_listed_twice_in_one_page_is_written_once(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(500)
    fake.repeat_in_page = True
    settings = hubspot_settings(url)
    run = await sync_once(settings)
    assert (run.status, run.inserted, run.updated) == ("succeeded", 500, 0), run.detail
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []
    again = await sync_once(settings, full=True)
    assert (again.status, again.inserted, again.updated) == ("succeeded", 0, 0), again.detail
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_full_rebuild_rereads_everything_and_keeps_counts_exact(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(800)
    settings = hubspot_settings(url)
    await sync_once(settings)
    rebuilt = await sync_once(settings, full=True)
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []
    assert (rebuilt.mode, rebuilt.fetched, rebuilt.inserted, rebuilt.updated) == (
        "full",
        800,
        0,
        0,
    )
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        state = await session.get(SyncState, "hubspot")
        runs = await session.scalar(select(func.count()).select_from(SyncRun))
    await db.dispose()
    assert state is not None and state.last_full_at is not None
    assert runs == 2


async def test_more_than_10000_tickets_on_one_timestamp_are_walked_by_object_id(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(10_150, one_stamp=True)
    settings = hubspot_settings(url)
    run = await sync_once(settings)
    assert (run.status, run.inserted) == ("succeeded", 10_150), run.detail
    assert run.fetched == 10_000 + 10_150, run.detail  # one capped window, then the walk
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    _, url = fake_hubspot(50)
    settings = hubspot_settings(url)
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        dead = await repository.create_run(session, source="hubspot", mode="full", trigger="cli")
        await session.commit()
        dead_id = dead.id
    run = await sync_once(settings)
    async with db.sessionmaker() as session:
        stale = await repository.get_run(session, dead_id)
    await db.dispose()
    assert run.status == "succeeded" and run.id != dead_id
    assert stale is not None and stale.status == "interrupted" and stale.finished_at is not None
