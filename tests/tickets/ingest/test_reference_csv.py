"""The reference export (5,000 tickets from another help desk) through its mapping preset."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

import httpx
import pytest
from sqlalchemy import func, select, text

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.tickets.models import Ticket
from tests.support.reference import REFERENCE_CSV
from tests.tickets.ingest.conftest import INGEST_KEY, KEY


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """Bigger batches than the other ingest tests: 5,000 rows, a few dozen batches."""
    return make_settings(INGEST_API_KEY=INGEST_KEY, INGEST_BATCH_ROWS=300)


STATUS = {"Resolved": "resolved", "In Progress": "in_progress", "Escalated": "escalated"}


def expected() -> dict[str, object]:
    """The figures plain Python `csv` gives over the file."""
    with REFERENCE_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "count": len(rows),
        "status": Counter(STATUS[r["status"]] for r in rows),
        "resolution_minutes": sum(float(r["resolution_hours"]) * 60 for r in rows),
        "first_response_minutes": sum(float(r["first_response_minutes"]) for r in rows),
        "csat": Counter(int(float(r["csat_score"])) for r in rows if r["csat_score"]),
        "agents": Counter(r["agent"] for r in rows),
        "countries": Counter(r["country"] for r in rows),
        "resolved_in_2024": sum(1 for r in rows if r["resolved_date"].startswith("2024")),
        "first_created": min(r["created_date"] for r in rows),
    }


async def ingest_reference(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post(
        "/data/ingest",
        params={"map": "@customer-support-analytics"},
        content=REFERENCE_CSV.read_bytes(),
        headers={**KEY, "Content-Type": "text/csv"},
    )


async def test_every_row_lands_and_figures_match_plain_csv(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    want = expected()
    response = await ingest_reference(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["errors"] == []
    assert body["received"] == body["inserted"] == want["count"] == 5000
    assert body["rejected"] == body["updated"] == body["unchanged"] == 0

    db = Database(settings.db)
    async with db.engine.connect() as conn:

        async def one(sql: str) -> object:
            return (await conn.execute(text(sql))).scalar_one()

        async def counter(sql: str) -> Counter[object]:
            rows = (await conn.execute(text(sql))).all()
            return Counter({row[0]: row[1] for row in rows})

        assert await one("SELECT count(*) FROM tickets WHERE source = 'ingest'") == 5000
        by_status = await counter("SELECT status, count(*) FROM tickets GROUP BY status")
        assert by_status == want["status"]
        resolved = cast("Counter[str]", want["status"])["resolved"]
        assert await one("SELECT count(*) FROM resolved_tickets") == resolved
        assert await one("SELECT sum(resolution_minutes) FROM tickets") == pytest.approx(
            want["resolution_minutes"], rel=1e-12
        )
        assert await one("SELECT sum(first_response_minutes) FROM tickets") == pytest.approx(
            want["first_response_minutes"], rel=1e-12
        )
        assert (
            await counter("SELECT csat, count(*) FROM tickets WHERE csat IS NOT NULL GROUP BY csat")
            == want["csat"]
        )
        assert await counter("SELECT agent, count(*) FROM tickets GROUP BY agent") == want["agents"]
        country = (
            "attributes ->> 'country'"
            if db.dialect == "postgresql"
            else "json_extract(attributes, '$.country')"
        )
        by_country = await counter(f"SELECT {country}, count(*) FROM tickets GROUP BY 1")
        assert by_country == want["countries"]
        resolved_2024 = await conn.scalar(
            select(func.count()).where(
                Ticket.resolved_at >= datetime(2024, 1, 1, tzinfo=UTC),
                Ticket.resolved_at < datetime(2025, 1, 1, tzinfo=UTC),
            )
        )
        assert resolved_2024 == want["resolved_in_2024"]
        # Resolution time equals resolved - created for every resolved ticket (to the second).
        mismatched = await one(
            "SELECT count(*) FROM tickets WHERE resolved_at IS NOT NULL AND abs("
            + (
                "extract(epoch FROM resolved_at - created_at) / 60"
                if db.dialect == "postgresql"
                else "(julianday(resolved_at) - julianday(created_at)) * 1440"
            )
            + " - resolution_minutes) > 0.02"
        )
        assert mismatched == 0
        dropped = await one(
            "SELECT count(*) FROM tickets WHERE "
            + (
                "attributes ? 'month'"
                if db.dialect == "postgresql"
                else "json_extract(attributes, '$.month') IS NOT NULL"
            )
        )
        assert dropped == 0
    await db.dispose()


async def test_resending_changes_nothing_and_a_changed_row_updates(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await ingest_reference(client)).status_code == 200
    db = Database(settings.db)
    async with db.engine.connect() as conn:
        before = await conn.scalar(select(func.max(Ticket.updated_at)))

    again = (await ingest_reference(client)).json()
    assert (again["received"], again["unchanged"], again["inserted"], again["updated"]) == (
        5000,
        5000,
        0,
        0,
    )

    lines = REFERENCE_CSV.read_text().splitlines(keepends=True)
    header, first = lines[0], lines[1].split(",")
    first[4] = "Urgent"  # priority
    changed = await client.post(
        "/data/ingest",
        params={"map": "@customer-support-analytics"},
        content=header + ",".join(first) + "".join(lines[2:11]),
        headers={**KEY, "Content-Type": "text/csv"},
    )
    assert changed.json()["updated"] == 1
    assert changed.json()["unchanged"] == 9
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM tickets"))).scalar_one() == 5000
        rows = (
            await conn.execute(
                select(Ticket.external_id, Ticket.priority).where(Ticket.updated_at > before)
            )
        ).all()
    await db.dispose()
    assert [(r[0], r[1]) for r in rows] == [(first[0], "Urgent")]
