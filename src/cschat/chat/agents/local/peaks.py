"""The busiest day, the worst week: which periods of a series hold its highest or lowest value.

A question asking for one period ("¿qué día hubo más tickets?", "the worst month for CSAT") is
answered with the series by that unit; these name the periods that answer it, read off that
series and never estimated. A period the window cuts short is flagged, since its figure covers
only part of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from cschat.core.sqlfunctions import next_period_start

Peak = Literal["high", "low", "best", "worst"]

# Best and worst depend on the metric: a shorter time is better, a higher CSAT is better. Of a
# count neither is meant ("the best day": most tickets solved, or fewest received?).
_TIMES = ("avg_resolution_hours", "median_resolution_hours", "avg_first_response_minutes")


def direction(peak: Peak, metric: str) -> Literal["high", "low"] | None:
    """Whether the periods asked for hold the highest or the lowest value; None when unclear."""
    if peak in ("high", "low"):
        return peak
    if metric in _TIMES:
        return "low" if peak == "best" else "high"
    if metric == "avg_csat":
        return "high" if peak == "best" else "low"
    return None


@dataclass(frozen=True, slots=True)
class Extreme:
    periods: tuple[str, ...]  # every period holding the value (a tie names them all)
    value: Any
    cut_short: bool  # one of them is only partly inside the window


def extreme(
    series: Sequence[Mapping[str, Any]],
    way: Literal["high", "low"],
    interval: str,
    window: tuple[str | None, str | None],
) -> Extreme | None:
    """The periods of `series` with its highest or lowest value; None when no period has one."""
    valued = [point for point in series if point.get("value") is not None]
    if not valued:
        return None
    pick = max if way == "high" else min
    value = pick(point["value"] for point in valued)
    periods = tuple(point["period"] for point in valued if point["value"] == value)
    return Extreme(periods, value, any(_cut_short(p, interval, window) for p in periods))


def whole(
    series: Sequence[Mapping[str, Any]], interval: str, window: tuple[str | None, str | None]
) -> list[Mapping[str, Any]]:
    """The periods of `series` wholly inside the window."""
    return [point for point in series if not _cut_short(point["period"], interval, window)]


def _cut_short(period: str, interval: str, window: tuple[str | None, str | None]) -> bool:
    return clipped(period, interval, window) != (None, None)


def clipped(
    period: str, interval: str, window: tuple[str | None, str | None]
) -> tuple[str | None, str | None]:
    """Where the window cuts the period of a series: the window's start, if the period begins
    before it, and its end, if the period ends after it (a week or month still running)."""
    first = date.fromisoformat(period)
    last = next_period_start(first, interval) - timedelta(days=1)
    start, end = window
    return (
        start if start and date.fromisoformat(start) > first else None,
        end if end and date.fromisoformat(end) < last else None,
    )
