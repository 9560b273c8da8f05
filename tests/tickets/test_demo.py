from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.tickets import demo
from cschat.tickets.demo_catalog import AGENTS
from cschat.tickets.models import ROW_COLUMNS, STATUSES, Ticket
from tests.tickets.conftest import unheld_documents

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MADRID = ZoneInfo("Europe/Madrid")


def rows(count: int = 3000, seed: int = 7, tz: ZoneInfo = MADRID) -> list[tuple[object, ...]]:
    return list(demo.generate(count=count, days=365, seed=seed, now=NOW, tz=tz))


def column(data: list[tuple[object, ...]], name: str) -> list[object]:
    index = ROW_COLUMNS.index(name)
    return [row[index] for row in data]


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert rows(seed=7) == rows(seed=7)
    assert rows(seed=7) != rows(seed=8)


def test_rows_are_realistic() -> None:
    data = rows()
    created = column(data, "created_at")
    assert all(NOW - timedelta(days=366) <= c <= NOW for c in created)  # type: ignore[operator]
    local_hours = Counter(c.astimezone(MADRID).hour for c in created)  # type: ignore[attr-defined]
    assert sum(local_hours[h] for h in range(9, 19)) > 0.6 * len(data)  # business hours
    weekdays = Counter(c.astimezone(MADRID).weekday() < 5 for c in created)  # type: ignore[attr-defined]
    assert weekdays[True] > 4 * weekdays[False]
    statuses = Counter(column(data, "status"))
    assert set(statuses) <= set(STATUSES)
    assert statuses["resolved"] + statuses["closed"] < len(data)  # a share is still open
    languages = Counter(column(data, "language"))
    assert languages["es"] > 0 and languages["en"] > 0
    assert len(set(column(data, "agent"))) == len(AGENTS)
    assert 3 <= len(set(column(data, "team"))) <= 4
    csat = [c for c in column(data, "csat") if c is not None]
    assert set(csat) <= {1, 2, 3, 4, 5}
    for row in data:
        record = dict(zip(ROW_COLUMNS, row, strict=True))
        if record["status"] in ("resolved", "closed"):
            assert record["resolved_at"] is not None and record["resolution"]
            minutes = (record["resolved_at"] - record["created_at"]).total_seconds() / 60  # type: ignore[operator]
            assert abs(minutes - record["resolution_minutes"]) < 0.01
        else:
            assert record["resolved_at"] is None and record["csat"] is None


def test_resolution_times_have_a_long_tail() -> None:
    minutes = sorted(m for m in column(rows(), "resolution_minutes") if m is not None)  # type: ignore[type-var]
    median, p99 = minutes[len(minutes) // 2], minutes[int(len(minutes) * 0.99)]
    assert p99 > 8 * median  # type: ignore[operator]


async def test_seed_loads_once_and_matches_the_generator(settings: Settings) -> None:
    db = Database(settings.db)
    loaded = await demo.seed(db.engine, count=500, days=30, seed=3, now=NOW, tz=MADRID)
    again = await demo.seed(db.engine, count=500, days=30, seed=3, now=NOW, tz=MADRID)
    async with db.sessionmaker() as session:
        stored = (await session.scalars(select(Ticket).order_by(Ticket.external_id))).all()
    await db.dispose()
    assert (loaded, again) == (500, 0)
    expected = list(demo.generate(count=500, days=30, seed=3, now=NOW, tz=MADRID))
    assert len(stored) == 500
    for ticket, row in zip(stored, expected, strict=True):
        for name, value in zip(ROW_COLUMNS, row, strict=True):
            assert getattr(ticket, name) == value, name


async def test_replace_reloads(settings: Settings) -> None:
    db = Database(settings.db)
    await demo.seed(db.engine, count=100, days=30, seed=1, now=NOW, tz=MADRID)
    loaded = await demo.seed(db.engine, count=50, days=30, seed=2, now=NOW, tz=MADRID, replace=True)
    async with db.sessionmaker() as session:
        total = await session.scalar(select(func.count()).select_from(Ticket))
    unheld = await unheld_documents(db)  # the replaced texts' search documents are pruned
    await db.dispose()
    assert loaded == 50 and total == 50
    assert unheld == 0
