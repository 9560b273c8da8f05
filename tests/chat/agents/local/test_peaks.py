"""Questions asking for one period ("¿qué día hubo más tickets?") lead with the one that answers."""

from __future__ import annotations

from typing import Any

import pytest

from cschat.chat.agents.local.peaks import direction, extreme, whole
from tests.chat.agents.local.test_agent import ask

WEEKS: list[dict[str, Any]] = [
    {"period": "2026-10-26", "value": 5},
    {"period": "2026-11-02", "value": 9},
    {"period": "2026-11-09", "value": None},
    {"period": "2026-11-16", "value": 9},
    {"period": "2026-11-23", "value": 2},
]
NOVEMBER = ("2026-11-01", "2026-11-27")


@pytest.mark.parametrize(
    ("peak", "metric", "way"),
    [
        ("high", "count", "high"),
        ("low", "avg_csat", "low"),
        ("best", "avg_resolution_hours", "low"),
        ("worst", "avg_first_response_minutes", "high"),
        ("best", "avg_csat", "high"),
        ("worst", "avg_csat", "low"),
        ("best", "count", None),  # most solved, or fewest received? Not said.
    ],
)
def test_best_and_worst_depend_on_the_metric(peak: str, metric: str, way: str | None) -> None:
    assert direction(peak, metric) == way  # type: ignore[arg-type]


def test_ties_are_all_named_and_empty_periods_skipped() -> None:
    top = extreme(WEEKS, "high", "week", NOVEMBER)
    assert top is not None
    assert (top.periods, top.value, top.cut_short) == (("2026-11-02", "2026-11-16"), 9, False)
    assert extreme([{"period": "2026-11-02", "value": None}], "low", "week", NOVEMBER) is None


def test_a_period_the_window_cuts_is_flagged() -> None:
    bottom = extreme(WEEKS, "low", "week", NOVEMBER)
    assert bottom is not None and bottom.periods == ("2026-11-23",) and bottom.cut_short
    # The week of 2026-10-26 starts before the window; the week of 2026-11-23 ends after it.
    assert [p["period"] for p in whole(WEEKS, "week", NOVEMBER)] == ["2026-11-02", "2026-11-09",
                                                                     "2026-11-16"]  # fmt: skip
    month = extreme([{"period": "2026-02-01", "value": 1}], "low", "month", ("2026-01-01", None))
    assert month is not None and not month.cut_short


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("¿Qué día se crearon más tickets esta semana?", "Valor más alto: 2026-11-26 (2)."),
        # The day without tickets is in the series, so it is the quietest.
        ("which day had the fewest created tickets this week?", "Lowest: 2026-11-24 (0)."),
        ("¿cuál fue el día más tranquilo de esta semana en tickets creados?",
         "Valor más bajo: 2026-11-24 (0)."),
        ("the slowest day this week", "Highest: 2026-11-24 (26 h)."),
        ("worst month for resolution time", "Highest: 2026-10 (24 h)."),
        ("best week for CSAT this month",
         "Highest: week of 2026-11-23 (4.3 / 5). Note: the window covers only part of that "
         "period. Of the whole periods: week of 2026-11-16 (3.0 / 5)."),
        # These were the all-time average.
        ("¿Cuál fue la semana con peor CSAT este mes?",
         "Valor más bajo: semana del 2026-11-16 (3,0 / 5)."),
        ("the week with the best CSAT this month",
         "Highest: week of 2026-11-23 (4.3 / 5). Note: the window covers only part of that "
         "period. Of the whole periods: week of 2026-11-16 (3.0 / 5)."),
    ],
)  # fmt: skip
async def test_the_answer_leads_with_the_period_asked_for(question: str, lead: str) -> None:
    # Each was the series alone, leaving the reader to find the day, week or month in it.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["ticket_trend"]
    assert text.splitlines()[0] == lead


async def test_a_tie_names_every_period() -> None:
    text, _, _ = await ask("¿Qué día se resolvieron menos tickets esta semana?")
    assert text.splitlines()[0] == "Valor más bajo: 2026-11-23 y 2026-11-26 (0)."


async def test_a_series_not_asking_for_one_period_has_no_lead() -> None:
    text, _, _ = await ask("tickets resueltos por día esta semana")
    assert text.startswith("Tickets resueltos por día:")
    best, _, _ = await ask("the best day this week")  # of a count, best is not said
    assert best.startswith("Resolved tickets by day:")
