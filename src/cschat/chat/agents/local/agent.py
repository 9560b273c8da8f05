"""The local agent: parse, plan, call the analytics tools, render; every step is traced."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from cschat.chat.agents.base import (
    AgentEvent,
    AgentRequest,
    CitationEvent,
    ConnectionCheck,
    DoneEvent,
    ErrorEvent,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    ToolRunner,
    TraceEvent,
    TraceStep,
)
from cschat.chat.agents.local.context import is_context, resolve
from cschat.chat.agents.local.filters import Vocabulary
from cschat.chat.agents.local.intents import Question, parse
from cschat.chat.agents.local.language import Language
from cschat.chat.agents.local.periods import BadPeriod
from cschat.chat.agents.local.planner import (
    ToolCall,
    answerable,
    next_call,
    plan,
    trend_interval,
)
from cschat.chat.agents.local.render import render
from cschat.chat.agents.local.wording import INTERVAL, canned
from cschat.core.errors import AppError, Forbidden, NotFound
from cschat.tickets.models import FIRST_DAY, LAST_DAY

log = structlog.get_logger(__name__)

VocabularySource = Callable[[], Awaitable[Vocabulary]]

# A tool's validation error naming a window bound (a date before year 2 or after 9998): the one a
# planned call can meet, since the planner orders windows and caps limits and intervals.
_WINDOW_PARAM = re.compile(r"\b(?:start_date|end_date)\b")
_FAILED = {
    "es": "No he podido responder por un error interno. Inténtalo de nuevo en un momento.",
    "en": "I could not answer because of an internal error. Please try again in a moment.",
}


def local_today(request: AgentRequest) -> date:
    """Today in the app's time zone; a naive `now` is taken as UTC."""
    now = request.now if request.now.tzinfo else request.now.replace(tzinfo=UTC)
    return now.astimezone(ZoneInfo(request.tz)).date()


def understand(request: AgentRequest, vocabulary: Vocabulary) -> Question:
    """The question to answer, with the context of the session's earlier questions laid under it."""
    today = local_today(request)
    previous: Question | None = None
    earlier: Question | None = None  # the context before `previous` ("compáralos")
    language: Language = "es"
    for turn in request.history:
        if turn.role != "user":
            continue
        asked = parse(turn.text, today=today, vocabulary=vocabulary,
                      user_email=request.user_email, default_language=language)  # fmt: skip
        current = answerable(resolve(asked, previous, earlier, today=today))
        language = current.language
        if is_context(current):
            previous, earlier = current, previous
    asked = parse(request.text, today=today, vocabulary=vocabulary,
                  user_email=request.user_email, default_language=language)  # fmt: skip
    return answerable(resolve(asked, previous, earlier, today=today))


def describe(question: Question) -> str:
    """One line saying what was understood, for the trace."""
    parts = [f"intent={question.intent}", f"language={question.language}"]
    if question.followup:
        parts.append("follow-up of the previous question")
    if question.periods:
        parts.append("periods=" + ", ".join(p.label() for p in question.periods))
    for name in ("date_field", "status", "dimension", "interval", "limit", "order", "query"):
        value = getattr(question, name)
        if value is not None:
            parts.append(f"{name}={value}")
    if question.filters:
        parts.append("filters=" + ", ".join(f"{k}={v}" for k, v in question.filters))
    if question.stats:
        parts.append("stats=" + ", ".join(question.stats))
    if question.missing:
        parts.append("not computed=" + ", ".join(f"{m}: {w}" for m, w in question.missing))
    if question.declined:
        parts.append(f"declined={question.declined[0]} ({question.declined[1]})")
    return "; ".join(parts)


