"""Column mappings: how another help desk's export lands on our ticket columns.

A mapping is given as JSON (`{"columns": {...}, "status_map": {...}, "timezone": ...,
"source": ...}`, or just the `columns` object), as `col=field,col=field`, or as `@preset`. A
column mapped to `null` (or `-` in the short form) is dropped; one mapped to `attributes.name` is
kept under that name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cschat.tickets.models import STATUSES

TEXT_FIELDS = {
    "subject": None,
    "description": None,
    "resolution": None,
    "category": 255,
    "priority": 64,
    "channel": 64,
    "agent": 255,
    "team": 255,
    "customer": 255,
    "language": 16,
}
DATE_FIELDS = ("created_at", "first_response_at", "resolved_at")
# Durations are stored in minutes; these aliases convert on the way in.
DURATION_FIELDS = {
    "first_response_minutes": ("first_response_minutes", 1.0),
    "first_response_hours": ("first_response_minutes", 60.0),
    "first_response_seconds": ("first_response_minutes", 1 / 60),
    "resolution_minutes": ("resolution_minutes", 1.0),
    "resolution_hours": ("resolution_minutes", 60.0),
    "resolution_seconds": ("resolution_minutes", 1 / 60),
}
OTHER_FIELDS = ("source", "external_id", "status", "csat", "tags", "attributes")
TARGETS = frozenset((*TEXT_FIELDS, *DATE_FIELDS, *DURATION_FIELDS, *OTHER_FIELDS))
ATTRIBUTE_PREFIX = "attributes."

PRESETS: dict[str, dict[str, Any]] = {
    # bench/README: the AnirudhBabu/CustomerSupportAnalytics export (../shared/data/...).
    "customer-support-analytics": {
        "columns": {
            "ticket_id": "external_id",
            "created_date": "created_at",
            "resolved_date": "resolved_at",
            "resolution_hours": "resolution_hours",
            "csat_score": "csat",
            # Derived calendar columns: we group by date ourselves, in APP_TIMEZONE.
            "month": None,
            "week": None,
            "day_of_week": None,
            "hour_of_day": None,
        },
    },
}


class MappingError(ValueError):
    """A mapping that cannot be used; the message names what is wrong."""


def field_of(target: str) -> str:
    """The column a target fills: the duration aliases fill one (`resolution_hours` ->
    `resolution_minutes`)."""
    return DURATION_FIELDS[target][0] if target in DURATION_FIELDS else target


def both(first: str, second: str, target: str) -> str:
    """Why two input columns cannot fill one target."""
    return (
        f"columns '{first}' and '{second}' both map to {target}; map one of them elsewhere "
        "(null drops a column, attributes.NAME keeps it)"
    )


def _one_column_each(columns: dict[str, str | None]) -> None:
    # Otherwise the last column would silently win, value by value.
    seen: dict[str, str] = {}
    for column, target in columns.items():
        if target is None:
            continue
        filled = field_of(target)
        if filled in seen:
            raise MappingError(both(seen[filled], column, filled))
        seen[filled] = column


@dataclass(frozen=True)
class Mapping:
    """A validated mapping: input column -> target (None drops the column)."""

    columns: dict[str, str | None] = field(default_factory=dict)
    status_map: dict[str, str] = field(default_factory=dict)
    timezone: ZoneInfo | None = None
    source: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.columns or self.status_map or self.timezone or self.source)


def _target(column: str, given: Any) -> str | None:
    if given is None or given == "-":
        return None
    if not isinstance(given, str):
        raise MappingError(f"column '{column}': the target must be a field name or null")
    target = given.strip()
    if target.startswith(ATTRIBUTE_PREFIX) and len(target) > len(ATTRIBUTE_PREFIX):
        return target
    if target not in TARGETS:
        allowed = ", ".join(sorted(TARGETS))
        raise MappingError(
            f"column '{column}': unknown target '{target}' (allowed: {allowed}, attributes.NAME)"
        )
    return target


def zone(value: Any) -> ZoneInfo:
    """The IANA zone named `value` (MappingError when unknown)."""
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"timezone: unknown IANA time zone '{value}'") from None


def from_object(data: Any) -> Mapping:
    """A mapping from its JSON object form."""
    if not isinstance(data, dict):
        raise MappingError("a mapping must be a JSON object")
    known = {"columns", "status_map", "timezone", "source"}
    if not known & data.keys():
        data = {"columns": data}
    unknown = sorted(set(data) - known)
    if unknown:
        raise MappingError(f"unknown mapping keys: {', '.join(unknown)} (allowed: {known})")
    columns = data.get("columns") or {}
    status_map = data.get("status_map") or {}
    if not isinstance(columns, dict) or not isinstance(status_map, dict):
        raise MappingError("columns and status_map must be JSON objects")
    for raw, status in status_map.items():
        if status not in STATUSES:
            raise MappingError(
                f"status_map: '{raw}' maps to '{status}', not one of {', '.join(STATUSES)}"
            )
    source = data.get("source")
    if source is not None and (
        not isinstance(source, str) or not 0 < len(source) <= 64 or "\x00" in source
    ):
        raise MappingError("source must be a non-empty string of at most 64 characters, no NUL")
    timezone = data.get("timezone")
    targets = {str(col).strip(): _target(str(col), t) for col, t in columns.items()}
    _one_column_each(targets)
    return Mapping(
        columns=targets,
        status_map={str(k): str(v) for k, v in status_map.items()},
        timezone=zone(timezone) if timezone else None,
        source=source,
    )


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise MappingError(f"'{repeated[0]}' is given twice")
    return dict(pairs)


def parse(text: str | None) -> Mapping:
    """A mapping from the `map` parameter: JSON, `col=field,...` or `@preset`."""
    if text is None or not text.strip():
        return Mapping()
    text = text.strip()
    if text.startswith("@"):
        preset = PRESETS.get(text[1:])
        if preset is None:
            raise MappingError(f"unknown preset '{text}' (known: @{', @'.join(sorted(PRESETS))})")
        return from_object(preset)
    if text.startswith("{"):
        try:
            return from_object(json.loads(text, object_pairs_hook=_no_repeated_keys))
        except json.JSONDecodeError as exc:
            raise MappingError(f"not valid JSON: {exc.msg} at character {exc.pos}") from None
    columns: dict[str, Any] = {}
    for pair in text.split(","):
        column, sep, target = pair.partition("=")
        if not sep or not column.strip():
            raise MappingError(f"'{pair}' is not col=field")
        if column.strip() in columns:
            raise MappingError(f"column '{column.strip()}' is mapped twice")
        columns[column.strip()] = target.strip()
    return from_object({"columns": columns})
