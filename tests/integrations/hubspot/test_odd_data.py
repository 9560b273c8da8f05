"""Odd upstream data: stored sensibly or refused for its own ticket, never failing the run."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from cschat.core.config import Settings
from cschat.integrations.hubspot.mapping import Owner, owner_map, stage_map, ticket_id
from cschat.integrations.hubspot.models import SyncRun
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.hubspot.catalog import BASE_MS, CLOSED_STAGES, YEAR_MS
from tests.integrations.hubspot.conftest import (
    FakeFactory,
    differences,
    expected_tickets,
    stored_tickets,
    sync_once,
)

CLOSED = {stage for _, stage in CLOSED_STAGES}


def closed_ticket(fake: FakeHubSpot) -> str:
    """A closed ticket: only those have their closed date and time to close read."""
    return next(t.id for t in fake.live() if t.properties["hs_pipeline_stage"] in CLOSED)


async def bounded_sync(settings: Settings) -> SyncRun:
    # A paging loop that never ends must fail the test, not hang it.
    return await asyncio.wait_for(sync_once(settings), timeout=60)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("createdate", "0001-01-01T00:00:00+05:00"),  # OverflowError converting to UTC
        ("createdate", "9999-12-31T23:59:59-05:00"),
        ("createdate", "0001-01-01T00:00:00Z"),  # outside the years tickets keep
        ("createdate", 1767225600000),  # a number, not text
        ("closed_date", "99999999999999999999"),  # epoch milliseconds past year 9999
        ("time_to_close", "1e400"),  # infinite minutes
        ("subject", "Refund\x00"),  # PostgreSQL text cannot hold NUL
        ("content", "broken \ud800 emoji"),  # a lone surrogate
        ("hs_ticket_category", "X" * 300),  # wider than the column
        ("hs_ticket_priority", 3),
        ("subject", {"text": "nested"}),
        ("hs_ticket_language", "es\x00"),  # an extra property, kept in attributes
    ],
)
async def test_an_unusable_property_refuses_only_its_own_ticket(
    fake_hubspot: FakeFactory,
    hubspot_settings: Callable[..., Settings],
    name: str,
    value: Any,
) -> None:
    fake, url = fake_hubspot(30)
    odd = closed_ticket(fake)
    fake.tickets[odd].raw[name] = value
    settings = hubspot_settings(url)

    run = await bounded_sync(settings)
    assert (run.status, run.errors, run.inserted) == ("succeeded", 1, 29), run.detail
    expected = expected_tickets(fake)
    del expected[odd]
    assert differences(expected, await stored_tickets(settings)) == []

    again = await bounded_sync(settings)
    assert (again.status, again.inserted, again.updated) == ("succeeded", 0, 0), again.detail
    assert differences(expected, await stored_tickets(settings)) == []


@pytest.mark.parametrize(
    "value",
    ["not a date", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1e12", None],
)
async def test_an_unreadable_modification_time_still_stores_the_ticket(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings], value: str | None
) -> None:
    fake, url = fake_hubspot(30)
    first = fake.tickets["1000"]  # sorted first: its time also starts the window
    first.properties["hs_lastmodifieddate"] = str(BASE_MS - YEAR_MS)
    first.raw["hs_lastmodifieddate"] = value
    settings = hubspot_settings(url)
    run = await bounded_sync(settings)
    assert (run.status, run.errors, run.inserted) == ("succeeded", 0, 30), run.detail
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


async def test_a_ticket_without_pipeline_is_open_with_no_stage_names(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(5)
    fake.tickets["1000"].raw.update(hs_pipeline=None, hs_pipeline_stage=None)
    settings = hubspot_settings(url)
    run = await bounded_sync(settings)
    assert run.status == "succeeded", run.detail
    stored = (await stored_tickets(settings))["1000"]
    assert (stored["status"], stored["hubspot_pipeline"], stored["hubspot_stage"]) == (
        "open",
        None,
        None,
    )


async def test_a_modification_time_in_the_future_does_not_stall_the_cursor(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(50)
    fake.tickets["1000"].properties["hs_lastmodifieddate"] = "253402214400000"  # 9999-12-31
    settings = hubspot_settings(url)
    first = await bounded_sync(settings)
    assert (first.status, first.inserted) == ("succeeded", 50), first.detail

    changed = fake.change(5)
    second = await bounded_sync(settings)
    assert second.status == "succeeded", second.detail
    assert second.updated == len(changed)
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


@pytest.mark.parametrize("quirk", ["search_repeats_cursor", "list_repeats_cursor"])
async def test_a_page_cursor_that_repeats_ends_the_run_with_a_clear_status(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings], quirk: str
) -> None:
    fake, url = fake_hubspot(700)
    fake.archive(250)  # three pages of archived tickets
    fake.quirks.add(quirk)
    run = await bounded_sync(hubspot_settings(url))
    assert run.status == "failed"
    assert run.detail is not None and "page cursor" in run.detail
    assert run.inserted >= 200  # what was read before the loop is kept


async def test_a_repeating_owners_cursor_ends_the_run_with_a_clear_status(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(10, owners=400)  # 300 live owners: three pages
    fake.quirks.add("owners_repeat_cursor")
    run = await bounded_sync(hubspot_settings(url))
    assert run.status == "failed"
    assert run.detail is not None and "page cursor" in run.detail


async def test_an_empty_page_that_points_further_is_followed(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(450)
    fake.quirks.add("empty_first_page")
    settings = hubspot_settings(url)
    run = await bounded_sync(settings)
    assert (run.status, run.inserted) == ("succeeded", 250), run.detail
    # The 250 behind the empty page, each stored as HubSpot has it.
    stored = await stored_tickets(settings)
    expected = expected_tickets(fake)
    assert len(stored) == 250 and differences({i: expected[i] for i in stored}, stored) == []


async def test_a_stale_copy_later_in_a_page_does_not_overwrite_the_fresh_one(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(300)
    fake.repeat_in_page = "stale"
    settings = hubspot_settings(url)
    run = await bounded_sync(settings)
    assert (run.status, run.inserted) == ("succeeded", 300), run.detail
    assert differences(expected_tickets(fake), await stored_tickets(settings)) == []


def test_odd_owners_and_pipelines_are_skipped_or_read_as_far_as_they_go() -> None:
    owners = owner_map(
        [
            {},
            {"id": None},
            {"id": "7", "email": ["x"], "firstName": 3, "lastName": "Ruiz", "teams": [None]},
            {"id": "8", "email": "a@b.c", "teams": "Care"},
        ]
    )
    assert owners == {
        "7": Owner(email=None, name="Ruiz", team=None),
        "8": Owner(email="a@b.c", name=None, team=None),
    }
    stages = stage_map(
        [
            {},
            {"id": "5", "stages": [None, {"label": "x"}, {"id": "51", "metadata": None}]},
        ]
    )
    assert list(stages) == [("5", "51")]
    assert (stages[("5", "51")].label, stages[("5", "51")].status) == ("51", "open")


@pytest.mark.parametrize(("raw", "expected"), [("12", "12"), (12, "12")])
def test_a_ticket_id_is_text_or_a_json_integer(raw: object, expected: str) -> None:
    assert ticket_id({"id": raw}) == expected


@pytest.mark.parametrize("raw", [None, "", True, 1.5, ["1"], "a\x00"])
def test_a_ticket_without_a_usable_id_is_refused(raw: object) -> None:
    with pytest.raises(ValueError, match="id"):
        ticket_id({"id": raw})
