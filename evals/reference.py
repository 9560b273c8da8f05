"""Expected tool figures computed in plain Python over the evaluation rows, not through our tools.

Local dates through zoneinfo per row, folding through unicodedata, percentiles by linear
interpolation between closest ranks (what `percentile_cont` defines), word matching by regex.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cschat.tickets.search import STOPWORDS, forms, tiers
from tests.support.reference import MEASURED_BY

Row = Mapping[str, Any]
RESOLVED = ("resolved", "closed")
FILTERS = ("category", "priority", "channel", "agent", "team")
WORD = re.compile(r"[^\W_]+")


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _matches_filter(row: Row, field: str, value: str) -> bool:
    wanted = fold(value)
    if field == "agent":
        names = [row["agent"]]
        if "@" not in value:
            names.append((row.get("attributes") or {}).get("agent_name"))
        return any(n is not None and fold(str(n)) == wanted for n in names)
    return row[field] is not None and fold(row[field]) == wanted


def select(rows: Iterable[Row], params: Mapping[str, Any], tz: ZoneInfo) -> list[Row]:
    """Rows in the call's window (inclusive local dates), status and filters."""
    field = params.get("date_field", "resolved")
    status = params.get("status") or ("resolved" if field == "resolved" else "any")
    start = date.fromisoformat(params["start_date"]) if params.get("start_date") else None
    end = date.fromisoformat(params["end_date"]) if params.get("end_date") else None
    out = []
    for row in rows:
        moment = row["resolved_at"] if field == "resolved" else row["created_at"]
        if moment is None and (field == "resolved" or start or end):
            continue
        if moment is not None:
            day = moment.astimezone(tz).date()
            if (start and day < start) or (end and day > end):
                continue
        if status == "resolved" and row["status"] not in RESOLVED:
            continue
        if status == "open" and row["status"] in RESOLVED:
            continue
        if any(not _matches_filter(row, f, params[f]) for f in FILTERS if f in params):
            continue
        out.append(row)
    return out


def mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    lo, hi = math.floor(position), math.ceil(position)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (position - lo)


def _present(rows: list[Row], column: str) -> list[float]:
    return [float(r[column]) for r in rows if r[column] is not None]


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


METRICS: dict[str, Callable[[list[Row]], float | None]] = {
    "count": lambda rows: float(len(rows)),
    "avg_resolution_hours": lambda rows: _hours(mean(_present(rows, "resolution_minutes"))),
    "median_resolution_hours": lambda rows: _hours(
        percentile(_present(rows, "resolution_minutes"), 0.5)
    ),
    "avg_first_response_minutes": lambda rows: mean(_present(rows, "first_response_minutes")),
    "avg_csat": lambda rows: mean(_present(rows, "csat")),
}


def _value(rows: list[Row], metric: str) -> float | int | None:
    return len(rows) if metric == "count" else METRICS[metric](rows)


def _measured(rows: list[Row], metric: str) -> int:
    """How many of `rows` the metric is computed from (those with its time or rating)."""
    return len(rows) if metric == "count" else len(_present(rows, MEASURED_BY[metric]))


def count_tickets(rows: list[Row], params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    return {"count": len(select(rows, params, tz))}


def breakdown_tickets(rows: list[Row], params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    metric, dimension = params.get("metric", "count"), params["dimension"]
    groups: dict[Any, list[Row]] = {}
    for row in select(rows, params, tz):
        value = row[dimension]
        groups.setdefault(None if value is None else fold(value), []).append(row)
    out = []
    for members in groups.values():
        spellings: dict[Any, int] = {}
        for r in members:
            spellings[r[dimension]] = spellings.get(r[dimension], 0) + 1
        label = max(spellings.items(), key=lambda kv: kv[1])[0]
        out.append([label, _value(members, metric), len(members), _measured(members, metric)])
    sign = -1 if params.get("order", "desc") == "desc" else 1
    out.sort(key=lambda r: (r[1] is None, sign * (r[1] or 0), str(r[0] or "")))
    return {"rows": out[: params.get("limit", 10)], "total_count": sum(r[2] for r in out)}


def _period(day: date, interval: str) -> date:
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next(day: date, interval: str) -> date:
    if interval == "day":
        return day + timedelta(days=1)
    if interval == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def ticket_trend(rows: list[Row], params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    metric, interval = params.get("metric", "count"), params["interval"]
    field = params.get("date_field", "resolved")
    buckets: dict[date, list[Row]] = {}
    for row in select(rows, params, tz):
        moment = row["resolved_at"] if field == "resolved" else row["created_at"]
        buckets.setdefault(_period(moment.astimezone(tz).date(), interval), []).append(row)
    day = _period(date.fromisoformat(params["start_date"]), interval)
    last = date.fromisoformat(params["end_date"])
    series = []
    while day <= last:
        members = buckets.get(day, [])
        series.append(
            [day.isoformat(), _value(members, metric), len(members), _measured(members, metric)]
        )
        day = _next(day, interval)
    return {"series": series}


def resolution_stats(rows: list[Row], params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    chosen = select(rows, {**params, "status": "resolved"}, tz)
    minutes = _present(chosen, "resolution_minutes")
    return {
        "count": len(chosen),
        "avg_hours": _hours(mean(minutes)),
        "median_hours": _hours(percentile(minutes, 0.5)),
        "p90_hours": _hours(percentile(minutes, 0.9)),
        "avg_first_response_minutes": mean(_present(chosen, "first_response_minutes")),
        "avg_csat": mean(_present(chosen, "csat")),
        "resolution_count": len(minutes),
        "first_response_count": len(_present(chosen, "first_response_minutes")),
        "csat_count": len(_present(chosen, "csat")),
    }


def _words(row: Row) -> set[str]:
    text = " ".join(row[c] or "" for c in ("subject", "description", "resolution"))
    return set(WORD.findall(fold(text)))


def _held(terms: list[str], words: set[str]) -> int:
    return sum(1 for term in terms if words.intersection(forms(term)))


def search_tickets(rows: list[Row], params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Which tickets may be returned: those of the first tier (every word, then one word fewer at
    a time, as `search.tiers` documents) that some ticket satisfies. A word is held when any of
    its forms is (`search.forms`: singular or plural)."""
    words = list(dict.fromkeys(WORD.findall(fold(params["query"]))))
    terms = [w for w in words if w not in STOPWORDS] or words  # the documented stop words
    scope = select(rows, {"status": "any", "date_field": "created", **params}, tz)
    eligible: list[Any] = []
    for need in tiers(len(terms)):
        eligible = [r["id"] for r in scope if _held(terms, _words(r)) >= need]
        if eligible:
            break
    limit = params.get("limit", 5)
    return {"returned": min(limit, len(eligible)), "eligible": sorted(eligible)}


def get_ticket(rows: list[Row], params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    wanted = str(params["ticket_id"])
    for row in rows:
        if row["external_id"] == wanted or str(row["id"]) == wanted:
            return {"id": row["id"], "external_id": row["external_id"], "subject": row["subject"]}
    return {"not_found": True}


TOOLS: dict[str, Callable[[list[Row], Mapping[str, Any], ZoneInfo], dict[str, Any]]] = {
    "count_tickets": count_tickets,
    "breakdown_tickets": breakdown_tickets,
    "ticket_trend": ticket_trend,
    "resolution_stats": resolution_stats,
    "search_tickets": search_tickets,
    "get_ticket": get_ticket,
}


def expected(rows: list[Row], tool: str, params: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """The figures a correct `tool(params)` returns over `rows`."""
    return TOOLS[tool](rows, params, tz)