class LocalAgent:
    """The built-in analytics agent (`AGENT_PROVIDER=local`): rules, no model, no network."""

    name = "local"

    def __init__(self, vocabulary: Vocabulary | VocabularySource) -> None:
        self._vocabulary = vocabulary

    async def _current_vocabulary(self) -> Vocabulary:
        if isinstance(self._vocabulary, Vocabulary):
            return self._vocabulary
        return await self._vocabulary()

    async def info(self) -> dict[str, Any]:
        """No cloud agent behind this provider: the ids are null."""
        return {
            "agent_id": None,
            "agent_alias_id": None,
            "region": None,
            "arn": None,
            "provider": self.name,
        }

    def close(self) -> None:
        """Nothing to release: the local agent holds no connections or threads."""

    async def test_connection(self) -> ConnectionCheck:
        """Ready when the data's filter values can be read (the only thing it depends on)."""
        try:
            vocabulary = await self._current_vocabulary()
        except Exception as exc:
            log.error("agent.vocabulary_failed", error=type(exc).__name__)
            failed = "The local agent cannot read the ticket data."
            return ConnectionCheck(False, failed, await self.info())
        known = sum(len(v) for v in vocabulary.values.values())
        message = f"Local agent ready; {known} known filter values."
        return ConnectionCheck(True, message, await self.info())

    async def run(self, request: AgentRequest, tools: ToolRunner) -> AsyncIterator[AgentEvent]:
        """Answer one message as a stream of events ending in DoneEvent or ErrorEvent."""
        question = understand(request, await self._current_vocabulary())
        today = local_today(request)
        trace: list[TraceStep] = [TraceStep("rationale", rationale=describe(question))]
        yield TraceEvent(trace[-1])
        try:
            calls = plan(question, today)
        except BadPeriod as exc:  # "compara el 0001-01-01": the period before it does not exist
            question, calls = replace(question, bad_period=str(exc)), []
        results: list[Mapping[str, Any]] = []
        text: str | None = None
        while len(results) < len(calls):
            call = calls[len(results)]
            trace.append(TraceStep("tool_call", tool=call.name, parameters=call.params))
            yield TraceEvent(trace[-1])
            yield ToolCallEvent(call.name, call.params)
            try:
                result = await tools(call.name, call.params)
            except AppError as exc:
                # Refusals and missing tickets are answers, not failures.
                refused = {"error": exc.code, "detail": exc.detail}
                trace.append(TraceStep("observation", tool=call.name, observation=refused))
                yield TraceEvent(trace[-1])
                text = _refusal(exc, call, question.language)
                break
            except Exception as exc:
                log.error("agent.tool_failed", tool=call.name, error=type(exc).__name__)
                yield ErrorEvent("AgentError", _FAILED[question.language], tuple(trace))
                return
            results.append(result)
            trace.append(TraceStep("observation", tool=call.name, observation=result))
            yield TraceEvent(trace[-1])
            yield ToolResultEvent(call.name, result)
            yield _citation(call, result)
            if len(results) == len(calls) and (extra := next_call(question, calls, results)):
                calls.append(extra)
        if text is None:
            try:
                text = _answer(question, calls, results, request.tz)
            except (KeyError, TypeError, ValueError) as exc:
                # A result without the fields DESIGN §7 promises: say so rather than guess.
                log.error("agent.render_failed", error=type(exc).__name__)
                yield ErrorEvent("AgentError", _FAILED[question.language], tuple(trace))
                return
        for line in text.splitlines(keepends=True):
            yield TextDelta(line)
        yield DoneEvent(text, question.language, tuple(trace))


def _answer(
    question: Question, calls: Sequence[ToolCall], results: Sequence[Mapping[str, Any]], tz: str
) -> str:
    if calls:
        return render(question, calls, results, tz)
    if question.bad_period:
        return canned("bad_period", question.language, text=question.bad_period)
    if question.declined:
        kind, written = question.declined
        return canned(kind, question.language, question.suggestions, text=written)
    if question.intent == "trend":  # planned no call: too many periods for one trend
        interval = INTERVAL[question.language][trend_interval(question)]
        return canned("long_trend", question.language, interval=interval)
    kind = question.intent if question.intent in ("greeting", "help") else "unknown"
    return canned(question.courtesy or kind, question.language)


def _refusal(exc: AppError, call: ToolCall, language: Language) -> str:
    """The tool's refusal as an answer; the tools explain in English, so a Spanish answer says
    what happened in Spanish instead of quoting them."""
    values = {"detail": exc.detail, "id": str(call.params.get("ticket_id", ""))}
    if isinstance(exc, NotFound):
        return canned("not_found", language, **values)
    if isinstance(exc, Forbidden):
        return canned("forbidden", language, **values)
    if _WINDOW_PARAM.search(exc.detail):
        return canned("dates_out_of_range", language, first=str(FIRST_DAY), last=str(LAST_DAY))
    return canned("tool_error", language, **values)


def _citation(call: ToolCall, result: Mapping[str, Any]) -> CitationEvent:
    tickets = result.get("results")
    ids: tuple[str, ...] = ()
    if call.name == "get_ticket":
        ids = (str(result["ticket"]["id"]),)
    elif isinstance(tickets, list):
        ids = tuple(str(t.get("id")) for t in tickets)
    as_of = result.get("data_as_of")
    return CitationEvent(call.name, call.params, str(as_of) if as_of else None, ids)
