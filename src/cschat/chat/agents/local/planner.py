"""A parsed question -> the DESIGN §7 tool calls that answer it, with the defaults made explicit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from cschat.chat.agents.local.filters import EVERYONE
from cschat.chat.agents.local.intents import ALL_STATS, RESOLUTION_STATS, Question, Stat
from cschat.chat.agents.local.periods import Period, current
from cschat.tickets.tools import MAX_PERIODS, MAX_RESULTS, MAX_ROWS

# The breakdown/trend metric that matches what was asked; p90 has none, so it stays a statistic.
_METRIC_OF_STAT: dict[Stat, str] = {
    "avg_csat": "avg_csat",
    "avg_first_response_minutes": "avg_first_response_minutes",
    "median_hours": "median_resolution_hours",
    "avg_hours": "avg_resolution_hours",
}


_ANSWERED_BY_TOOLS = frozenset(
    {"count", "breakdown", "stats", "trend", "compare", "search", "ticket"}
)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call: a tool name of DESIGN §7 and its parameters."""

    name: str
    params: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The call as the evaluation set writes it."""
        return {"tool": self.name, "params": self.params}


def metric_of(question: Question) -> str:
    """The breakdown/trend metric for the question (`count` unless a time or CSAT was asked)."""
    return next((_METRIC_OF_STAT[s] for s in question.stats if s in _METRIC_OF_STAT), "count")


def metrics_of(question: Question) -> list[str]:
    """Every metric asked for by group or period, one call each ("media y mediana por canal").

    Resolution time or "stats" asked in general rank by the average alone, as `metric_of`.
    """
    if question.stats == ALL_STATS:
        return [metric_of(question)]
    asked = [_METRIC_OF_STAT[s] for s in _named_stats(question) if s in _METRIC_OF_STAT]
    return list(dict.fromkeys(asked)) or ["count"]


def _named_stats(question: Question) -> tuple[Stat, ...]:
    """The statistics asked for, with resolution time in general ("and resolution time") read as
    its average, the one figure a group or period has for it."""
    if set(RESOLUTION_STATS) <= set(question.stats):
        return tuple(s for s in question.stats if s not in RESOLUTION_STATS[1:])
    return question.stats


def p90_by_group(question: Question) -> bool:
    """True when a P90 is asked per group or period: `resolution_stats` has it for a total only.

    Not when no statistic was named (resolution time or "stats" in general): the average answers
    then, and a P90 was never asked for.
    """
    return question.intent in ("breakdown", "trend") and "p90_hours" in _named_stats(question)


def answerable(question: Question) -> Question:
    """The question, or declined when no tool has its figure (a P90 and nothing else per group)."""
    if p90_by_group(question) and metric_of(question) == "count":
        return replace(question, intent="unknown", declined=("p90_grouped", "P90"))
    return question


def date_field_of(question: Question) -> str:
    """`created` when asked (or for open tickets and status breakdowns), else `resolved`."""
    if question.date_field:
        return question.date_field
    if question.status == "open" or question.dimension == "status":
        return "created"
    return "resolved"


def default_trend_period(interval: str, today: date) -> Period:
    """A trend with no period shows the last 30 days, 12 ISO weeks or 12 months, ending today."""
    if interval == "day":
        return Period(today - timedelta(days=29), today, "days")
    if interval == "week":
        return Period(today - timedelta(days=today.weekday() + 77), today, "range")
    month0 = today.year * 12 + today.month - 1 - 11
    return Period(date(month0 // 12, month0 % 12 + 1, 1), today, "range")


def trend_interval(question: Question) -> str:
    """The asked interval, else one that suits the period's length."""
    if question.interval:
        return question.interval
    if not question.periods:
        return "week"
    days = (question.periods[0].end - question.periods[0].start).days + 1
    return "day" if days <= 31 else "week" if days <= 183 else "month"


