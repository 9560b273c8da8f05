"""SQL helpers that must give identical answers on SQLite and PostgreSQL.

SQLite has no time zones and no accent folding, so deterministic Python functions are registered on
every SQLite connection; PostgreSQL gets equivalent built-in expressions (see `tickets.queries`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

# Accent folding as a plain character map, so PostgreSQL's immutable `translate()` (usable in an
# index) and Python apply exactly the same mapping.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýÿ"
FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCcYyy"
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)

PERIOD_UNITS = ("day", "week", "month")


def fold(value: str) -> str:
    """Case- and accent-insensitive form of a text value (the same on both engines)."""
    return value.translate(_FOLD_TABLE).lower()


def _sql_fold(value: Any) -> str | None:
    return None if value is None else fold(str(value))


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def period_start(local_day: date, unit: str) -> date:
    """First local day of the day, ISO week (Monday) or month holding `local_day`."""
    if unit == "day":
        return local_day
    if unit == "week":
        return local_day - timedelta(days=local_day.weekday())
    if unit == "month":
        return local_day.replace(day=1)
    raise ValueError(f"unknown period unit {unit!r}")


def next_period_start(first: date, unit: str) -> date:
    """The first local day of the period after the one starting on `first`."""
    if unit == "day":
        return first + timedelta(days=1)
    if unit == "week":
        return first + timedelta(days=7)
    if unit == "month":
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    raise ValueError(f"unknown period unit {unit!r}")


def _sql_period(value: Any, tz_name: str, unit: str) -> str | None:
    # Values are UTCDateTime's SQLite text: naive UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
    if value is None:
        return None
    instant = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    local_day = instant.astimezone(zone(tz_name)).date()
    return period_start(local_day, unit).isoformat()


def register_sqlite_functions(dbapi_connection: Any, _: Any = None) -> None:
    """Register `cs_fold(text)` and `cs_period(utc_text, tz, unit)` on a SQLite connection."""
    dbapi_connection.create_function("cs_fold", 1, _sql_fold, deterministic=True)
    dbapi_connection.create_function("cs_period", 3, _sql_period, deterministic=True)
