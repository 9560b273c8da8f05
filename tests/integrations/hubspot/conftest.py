"""A fake HubSpot per test, settings pointing at it, and what the tickets table should hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.integrations.hubspot.models import SyncRun
from cschat.integrations.hubspot.runner import SyncRunner
from cschat.tickets.models import Ticket
from tests.fakes.hubspot import PIPELINES, TOKEN, FakeHubSpot, serve

# Every wait (throttle windows, backoffs, Retry-After) at a thousandth: storms pass in milliseconds.
# One extra property shows that whatever else is fetched lands in `attributes`.
FAST = {
    "HUBSPOT_TOKEN": TOKEN,
    "HUBSPOT_TIME_SCALE": "0.001",
    "HUBSPOT_EXTRA_PROPERTIES": "hs_ticket_language",
}

FakeFactory = Callable[..., tuple[FakeHubSpot, str]]


@pytest.fixture
def fake_hubspot() -> Iterator[FakeFactory]:
    """Start fakes on free ports: `fake, url = fake_hubspot(tickets=2000)`."""
    with ExitStack() as stack:

        def start(tickets: int = 2000, **kwargs: Any) -> tuple[FakeHubSpot, str]:
            fake = FakeHubSpot(tickets, **kwargs)
            return fake, stack.enter_context(serve(fake))

        yield start


@pytest.fixture
def hubspot_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    def build(url: str, **overrides: Any) -> Settings:
        return make_settings(**{"HUBSPOT_BASE_URL": url, **FAST, **overrides})

    return build


async def sync_once(settings: Settings, *, full: bool = False, **kwargs: Any) -> SyncRun:
    """One foreground sync, as `cschat hubspot sync` runs it."""
    db = Database(settings.db)
    try:
        return await SyncRunner(db, settings.hubspot).run(full=full, trigger="cli", **kwargs)
    finally:
        await db.dispose()


def _time(ms: str | None) -> datetime | None:
    return datetime.fromtimestamp(int(ms) / 1000, UTC) if ms else None


def _first_reply(properties: dict[str, str | None]) -> datetime | None:
    created, after = properties["createdate"], properties["time_to_first_agent_reply"]
    if not (created and after):
        return None
    return datetime.fromtimestamp((int(created) + int(after)) / 1000, UTC)


def _status(label: str, closed: bool) -> str:
    # The documented stage rules, restated for the fake's stage labels.
    by_label = {
        "New": "new",
        "Waiting on contact": "pending",
        "Waiting on us": "open",
        "Closed": "closed",
        "Escalated": "escalated",
        "In progress": "in_progress",
        "Resolved": "resolved",
    }
    return by_label[label]


def expected_tickets(fake: FakeHubSpot) -> dict[str, dict[str, Any]]:
    """What the tickets table must hold for the fake's live tickets, column by column."""
    stages = {
        (p["id"], s["id"]): (p["label"], s["label"], s["metadata"].get("isClosed") == "true")
        for p in PIPELINES
        for s in p["stages"]
    }
    owners = {o["id"]: o for o in fake.owners}
    channels = {"EMAIL": "Email", "CHAT": "Chat", "PHONE": "Phone", "FORM": "Web"}
    out = {}
    for ticket in fake.live():
        p = ticket.properties
        pipeline, stage, closed = stages[(p["hs_pipeline"] or "", p["hs_pipeline_stage"] or "")]
        owner = owners.get(p["hubspot_owner_id"] or "")
        priority = p["hs_ticket_priority"]
        out[ticket.id] = {
            "source": "hubspot",
            "subject": p["subject"],
            "description": p["content"],
            "resolution": p["hs_resolution"],
            "category": p["hs_ticket_category"],
            "priority": priority.capitalize() if priority else None,
            "channel": channels.get(p["source_type"] or ""),
            "status": _status(stage, closed),
            "agent": owner["email"] if owner else None,
            "team": owner["teams"][0]["name"] if owner else None,
            "created_at": _time(p["createdate"]),
            "resolved_at": _time(p["closed_date"]) if closed else None,
            "resolution_minutes": int(p["time_to_close"] or 0) / 60_000 if closed else None,
            "first_response_minutes": int(p["time_to_first_agent_reply"] or 0) / 60_000,
            "first_response_at": _first_reply(p),
            "agent_name": f"{owner['firstName']} {owner['lastName']}" if owner else None,
            "hubspot_stage": stage,
            "hubspot_pipeline": pipeline,
            "hs_ticket_language": p["hs_ticket_language"],
        }
    return out


async def stored_tickets(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every row of the tickets table in the same shape as `expected_tickets`; a second row for
    one ticket (under any source) fails here, so a re-sync that duplicates cannot pass."""
    db = Database(settings.db)
    async with db.engine.connect() as conn:
        # Core rows, not ORM objects: 25,000 of them load in a fraction of the time.
        rows = (await conn.execute(select(Ticket.__table__))).all()
    await db.dispose()
    out: dict[str, dict[str, Any]] = {}
    for t in rows:
        assert t.external_id not in out, f"ticket {t.external_id} stored twice"
        attributes = t.attributes or {}
        out[t.external_id] = {
            "source": t.source,
            "subject": t.subject,
            "description": t.description,
            "resolution": t.resolution,
            "category": t.category,
            "priority": t.priority,
            "channel": t.channel,
            "status": t.status,
            "agent": t.agent,
            "team": t.team,
            "created_at": t.created_at,
            "resolved_at": t.resolved_at,
            "resolution_minutes": t.resolution_minutes,
            "first_response_minutes": t.first_response_minutes,
            "first_response_at": t.first_response_at,
            "agent_name": attributes.get("agent_name"),
            "hubspot_stage": attributes.get("hubspot_stage"),
            "hubspot_pipeline": attributes.get("hubspot_pipeline"),
            "hs_ticket_language": attributes.get("hs_ticket_language"),
        }
    return out


def differences(
    expected: dict[str, dict[str, Any]], stored: dict[str, dict[str, Any]]
) -> list[str]:
    """Readable differences (first 10), so a failure says which ticket and field."""
    problems = [f"missing {i}" for i in sorted(expected.keys() - stored.keys())]
    problems += [f"unexpected {i}" for i in sorted(stored.keys() - expected.keys())]
    for ticket_id in sorted(expected.keys() & stored.keys()):
        for field, want in expected[ticket_id].items():
            have = stored[ticket_id][field]
            if have != want:
                problems.append(f"{ticket_id}.{field}: {have!r} != {want!r}")
    return problems[:10]
