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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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
    both,
)
from cschat.tickets.models import (
    FIRST_DAY,
    FIRST_TIME,
    LAST_DAY,
    LAST_TIME,
    RESOLVED_STATUSES,
    ROW_COLUMNS,
    STATUSES,
)

MAX_ERRORS = 100
# A duration beyond this is a unit mix-up, and would overflow the derived timestamp.
MAX_MINUTES = 100 * 366 * 24 * 60
_OUT_OF_RANGE = f"is out of range: times must fall between {FIRST_DAY} and {LAST_DAY} (UTC)"
# orjson, which writes the JSON columns, refuses more than 255 levels; a deeper value would
# also exhaust Python's recursion limit in the fallback encoder.
MAX_DEPTH = 100
_FOLD = re.compile(r"[\s_\-]+")
_ALLOWED_STATUSES = ", ".join(STATUSES)
Converter = Callable[[Any], Any]
# How one input column is read: (kind, ROW_COLUMNS index or attribute name, converter, the
# text limit or duration scale that CSV's fast path checks inline).
Plan = tuple[int, Any, Converter | None, Any]
(
    _DROP,
    _ATTR,
    _TEXT,
    _KEY,
    _DATE,
    _MINUTES,
    _CSAT,
    _STATUS,
    _TAGS,
    _OBJECT,
    _NUL_NAME,
    _CLASH,
) = range(12)
_AT = {column: index for index, column in enumerate(ROW_COLUMNS)}
_WIDTH = len(ROW_COLUMNS)
_SOURCE, _EXTERNAL_ID, _STATUS_AT, _CREATED, _ATTRIBUTES = (
    _AT[c] for c in ("source", "external_id", "status", "created_at", "attributes")
)
_DERIVED = tuple(
    (_AT[moment], _AT[minutes], moment)
    for moment, minutes in (
        ("resolved_at", "resolution_minutes"),
        ("first_response_at", "first_response_minutes"),
    )
)


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
    except OverflowError:  # an integer beyond any float (JSON integers have no bound)
        raise FieldError("expected a finite number") from None
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
        tags = [t.strip() for t in value.split(",") if t.strip()]
    elif isinstance(value, list) and all(isinstance(t, str) for t in value):
        tags = value
    else:
        raise FieldError("expected a list of strings or comma-separated text")
    if any("\x00" in t for t in tags):
        raise FieldError("contains a NUL character")
    return tags


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError("expected a JSON object")
    problem = _unstorable(value)
    if problem:
        raise FieldError(problem)
    return value


def _unstorable(value: Any) -> str | None:
    """Why `value` cannot be stored (PostgreSQL text and jsonb cannot hold U+0000), or None."""
    if not isinstance(value, (dict, list)):
        return "contains a NUL character" if type(value) is str and "\x00" in value else None
    # A walk with its own stack: nesting deep enough to matter would exhaust Python's.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if type(item) is str:
            if "\x00" in item:
                return "contains a NUL character"
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                return f"is nested more than {MAX_DEPTH} levels deep"
            if isinstance(item, dict):
                if any("\x00" in key for key in item):
                    return "contains a NUL character"
                item = item.values()
            stack.extend((child, depth + 1) for child in item)
    return None


def _nul_name(_: Any) -> Any:
    raise FieldError("the column name contains a NUL character")


def _refuse(message: str) -> Converter:
    def convert(_: Any) -> Any:
        raise FieldError(message)

    return convert


def _text_of(limit: int | None, strip: bool = False) -> Converter:
    if strip:
        return lambda value: _text(value, limit).strip()
    return lambda value: _text(value, limit)


def _minutes(scale: float) -> Converter:
    def convert(value: Any) -> float:
        minutes = _number(value) * scale
        if minutes < 0:
            raise FieldError("must not be negative")
        if not minutes <= MAX_MINUTES:  # also infinity, from a huge number of hours
            raise FieldError("is too large: more than 100 years")
        return minutes

    return convert


def _target_name(at: Any) -> str:
    return ROW_COLUMNS[at] if isinstance(at, int) else f"{ATTRIBUTE_PREFIX}{at}"


class Fields:
    """One CSV record free of NUL characters: its values in header order.

    Iterates as (column, value) pairs like any record; the normaliser reads it by position.
    """

    __slots__ = ("header", "values")

    def __init__(self, header: tuple[str, ...], values: list[str]) -> None:
        self.header = header
        self.values = values

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return zip(self.header, self.values, strict=True)


