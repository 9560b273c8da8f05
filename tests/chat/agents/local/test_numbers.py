"""Numbers and durations per language."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local import numbers


@pytest.mark.parametrize(
    ("value", "es", "en"),
    [
        (1234, "1.234", "1,234"),
        (1234567, "1.234.567", "1,234,567"),
        (0, "0", "0"),
        (1234.5, "1.234,5", "1,234.5"),
        (4.333, "4,3", "4.3"),
        (0.05, "0,1", "0.1"),
    ],
)
def test_number(value: float, es: str, en: str) -> None:
    assert numbers.number(value, "es") == es
    assert numbers.number(value, "en") == en


@pytest.mark.parametrize(
    ("hours", "text_es", "text_en"),
    [
        (0.5, "30 min", "30 min"),
        (1, "1 h", "1 h"),
        (10.3333, "10 h 20 min", "10 h 20 min"),
        (1234.5, "1.234 h 30 min", "1,234 h 30 min"),
        (0.001, "0 min", "0 min"),
    ],
)
def test_hours(hours: float, text_es: str, text_en: str) -> None:
    assert numbers.minutes(hours * 60, "es") == text_es
    assert numbers.minutes(hours * 60, "en") == text_en


def test_minutes_round_to_the_minute() -> None:
    assert numbers.minutes(16.67, "es") == "17 min"
    assert numbers.minutes(125, "en") == "2 h 5 min"


@pytest.mark.parametrize(
    ("new", "old", "es", "en"),
    [
        (3, 1, "+200,0 %", "+200.0%"),
        (1, 4, "-75,0 %", "-75.0%"),
        (5, 5, "0,0 %", "0.0%"),
        # Rounds to zero: no sign (was "+0.0%, slower" for 36 h 17 min against 36 h 17 min).
        (100.01, 100, "0,0 %", "0.0%"),
        (99.99, 100, "0,0 %", "0.0%"),
    ],
)
def test_percent_change(new: float, old: float, es: str, en: str) -> None:
    assert numbers.percent_change(new, old, "es") == es
    assert numbers.percent_change(new, old, "en") == en


def test_no_percent_from_zero() -> None:
    assert numbers.percent_change(3, 0, "es") is None
