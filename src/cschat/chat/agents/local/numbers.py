"""Numbers and durations written the way each language writes them (1.234,5 / 1,234.5)."""

from __future__ import annotations

from cschat.chat.agents.local.language import Language

_SWAP = str.maketrans(",.", ".,")


def number(value: float, language: Language, decimals: int = 1) -> str:
    """An integer as is, a float with `decimals` places, grouped and marked per language."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.{decimals}f}"
    return text.translate(_SWAP) if language == "es" else text


def minutes(value: float, language: Language) -> str:
    """A duration given in minutes as `2 h 5 min`, `45 min` or `3 h`."""
    total = round(value)
    hours, mins = divmod(total, 60)
    if hours == 0:
        return f"{mins} min"
    head = f"{number(hours, language)} h"
    return head if mins == 0 else f"{head} {mins} min"


_UNIT_NAMES = {"es": {"day": "días", "hour": "h", "minute": "min"},
               "en": {"day": "days", "hour": "h", "minute": "min"}}  # fmt: skip
_IN_MINUTES = {"day": 1440, "hour": 60, "minute": 1}


def in_unit(value: float, language: Language, unit: str) -> str:
    """A duration given in minutes written in one unit: `1,3 días`, `31.7 h`, `1,904 min`."""
    amount = value / _IN_MINUTES[unit]
    shown = number(round(amount), language) if unit == "minute" else number(amount, language)
    return f"{shown} {_UNIT_NAMES[language][unit]}"


def percent_change(new: float, old: float, language: Language) -> str | None:
    """The change from `old` to `new` as `+20,0 %` / `+20.0%`; None when `old` is zero. A change
    that rounds to zero has no sign: `0,0 %` / `0.0%`."""
    if old == 0:
        return None
    change = (new - old) / old * 100
    shown = number(abs(change), language)
    text = shown if round(abs(change), 1) == 0 else ("+" if change > 0 else "-") + shown
    return f"{text} %" if language == "es" else f"{text}%"
