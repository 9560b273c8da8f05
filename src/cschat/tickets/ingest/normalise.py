"""One input record (column -> value) to one row in `ROW_COLUMNS` order, or why it is wrong.

Rules (README, "Ingest"): empty values count as missing; naive times are read in the request's
zone (a time in a spring-forward gap is read with the offset before the gap, i.e. moved forward by
the gap; an ambiguous autumn time is the first occurrence); durations are minutes (hours and
seconds aliases are converted); a missing duration is derived from its two timestamps and a
missing resolved/first-response time from created + duration (resolved only for resolved/closed
tickets); a missing status is `resolved` when a resolved time is known, else `new`. Unmapped
columns go to `attributes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cschat.tickets.ingest.mapping import (
    ATTRIBUTE_PREFIX,
    DATE_FIELDS,
    DURATION_FIELDS,
    TARGETS,
    TEXT_FIELDS,
    Mapping,
)
from cschat.tickets.models import RESOLVED_STATUSES, ROW_COLUMNS, STATUSES

MAX_ERRORS = 100
_FOLD = re.compile(r"[\s_\-]+")
_ALLOWED_STATUSES = ", ".join(STATUSES)
_DROP, _ATTR, _FIELD = 0, 1, 2
Converter = Callable[[Any], Any]
Plan = tuple[int, str, Converter | None]


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one record was refused; `field` is the input column (None for the whole record)."""

    row: int
    field: str | None
    message: str


class FieldError(ValueError):
    """A value that cannot be converted; the message says what was expected."""


