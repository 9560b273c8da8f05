"""The analytics tools of DESIGN §7 computed over a small in-memory list of tickets.

A real, independent implementation of the tools' meaning (windows in the app's time zone, resolved
vs created dates, status defaults, case- and accent-insensitive filters), so the local agent can be
driven end to end before `tickets/tools.py` is wired in. Calls are recorded for assertions.
"""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cschat.core.errors import Forbidden, NotFound
from cschat.core.sqlfunctions import next_period_start, period_start
from cschat.tickets.search import forms

RESOLVED = {"resolved", "closed"}
FILTERS = ("category", "priority", "channel", "agent", "team")
DATA_AS_OF = "2026-11-27T09:00:00Z"


def _fold(value: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", value.casefold()) if not unicodedata.combining(c)
    )


@dataclass
class MemoryTools:
    """A `ToolRunner`; `role` and `email` apply the Agent scoping rule to per-agent data."""

    tickets: list[dict[str, Any]]
    tz: str = "Europe/Madrid"
    role: str = "Supervisor"
    email: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((name, dict(params)))
        result: dict[str, Any] = getattr(self, name)(dict(params))
        return result

    # -- shared selection --------------------------------------------------------------------
    def _local_date(self, value: datetime | None) -> date | None:
        return value.astimezone(ZoneInfo(self.tz)).date() if value else None

    def _select(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.role != "Supervisor" and p.get("agent") not in (None, self.email):
            raise Forbidden("agents may only see their own per-agent figures")
        date_field = p.get("date_field", "resolved")
        status = p.get("status", "resolved" if date_field == "resolved" else "any")
        out = []
        for t in self.tickets:
            day = self._local_date(t["resolved_at" if date_field == "resolved" else "created_at"])
            if "start_date" in p and (day is None or day < date.fromisoformat(p["start_date"])):
                continue
            if "end_date" in p and (day is None or day > date.fromisoformat(p["end_date"])):
                continue
            if status == "resolved" and t["status"] not in RESOLVED:
                continue
            if status == "open" and t["status"] in RESOLVED:
                continue
            if any(k in p and _fold(str(t.get(k))) != _fold(p[k]) for k in FILTERS):
                continue
            out.append(t)
        return out

    def _envelope(self, p: dict[str, Any]) -> dict[str, Any]:
        window: dict[str, Any] = {k: p[k] for k in ("start_date", "end_date") if k in p}
        window.update(date_field=p.get("date_field", "resolved"), tz=self.tz)
        return {
            "window": window,
            "filters": {k: p[k] for k in FILTERS if k in p},
            "data_as_of": DATA_AS_OF,
        }

    # -- the tools ---------------------------------------------------------------------------
    def count_tickets(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"count": len(self._select(p)), **self._envelope(p)}

    def resolution_stats(self, p: dict[str, Any]) -> dict[str, Any]:
        rows = self._select(p)
        hours = sorted(t["resolution_minutes"] / 60 for t in rows if t.get("resolution_minutes"))
        firsts = [t["first_response_minutes"] for t in rows if t.get("first_response_minutes")]
        csats = [t["csat"] for t in rows if t.get("csat")]
        return {
            "count": len(rows),
            "avg_hours": statistics.fmean(hours) if hours else None,
            "median_hours": statistics.median(hours) if hours else None,
            "p90_hours": hours[math.ceil(0.9 * len(hours)) - 1] if hours else None,
            "avg_first_response_minutes": statistics.fmean(firsts) if firsts else None,
            "avg_csat": statistics.fmean(csats) if csats else None,
            "resolution_count": len(hours),
            "first_response_count": len(firsts),
            "csat_count": len(csats),
            **self._envelope(p),
        }

    def _measured(self, rows: list[dict[str, Any]], metric: str) -> int:
        if metric == "count":
            return len(rows)
        column = {"avg_csat": "csat", "avg_first_response_minutes": "first_response_minutes"}
        return sum(t.get(column.get(metric, "resolution_minutes")) is not None for t in rows)

    def _metric(self, rows: list[dict[str, Any]], metric: str) -> float | int | None:
        if metric == "count":
            return len(rows)
        source = {
            "avg_resolution_hours": ("resolution_minutes", 1 / 60),
            "median_resolution_hours": ("resolution_minutes", 1 / 60),
            "avg_first_response_minutes": ("first_response_minutes", 1),
            "avg_csat": ("csat", 1),
        }[metric]
        values: list[float] = [
            t[source[0]] * source[1] for t in rows if t.get(source[0]) is not None
        ]
        if not values:
            return None
        if metric.startswith("median"):
            return statistics.median(values)
        return statistics.fmean(values)

    def breakdown_tickets(self, p: dict[str, Any]) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for t in self._select(p):
            groups.setdefault(str(t[p["dimension"]]), []).append(t)
        metric = p.get("metric", "count")
        rows: list[dict[str, Any]] = [
            {"key": k, "value": self._metric(v, metric), "count": len(v),
             "measured": self._measured(v, metric)}
            for k, v in groups.items()
        ]  # fmt: skip
        rows.sort(key=lambda r: r["key"])
        rows.sort(key=lambda r: r["value"] or 0, reverse=p.get("order", "desc") == "desc")
        return {"rows": rows[: p.get("limit", 10)], "total_groups": len(rows), **self._envelope(p)}

    def ticket_trend(self, p: dict[str, Any]) -> dict[str, Any]:
        """Periods named by their first day (ISO week: Monday), empty ones included."""
        resolved = p.get("date_field", "resolved") == "resolved"
        field_name = "resolved_at" if resolved else "created_at"
        groups: dict[date, list[dict[str, Any]]] = {}
        for t in self._select(p):
            day = self._local_date(t[field_name])
            assert day is not None
            groups.setdefault(period_start(day, p["interval"]), []).append(t)
        first = p.get("start_date") or (min(groups).isoformat() if groups else None)
        last = p.get("end_date") or (max(groups).isoformat() if groups else None)
        keys: list[date] = []
        if first and last:
            key = period_start(date.fromisoformat(first), p["interval"])
            while key <= date.fromisoformat(last):
                keys.append(key)
                key = next_period_start(key, p["interval"])
        metric = p.get("metric", "count")
        series = [
            {
                "period": k.isoformat(),
                "value": self._metric(groups.get(k, []), metric),
                "count": len(groups.get(k, [])),
                "measured": self._measured(groups.get(k, []), metric),
            }
            for k in keys
        ]
        return {"series": series, **self._envelope(p)}

    def search_tickets(self, p: dict[str, Any]) -> dict[str, Any]:
        words = set(_fold(p["query"]).split())
        scored = []
        for t in self._select({**p, "status": p.get("status", "any")}):
            text = set(_fold(f"{t['subject']} {t.get('description', '')}").split())
            # A word matches its singular or plural too, as the search does.
            if score := sum(1 for word in words if text.intersection(forms(word))):
                scored.append((-score, t["id"], t))
        scored.sort(key=lambda s: s[:2])
        keys = ("id", "subject", "category", "status", "resolved_at", "resolution")
        hits = [
            {k: (t[k].isoformat() if isinstance(t[k], datetime) else t[k]) for k in keys if k in t}
            for _, _, t in scored[: p.get("limit", 5)]
        ]
        return {"results": hits, **self._envelope(p)}

    def get_ticket(self, p: dict[str, Any]) -> dict[str, Any]:
        for t in self.tickets:
            if p["ticket_id"] in (str(t["id"]), t.get("external_id")):
                if self.role != "Supervisor" and t["agent"] != self.email:
                    raise Forbidden("agents may only see their own tickets")
                shown = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in t.items()}
                return {"ticket": shown, "data_as_of": DATA_AS_OF}
        raise NotFound(f"ticket {p['ticket_id']} does not exist")
