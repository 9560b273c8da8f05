"""The evaluation set on this test's database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.vocabulary import VocabularyCache, merged_synonyms
from cschat.core.db import make_engine
from evals import dataset, reference
from evals.harness import NO_TOOLS, accuracy, evaluate, grade, load_questions

DOC = load_questions()


@pytest.fixture
async def loaded(database_url: URL) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await dataset.load(engine)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def test_the_set_covers_every_capability() -> None:
    questions = DOC["questions"]
    assert len(questions) >= 150
    assert sum(q["lang"] == "es" for q in questions) >= 60
    capabilities = {q["capability"] for q in questions}
    assert capabilities >= {
        "periods", "date_field", "filters", "breakdown", "stats", "trend", "compare",
        "search", "ticket", "followup", "greeting", "help", "unknown",
    }  # fmt: skip
    assert all(len(q["expected"]) == len(q["plan"]) for q in questions)
    # Both datasets are asked about: the demo's recent months and the CSV's 2024.
    windows = {c["params"].get("start_date", "")[:4] for q in questions for c in q["plan"]}
    assert {"2024", "2026"} <= windows


def test_stored_expected_values_match_the_reference() -> None:
    """Every stored figure (not a sample): the accuracy test grades against these."""
    rows: list[Mapping[str, Any]] = [*dataset.rows()]
    checked = 0
    for case in DOC["questions"]:
        for call, stored in zip(case["plan"], case["expected"], strict=True):
            again = reference.expected(rows, call["tool"], call["params"], dataset.TZ)
            assert again == stored, case["id"]
            checked += 1
    assert checked >= sum(1 for q in DOC["questions"] if q["capability"] not in NO_TOOLS)


async def test_at_least_95_percent_exactly_right(
    loaded: async_sessionmaker[AsyncSession],
) -> None:
    graded = await evaluate(loaded, DOC)
    right, total = accuracy(graded)["overall"]
    misses = [f"{g.case['id']}: {g.why}" for g in graded if not g.ok]
    assert right / total >= 0.95, misses


async def test_a_wrong_figure_is_graded_wrong(loaded: async_sessionmaker[AsyncSession]) -> None:
    agent = LocalAgent(VocabularyCache(loaded, merged_synonyms(None)))
    picked = {
        tool: next(q for q in DOC["questions"] if q["plan"] and q["plan"][0]["tool"] == tool)
        for tool in ("count_tickets", "breakdown_tickets", "resolution_stats", "ticket_trend")
    }
    for tool, case in picked.items():
        assert (await grade(case, DOC, agent, loaded)).ok, tool
        row_tool = tool in ("breakdown_tickets", "ticket_trend")
        for field in (2, 1) if row_tool else (0,):  # a row's count, then its value
            wrong: dict[str, Any] = copy.deepcopy(case)
            figures = wrong["expected"][0]
            if tool == "count_tickets":
                figures["count"] += 1
            elif tool == "resolution_stats":
                figures["avg_hours"] = (figures["avg_hours"] or 0) + 0.01
            else:
                rows = figures["rows" if tool == "breakdown_tickets" else "series"]
                rows[0][field] = (rows[0][field] or 0) + 1
            assert not (await grade(wrong, DOC, agent, loaded)).ok, (tool, field)