def _text(value: Any, limit: int | None) -> str:
    if type(value) is str:
        out = value
    elif isinstance(value, (bool, dict, list)):
        raise FieldError("expected text")
    else:
        out = str(value)
    if "\x00" in out:
        raise FieldError("contains a NUL character")
    if limit is not None and len(out) > limit:
        raise FieldError(f"longer than {limit} characters")
    return out


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise FieldError("expected a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError(f"expected a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise FieldError("expected a finite number")
    return number


def _csat(value: Any) -> int:
    number = _number(value)
    if not number.is_integer() or not 1 <= number <= 5:
        raise FieldError(f"CSAT must be a whole number from 1 to 5, got {str(value)[:40]!r}")
    return int(number)


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return value
    raise FieldError("expected a list of strings or comma-separated text")


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError("expected a JSON object")
    if _has_nul(value):
        raise FieldError("contains a NUL character")
    return value


def _has_nul(value: Any) -> bool:
    """PostgreSQL text and jsonb cannot hold U+0000."""
    if type(value) is str:
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _text_of(limit: int | None, strip: bool = False) -> Converter:
    if strip:
        return lambda value: _text(value, limit).strip()
    return lambda value: _text(value, limit)


def _minutes(scale: float) -> Converter:
    def convert(value: Any) -> float:
        minutes = _number(value) * scale
        if minutes < 0:
            raise FieldError("must not be negative")
        return minutes

    return convert


class Normaliser:
    """Turns records into rows for `upsert_tickets`; one instance per upload (it caches plans)."""

    def __init__(self, mapping: Mapping, *, tz: ZoneInfo, default_source: str) -> None:
        self.mapping = mapping
        self.tz = tz
        self._naive_utc = tz.key in ("UTC", "Etc/UTC")
        self.default_source = default_source
        self._plans: dict[str, Plan] = {}
        self._statuses: dict[str, str | None] = {}
        # Missing required values are reported under the caller's column name when mapped.
        self._names = {t: c for c, t in mapping.columns.items() if t is not None}
        self._converters: dict[str, Converter] = {
            **{name: _text_of(limit) for name, limit in TEXT_FIELDS.items()},
            **dict.fromkeys(DATE_FIELDS, self._datetime),
            "csat": _csat,
            "status": self._status,
            "tags": _tags,
            "attributes": _object,
            "source": _text_of(64, strip=True),
            "external_id": _text_of(255, strip=True),
        }

    def _plan(self, column: str) -> Plan:
        name = column.strip()
        target = self.mapping.columns.get(name, name if name in TARGETS else f"attributes.{name}")
        plan: Plan
        if target is None:
            plan = (_DROP, "", None)
        elif target.startswith(ATTRIBUTE_PREFIX):
            plan = (_ATTR, target[len(ATTRIBUTE_PREFIX) :], None)
        elif target in DURATION_FIELDS:
            stored, scale = DURATION_FIELDS[target]
            plan = (_FIELD, stored, _minutes(scale))
        else:
            plan = (_FIELD, target, self._converters[target])
        self._plans[column] = plan
        return plan

    def _datetime(self, value: Any) -> datetime:
        if not isinstance(value, str):
            raise FieldError("expected an ISO 8601 date or date-time")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(f"not an ISO 8601 date or date-time: {value[:40]!r}") from None
        if moment.tzinfo is None:
            if self._naive_utc:
                return moment.replace(tzinfo=UTC)
            # zoneinfo with fold=0: gap times take the pre-transition offset, folds the first one.
            moment = moment.replace(tzinfo=self.tz)
        return moment.astimezone(UTC)

    def _status(self, value: Any) -> str:
        raw = _text(value, None)
        status = self._statuses.get(raw, "")
        if status == "":
            mapped = self.mapping.status_map.get(raw)
            if mapped is None:
                folded = _FOLD.sub("_", raw.strip().lower()).strip("_")
                mapped = self.mapping.status_map.get(folded, folded)
            status = mapped if mapped in STATUSES else None
            if len(self._statuses) < 1000:
                self._statuses[raw] = status
        if status is None:
            raise FieldError(f"unknown status {raw[:40]!r}; allowed: {_ALLOWED_STATUSES}")
        return status

    def normalise(
        self, row: int, items: Iterable[tuple[str, Any]]
    ) -> tuple[Any, ...] | list[RowError]:
        """The row tuple, or the errors found in this record."""
        out: dict[str, Any] = {}
        attributes: dict[str, Any] = {}
        errors: list[RowError] = []
        plans = self._plans
        for column, raw in items:
            if raw is None or raw == "":
                continue
            kind, target, convert = plans.get(column) or self._plan(column)
            if convert is not None:
                try:
                    out[target] = convert(raw)
                except FieldError as exc:
                    errors.append(RowError(row, column, str(exc)))
            elif kind == _ATTR:
                if _has_nul(raw):
                    errors.append(RowError(row, column, "contains a NUL character"))
                attributes[target] = raw
        self._derive(row, out, errors)
        if errors:
            return errors
        if "attributes" in out:
            attributes = {**out["attributes"], **attributes}
        out["source"] = out.get("source") or self.default_source
        out["attributes"] = attributes or None
        return tuple(map(out.get, ROW_COLUMNS))

    def _derive(
        self,
        row: int,
        out: dict[str, Any],
        errors: list[RowError],
    ) -> None:
        # A value given but invalid is already an error (and the row is refused), so "missing"
        # below means absent from `out`; names follow the caller's mapping.
        def column(target: str) -> str:
            return self._names.get(target, target)

        if errors:
            return
        if not out.get("external_id"):
            errors.append(RowError(row, column("external_id"), "a ticket id is required"))
        created = out.get("created_at")
        if created is None:
            errors.append(RowError(row, column("created_at"), "a creation time is required"))
            return
        resolved = out.get("resolved_at")
        status = out.get("status")
        if status is None:
            status = out["status"] = "resolved" if resolved is not None else "new"
        for moment, minutes in (
            ("resolved_at", "resolution_minutes"),
            ("first_response_at", "first_response_minutes"),
        ):
            at = out.get(moment)
            if at is not None:
                if at < created:
                    errors.append(RowError(row, column(moment), "is before the creation time"))
                elif out.get(minutes) is None:
                    out[minutes] = (at - created).total_seconds() / 60
            elif out.get(minutes) is not None and (
                moment == "first_response_at" or status in RESOLVED_STATUSES
            ):
                out[moment] = created + timedelta(minutes=out[minutes])
