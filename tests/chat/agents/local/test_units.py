"""Times asked in a unit ("in days", "¿cuántas horas?") are written in it; follow-ups keep it."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local import numbers
from tests.chat.agents.local.test_agent import ask


@pytest.mark.parametrize(
    ("minutes", "lang", "unit", "shown"),
    [
        (1904.0, "es", "day", "1,3 días"),
        (1904.0, "en", "hour", "31.7 h"),
        (125000.4, "en", "minute", "125,000 min"),
        (90.0, "es", "hour", "1,5 h"),
    ],
)
def test_a_duration_in_one_unit(minutes: float, lang: str, unit: str, shown: str) -> None:
    assert numbers.in_unit(minutes, lang, unit) == shown  # type: ignore[arg-type]


async def test_resolution_time_in_days() -> None:
    # Was "31 h 44 min"-style whatever the unit asked. Lucía's, Diego's and Emily's resolved
    # tickets this week: 1,560, 240 and 60 minutes; the average is 620 minutes.
    text, _, tools = await ask("average resolution time in days this week")
    assert tools.calls[0][0] == "resolution_stats"
    assert text.splitlines()[0] == "Average resolution time: 0.4 days"


async def test_how_many_days_it_takes_is_the_resolution_time() -> None:
    # "How many days does it take to resolve a ticket" was the count of resolved tickets.
    text, _, tools = await ask("How many days does it take to resolve a ticket this week?")
    assert [name for name, _ in tools.calls] == ["resolution_stats"]
    assert "Median resolution time: 0.2 days" in text


async def test_first_response_in_hours_and_a_follow_up_keeps_the_unit() -> None:
    text, _, _ = await ask("¿Cuántas horas tarda la primera respuesta esta semana?")
    assert text.splitlines()[0] == "Primera respuesta media: 0,3 h"
    history = ("¿Cuántas horas tarda la primera respuesta esta semana?",)
    again, _, tools = await ask("¿y la semana pasada?", history=history)
    assert tools.calls[0][1]["start_date"] == "2026-11-16"
    assert again.splitlines()[0] == "Primera respuesta media: 1,5 h"


async def test_a_breakdown_in_days() -> None:
    text, _, _ = await ask("tiempo medio de resolución por agente en días esta semana")
    assert all("días (" in line for line in text.splitlines()[1:4]), text