class _CsvPlan:
    """One CSV header's columns grouped by kind: (position, target, limit or scale) each."""

    def __init__(self, header: tuple[str, ...], plan: Callable[[str], Plan]) -> None:
        self.header = header
        groups: defaultdict[int, list[tuple[int, Any, Any]]] = defaultdict(list)
        for position, column in enumerate(header):
            kind, at, _, detail = plan(column)
            groups[kind].append((position, at, detail))
        self.texts = [(p, at) for p, at, limit in groups[_TEXT] if limit is None]
        self.limited = [(p, at, limit) for p, at, limit in groups[_TEXT] if limit is not None]
        self.keys = groups[_KEY]
        self.dates = [(p, at) for p, at, _ in groups[_DATE]]
        self.minutes = [(p, at, scale) for p, at, scale in groups[_MINUTES]]
        self.csat = [(p, at) for p, at, _ in groups[_CSAT]]
        self.statuses = [(p, at) for p, at, _ in groups[_STATUS]]
        self.tags = [(p, at) for p, at, _ in groups[_TAGS]]
        # Columns whose values always fail: the general path reports them.
        self.refused = [p for p, _, _ in (*groups[_OBJECT], *groups[_NUL_NAME], *groups[_CLASH])]
        self.attributes = [(p, name) for p, name, _ in groups[_ATTR]]