def too_many_periods(question: Question) -> bool:
    """True when the trend's window holds more periods than `ticket_trend` returns."""
    if not question.periods:
        return False
    start, end = question.periods[0].start, question.periods[0].end
    interval = trend_interval(question)
    if interval == "day":
        count = (end - start).days + 1
    elif interval == "week":
        mondays = end - timedelta(days=end.weekday()), start - timedelta(days=start.weekday())
        count = (mondays[0] - mondays[1]).days // 7 + 1
    else:
        count = (end.year - start.year) * 12 + end.month - start.month + 1
    return count > MAX_PERIODS


def variants(question: Question) -> list[dict[str, str]]:
    """The filter sets to query: one, or one per value when a dimension got several values.

    The tools take one value per filter, so "facturación y envíos" becomes two calls. Only the
    first dimension with several values varies; any other keeps its first value.
    """
    values: dict[str, list[str]] = {}
    for dimension, value in question.filters:
        values.setdefault(dimension, []).append(value)
    base = {dimension: vs[0] for dimension, vs in values.items()}
    varying = next((d for d, vs in values.items() if len(vs) > 1), None)
    if varying is None:
        return [base]
    # EVERYONE is no filter at all: "my CSAT vs the team" asks once without the agent.
    return [
        {k: v for k, v in {**base, varying: value}.items() if v != EVERYONE}
        for value in values[varying]
    ]


def compares_values(question: Question) -> bool:
    """True for "billing vs shipping": a comparison of filter values, not of periods."""
    return (
        question.intent == "compare" and len(question.periods) < 2 and len(variants(question)) > 1
    )


def plan(question: Question, today: date) -> list[ToolCall]:
    """The tool calls answering the question, in order; none for greetings, help, not understood."""
    if question.intent not in _ANSWERED_BY_TOOLS:
        return []
    if question.intent == "trend" and too_many_periods(question):
        return []  # the answer asks for a shorter window or a longer interval
    if question.intent == "ticket" or (question.intent == "search" and question.query is None):
        return [ToolCall("get_ticket", {"ticket_id": str(question.ticket_id)})]
    if question.intent == "compare" and not compares_values(question):
        return [
            ToolCall(_compare_tool(question), _scope(question, period, filters))
            for filters in variants(question)
            for period in compare_periods(question, today)
        ]
    if question.intent == "count" and (question.created_and_resolved or question.open_and_resolved):
        # Two counts: what came in (or is still open) and what was resolved.
        period = question.periods[0] if question.periods else None
        first: Literal["open"] | None = "open" if question.open_and_resolved else None
        sides = [replace(question, date_field="created", status=first),
                 replace(question, date_field="resolved", status=None)]  # fmt: skip
        return [
            ToolCall("count_tickets", _scope(side, period, filters))
            for filters in variants(question)
            for side in sides
        ]
    if question.intent == "stats" and question.summary:
        # "Resumen de la semana pasada": the statistics of what was resolved, and what came in.
        period = question.periods[0] if question.periods else None
        created = replace(question, date_field="created", status=None)
        return [
            call
            for filters in variants(question)
            for call in (
                _one(question, filters, today),
                ToolCall("count_tickets", _scope(created, period, filters)),
            )
        ]
    if question.intent == "stats" and question.with_count:
        # "How many came in today, and their first response time?": the count, then the figure.
        period = question.periods[0] if question.periods else None
        return [
            call
            for filters in variants(question)
            for call in (
                ToolCall("count_tickets", _scope(question, period, filters)),
                _one(question, filters, today),
            )
        ]
    if question.intent == "trend" and question.created_and_resolved:
        # "Created vs resolved by week": the series of each.
        return [
            _one(replace(question, date_field=field), filters, today)
            for filters in variants(question)
            for field in ("created", "resolved")
        ]
    if question.intent in ("breakdown", "trend"):
        return [
            _one(question, filters, today, metric)
            for filters in variants(question)
            for metric in metrics_of(question)
        ]
    return [_one(question, filters, today) for filters in variants(question)]


