"""A parsed question -> the DESIGN §7 tool calls that answer it, with the defaults made explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cschat.chat.agents.local.intents import Question, Stat
from cschat.chat.agents.local.periods import Period

# The breakdown/trend metric that matches what was asked; p90 has none, so it stays a statistic.
_METRIC_OF_STAT: dict[Stat, str] = {
    "avg_csat": "avg_csat",
    "avg_first_response_minutes": "avg_first_response_minutes",
    "median_hours": "median_resolution_hours",
    "avg_hours": "avg_resolution_hours",
}


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


def plan(question: Question, today: date) -> list[ToolCall]:
    """The tool calls answering the question, in order; none for greetings, help, not understood."""
    intent = question.intent
    if intent == "ticket":
        return [ToolCall("get_ticket", {"ticket_id": question.ticket_id})]
    if intent == "search":
        params: dict[str, Any] = {"query": question.query}
        if question.limit:
            params["limit"] = question.limit
        if question.periods:
            params.update(_window(question.periods[0], question))
        params.update(question.filters)
        return [ToolCall("search_tickets", params)]
    if intent == "compare":
        return _compare(question, today)
    period = question.periods[0] if question.periods else None
    if intent == "count":
        return [ToolCall("count_tickets", _scope(question, period))]
    if intent == "stats":
        return [ToolCall("resolution_stats", _scope(question, period))]
    if intent == "breakdown":
        params = {"dimension": question.dimension, "metric": metric_of(question)}
        params.update(_scope(question, period))
        if question.limit:
            params["limit"] = question.limit
        if question.order:
            params["order"] = question.order
        return [ToolCall("breakdown_tickets", params)]
    if intent == "trend":
        interval = trend_interval(question)
        window = period or default_trend_period(interval, today)
        params = {"interval": interval, "metric": metric_of(question)}
        params.update(_scope(question, window))
        return [ToolCall("ticket_trend", params)]
    return []


def compare_periods(question: Question, today: date) -> tuple[Period, Period]:
    """The two periods compared, most recent first as asked, else "this month vs the one before"."""
    if len(question.periods) >= 2:
        return question.periods[0], question.periods[1]
    first = (
        question.periods[0] if question.periods else Period(today.replace(day=1), today, "month")
    )
    return first, first.previous()


def _compare(question: Question, today: date) -> list[ToolCall]:
    tool = (
        "count_tickets"
        if metric_of(question) == "count" and not question.stats
        else "resolution_stats"
    )
    return [ToolCall(tool, _scope(question, p)) for p in compare_periods(question, today)]


def _window(period: Period, question: Question) -> dict[str, Any]:
    return {
        "start_date": period.start.isoformat(),
        "end_date": period.end.isoformat(),
        "date_field": date_field_of(question),
    }


def _scope(question: Question, period: Period | None) -> dict[str, Any]:
    """Window, date field, status and filters: the part every counting tool shares."""
    params: dict[str, Any] = (
        _window(period, question) if period else {"date_field": date_field_of(question)}
    )
    if question.status:
        params["status"] = question.status
    params.update(question.filters)
    return params