class Normaliser:
    """Turns records into rows for `upsert_tickets`; one instance per upload (it caches plans)."""

    def __init__(self, mapping: Mapping, *, tz: ZoneInfo, default_source: str) -> None:
        self.mapping = mapping
        self.tz = tz
        self._naive_utc = tz.key in ("UTC", "Etc/UTC")
        self.default_source = default_source
        self._plans: dict[str, Plan] = {}
        self._csv: _CsvPlan | None = None
        self._statuses: dict[str, str | None] = {}
        # Missing required values are reported under the caller's column name when mapped.
        self._names = {t: c for c, t in mapping.columns.items() if t is not None}
        # Where each mapped column lands (a ROW_COLUMNS index or an attribute name): a column
        # that lands there by its own name is refused, not left to overwrite it.
        self._claimed: dict[Any, str] = {}
        for column in mapping.columns:
            at = self._plan(column)[1]
            if at is not None:
                self._claimed[at] = column

    def _plan(self, column: str) -> Plan:
        if column in self._plans:
            return self._plans[column]
        name = column.strip()
        mapped = name in self.mapping.columns
        target = self.mapping.columns.get(name, name if name in TARGETS else f"attributes.{name}")
        plan: Plan
        if target is None:
            plan = (_DROP, None, None, None)
        elif target.startswith(ATTRIBUTE_PREFIX):
            attribute = target[len(ATTRIBUTE_PREFIX) :]
            if "\x00" in attribute:  # not even a jsonb key may hold U+0000
                plan = (_NUL_NAME, None, _nul_name, None)
            else:
                plan = (_ATTR, attribute, None, None)
        elif target in DURATION_FIELDS:
            stored, scale = DURATION_FIELDS[target]
            plan = (_MINUTES, _AT[stored], _minutes(scale), scale)
        elif target in TEXT_FIELDS:
            limit = TEXT_FIELDS[target]
            plan = (_TEXT, _AT[target], _text_of(limit), limit)
        elif target in ("source", "external_id"):
            limit = 64 if target == "source" else 255
            plan = (_KEY, _AT[target], _text_of(limit, strip=True), limit)
        elif target in DATE_FIELDS:
            plan = (_DATE, _AT[target], self._datetime, None)
        else:
            kind, convert = {
                "status": (_STATUS, self._status),
                "csat": (_CSAT, _csat),
                "tags": (_TAGS, _tags),
                "attributes": (_OBJECT, _object),
            }[target]
            plan = (kind, _AT[target], convert, None)
        if not mapped and plan[1] in self._claimed:
            message = both(self._claimed[plan[1]], name, _target_name(plan[1]))
            plan = (_CLASH, plan[1], _refuse(message), message)
        self._plans[column] = plan
        return plan

    def header_problem(self, header: tuple[str, ...]) -> str | None:
        """Why a CSV header cannot be read with this mapping (two columns for one target)."""
        seen: dict[Any, str] = {}
        for column in header:
            kind, at, _, message = self._plan(column)
            if kind == _CLASH:
                return str(message)
            if at is not None and at in seen:  # e.g. resolution_hours and resolution_minutes
                return both(seen[at], column, _target_name(at))
            seen[at] = column
        return None

    def _datetime(self, value: Any) -> datetime:
        if not isinstance(value, str):
            raise FieldError("expected an ISO 8601 date or date-time")
        try:
            moment = self._utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise FieldError(f"not an ISO 8601 date or date-time: {value[:40]!r}") from None
        except OverflowError:  # an offset that moves it out of the years 1-9999
            raise FieldError(_OUT_OF_RANGE) from None
        if not FIRST_TIME <= moment <= LAST_TIME:
            raise FieldError(_OUT_OF_RANGE)
        return moment

    def _utc(self, moment: datetime) -> datetime:
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
        if type(items) is Fields:
            fast = self._csv_row(row, items)
            if fast is not None:
                return fast
        out: list[Any] = [None] * _WIDTH
        attributes: dict[str, Any] = {}
        errors: list[RowError] = []
        plans = self._plans
        for column, raw in items:
            if raw is None or raw == "":
                continue
            kind, at, convert, _ = plans.get(column) or self._plan(column)
            if convert is not None:
                try:
                    out[at] = convert(raw)
                except FieldError as exc:
                    errors.append(RowError(row, column, str(exc)))
            elif kind == _ATTR:
                problem = _unstorable(raw)
                if problem:
                    errors.append(RowError(row, column, problem))
                attributes[at] = raw
        if errors:
            return errors
        return self._finish(row, out, attributes)

    def _csv_row(self, row: int, fields: Fields) -> tuple[Any, ...] | list[RowError] | None:
        """What `normalise` returns for a CSV record, or None when some value is wrong.

        CPU per row is the point (uploads of millions of rows): the values are text without NUL
        (see `Fields`), so each kind of column takes its check inline, in a loop of its own. A
        value that fails leaves the record to the general path, which reports the errors in
        column order with their messages.
        """
        csv = self._csv
        if csv is None or csv.header is not fields.header:
            csv = self._csv = _CsvPlan(fields.header, self._plan)
        values = fields.values
        out: list[Any] = [None] * _WIDTH
        for position, at in csv.texts:
            value = values[position]
            if value:
                out[at] = value
        for position, at, limit in csv.limited:
            value = values[position]
            if value:
                if len(value) > limit:
                    return None
                out[at] = value
        for position, at, limit in csv.keys:
            value = values[position]
            if value:
                if len(value) > limit:
                    return None
                out[at] = value.strip()
        for position, at in csv.dates:
            value = values[position]
            if value:
                try:
                    moment = datetime.fromisoformat(value.strip())
                    if moment.tzinfo is not UTC:
                        moment = self._utc(moment)
                except (ValueError, OverflowError):
                    return None
                if not FIRST_TIME <= moment <= LAST_TIME:
                    return None
                out[at] = moment
        for position, at, scale in csv.minutes:
            value = values[position]
            if value:
                try:
                    minutes = float(value) * scale
                except ValueError:
                    return None
                if not 0 <= minutes <= MAX_MINUTES:  # also refuses NaN and infinity
                    return None
                out[at] = minutes
        for position, at in csv.csat:
            value = values[position]
            if value:
                try:
                    number = float(value)
                except ValueError:
                    return None
                if not (1 <= number <= 5 and number.is_integer()):
                    return None
                out[at] = int(number)
        statuses = self._statuses
        for position, at in csv.statuses:
            value = values[position]
            if value:
                status = statuses.get(value)
                if status is None:  # not seen yet, or unknown
                    return None
                out[at] = status
        for position, at in csv.tags:
            value = values[position]
            if value:
                out[at] = [tag for tag in map(str.strip, value.split(",")) if tag]
        for position in csv.refused:
            if values[position]:
                return None  # text is never a JSON object, nor a NUL a column name
        attributes: dict[str, Any] = {}
        for position, name in csv.attributes:
            value = values[position]
            if value:
                attributes[name] = value
        return self._finish(row, out, attributes)

    def _finish(
        self, row: int, out: list[Any], attributes: dict[str, Any]
    ) -> tuple[Any, ...] | list[RowError]:
        errors = self._derive(row, out)
        if errors:
            return errors
        given = out[_ATTRIBUTES]
        if given is not None:
            attributes = {**given, **attributes}
        out[_SOURCE] = out[_SOURCE] or self.default_source
        out[_ATTRIBUTES] = attributes or None
        return tuple(out)

    def _derive(self, row: int, out: list[Any]) -> list[RowError]:
        # Runs only when every given value was valid, so "missing" below means None in `out`;
        # names follow the caller's mapping.
        names = self._names
        errors: list[RowError] = []
        if not out[_EXTERNAL_ID]:
            name = names.get("external_id", "external_id")
            errors.append(RowError(row, name, "a ticket id is required"))
        created = out[_CREATED]
        if created is None:
            name = names.get("created_at", "created_at")
            errors.append(RowError(row, name, "a creation time is required"))
            return errors
        status = out[_STATUS_AT]
        if status is None:
            status = out[_STATUS_AT] = "resolved" if out[_DERIVED[0][0]] is not None else "new"
        for moment, minutes, name in _DERIVED:
            at = out[moment]
            if at is not None:
                if at < created:
                    column = names.get(name, name)
                    errors.append(RowError(row, column, "is before the creation time"))
                elif out[minutes] is None:
                    out[minutes] = (at - created).total_seconds() / 60
            elif out[minutes] is not None and (
                name == "first_response_at" or status in RESOLVED_STATUSES
            ):
                try:
                    derived = created + timedelta(minutes=out[minutes])
                except OverflowError:  # past the year 9999
                    derived = None
                if derived is None or derived > LAST_TIME:
                    errors.append(RowError(row, names.get(name, name), _OUT_OF_RANGE))
                else:
                    out[moment] = derived
        return errors