def _one(
    question: Question, filters: dict[str, str], today: date, metric: str = "count"
) -> ToolCall:
    period = question.periods[0] if question.periods else None
    if question.intent == "search":
        params: dict[str, Any] = {"query": question.query}
        if question.limit:
            params["limit"] = min(question.limit, MAX_RESULTS)
        if period:
            params.update(_window(period, question))
        return ToolCall("search_tickets", {**params, **filters})
    if question.intent == "compare":
        return ToolCall(_compare_tool(question), _scope(question, period, filters))
    if question.intent == "stats":
        return ToolCall("resolution_stats", _scope(question, period, filters))
    if question.intent == "breakdown":
        params = {"dimension": question.dimension, "metric": metric}
        params.update(_scope(question, period, filters))
        if question.limit:
            # One row more than asked, to see a tie with the last one asked for (`next_call`);
            # "top 10000000": every row there is, up to what the tool returns.
            params["limit"] = min(question.limit + 1, MAX_ROWS)
        if question.order:
            params["order"] = question.order
        return ToolCall("breakdown_tickets", params)
    if question.intent == "trend":
        interval = trend_interval(question)
        window = period or default_trend_period(interval, today)
        params = {"interval": interval, "metric": metric}
        params.update(_scope(question, window, filters))
        return ToolCall("ticket_trend", params)
    return ToolCall("count_tickets", _scope(question, period, filters))


def next_call(
    question: Question, calls: Sequence[ToolCall], results: Sequence[Mapping[str, Any]]
) -> ToolCall | None:
    """A call that depends on an earlier result: tickets similar to the one just read, or the
    whole ranking when the row after the last one asked for is tied with it."""
    if len(results) != 1:
        return None
    if question.intent == "breakdown":
        return _tied_ranking(question, calls[0], results[0])
    if question.intent != "search" or question.query is not None:
        return None
    subject = results[0]["ticket"].get("subject")
    if not subject:
        return None
    # One more than asked: the ticket itself is usually the best match and is left out.
    limit = min(question.limit or 5, MAX_RESULTS - 1) + 1
    return ToolCall("search_tickets", {"query": subject, "limit": limit})


def _tied_ranking(question: Question, call: ToolCall, result: Mapping[str, Any]) -> ToolCall | None:
    """ "Which agent resolved most?" when two did: every row, so all those tied are named."""
    rows, asked = result.get("rows", []), question.limit
    if not asked or len(rows) <= asked or rows[asked]["value"] != rows[asked - 1]["value"]:
        return None
    if len(rows) >= result.get("total_groups", 0) or call.params["limit"] >= MAX_ROWS:
        return None
    return ToolCall(call.name, {**call.params, "limit": MAX_ROWS})


def compare_periods(question: Question, today: date) -> tuple[Period, Period]:
    """The two periods compared, most recent first as asked, else "this month vs the one before"."""
    if len(question.periods) >= 2:
        return question.periods[0], question.periods[1]
    first = (
        question.periods[0] if question.periods else Period(today.replace(day=1), today, "month")
    )
    if question.against and (now := current(first.kind, today)) and now.start > first.start:
        return now, first  # "more tickets than last week": this week against it
    return first, first.previous()


def _compare_tool(question: Question) -> str:
    return "resolution_stats" if question.stats else "count_tickets"


def _window(period: Period, question: Question) -> dict[str, Any]:
    return {
        "start_date": period.start.isoformat(),
        "end_date": period.end.isoformat(),
        "date_field": date_field_of(question),
    }


def _scope(question: Question, period: Period | None, filters: dict[str, str]) -> dict[str, Any]:
    """Window, date field, status and filters: the part every counting tool shares."""
    params: dict[str, Any] = (
        _window(period, question) if period else {"date_field": date_field_of(question)}
    )
    if question.status:
        params["status"] = question.status
    params.update(filters)
    return params
