"""Role scoping inside the tools: an Agent sees team-wide figures and its own, never another's."""

from __future__ import annotations

from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.dependencies import Principal
from cschat.core.db import Database
from cschat.core.errors import Forbidden, NotFound
from cschat.tickets.demo_catalog import AGENTS
from cschat.tickets.tools import run_tool
from tests.tickets.conftest import AGENT, SUPERVISOR
from tests.tickets.data import DEMO_NOW, Reference, all_tickets, load_demo

TZ = ZoneInfo("Europe/Madrid")
OTHER_AGENT = "mateo.gil@demo.cschat.dev"


async def _run(
    session: AsyncSession, principal: Principal, name: str, **params: Any
) -> dict[str, Any]:
    return await run_tool(name, params, session=session, principal=principal, tz=TZ, now=DEMO_NOW)


@pytest.fixture
async def ref(db: Database) -> Reference:
    await load_demo(db.engine, TZ, count=1500)
    return Reference(await all_tickets(db.engine), TZ)


async def test_agent_sees_team_wide_counts(ref: Reference, session: AsyncSession) -> None:
    agent = await _run(session, AGENT, "count_tickets", date_field="created")
    boss = await _run(session, SUPERVISOR, "count_tickets", date_field="created")
    assert agent["count"] == boss["count"] == len(ref.tickets)
    assert agent["scope"] == "all"


async def test_agent_breakdown_by_agent_is_only_its_own_row(
    ref: Reference, session: AsyncSession
) -> None:
    got = await _run(session, AGENT, "breakdown_tickets", dimension="agent", date_field="created")
    own = ref.select(date_field="created", agent_email=AGENT.email)
    mine = len(own)
    assert got["rows"] == [
        {"key": AGENT.email.lower(), "value": mine, "count": mine, "measured": mine}
    ]
    assert got["scope"] == "own"
    boss = await _run(
        session, SUPERVISOR, "breakdown_tickets", dimension="agent", date_field="created", limit=50
    )
    everyone = Counter(t.agent for t in ref.select(date_field="created"))
    assert len(everyone) == len(AGENTS) > 1
    assert {r["key"]: r["count"] for r in boss["rows"]} == everyone
    assert boss["scope"] == "all"


@pytest.mark.parametrize("who", [AGENT.email.upper(), "lucia fernandez", "LUCÍA Fernández"])
async def test_agent_may_filter_on_itself(who: str, ref: Reference, session: AsyncSession) -> None:
    got = await _run(session, AGENT, "resolution_stats", agent=who)
    assert got["count"] == len(ref.select(agent_email=AGENT.email)) > 0
    assert got["filters"] == {"agent": AGENT.email}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("count_tickets", {"agent": OTHER_AGENT}),
        ("breakdown_tickets", {"dimension": "category", "agent": "Mateo Gil"}),
        ("ticket_trend", {"interval": "week", "agent": OTHER_AGENT}),
        ("resolution_stats", {"agent": OTHER_AGENT}),
        ("search_tickets", {"query": "factura", "agent": OTHER_AGENT}),
    ],
)
async def test_agent_cannot_ask_for_another_agent(
    name: str, params: dict[str, Any], ref: Reference, session: AsyncSession
) -> None:
    with pytest.raises(Forbidden, match="agent"):
        await _run(session, AGENT, name, **params)
    boss = await _run(session, SUPERVISOR, name, **params)
    assert boss["filters"]["agent"] == params["agent"]


async def test_agent_gets_and_searches_only_its_own_tickets(
    ref: Reference, session: AsyncSession
) -> None:
    mine = next(t for t in ref.tickets if t.agent == AGENT.email.lower())
    theirs = next(t for t in ref.tickets if t.agent == OTHER_AGENT)
    got = await _run(session, AGENT, "get_ticket", ticket_id=mine.external_id)
    assert got["ticket"]["id"] == mine.id
    with pytest.raises(NotFound):
        await _run(session, AGENT, "get_ticket", ticket_id=str(theirs.id))
    boss = await _run(session, SUPERVISOR, "get_ticket", ticket_id=str(theirs.id))
    assert boss["ticket"]["external_id"] == theirs.external_id

    found = await _run(session, AGENT, "search_tickets", query=theirs.subject, limit=50)
    assert found["results"]
    assert {r["agent"] for r in found["results"]} == {AGENT.email.lower()}
