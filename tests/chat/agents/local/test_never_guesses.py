"""Every number in an answer comes from a tool result, the question, or the window's dates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from cschat.chat.agents.base import AgentRequest, DoneEvent, HistoryTurn, ToolResultEvent
from cschat.chat.agents.local import numbers
from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.agents.local.wording import EXAMPLES
from tests.chat.agents.local.data import LUCIA, NOW, TZ, VOCABULARY, tickets
from tests.chat.agents.local.memory_tools import MemoryTools
from tests.chat.agents.local.test_eval_plans import DOC

NUMBER = re.compile(r"\d[\d.,]*\d|\d")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WITH_TOOLS = [q for q in DOC["questions"] if q["plan"]]


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _allowed(results: list[dict[str, Any]], lang: Any) -> set[str]:
    allowed = {"5"}  # the CSAT scale in "4,3 / 5"
    for r in results:  # the length in days of each window ("27 días frente a 31")
        window = r.get("window", {})
        if window.get("start_date") and window.get("end_date"):
            days = date.fromisoformat(window["end_date"]) - date.fromisoformat(window["start_date"])
            allowed.add(str(days.days + 1))
    values = [v for r in results for v in _leaves(r)]
    for v in values:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float):
            allowed.update({numbers.number(v, lang), numbers.minutes(v * 60, lang),
                            numbers.minutes(v, lang)})  # fmt: skip
            for unit in ("day", "hour", "minute"):  # "in days": hours or minutes, converted
                for minutes in (v, v * 60):
                    allowed.update(NUMBER.findall(numbers.in_unit(minutes, lang, unit)))
        elif not DATE.match(str(v)):
            allowed.update(NUMBER.findall(str(v)))
    counts = [r["count"] for r in results if isinstance(r.get("count"), int)]
    stats = [v for r in results for v in r.values() if isinstance(v, float)]
    for a in counts + stats:
        for b in counts + stats:
            allowed.add(numbers.percent_change(a, b, lang) or "")
    return allowed


@pytest.mark.parametrize("case", WITH_TOOLS, ids=lambda q: q["id"])
async def test_numbers_come_from_the_tools(case: dict[str, Any]) -> None:
    history = tuple(HistoryTurn("user", h) for h in case["history"])
    request = AgentRequest("s", case["text"], "Supervisor", LUCIA, NOW, TZ, history=history)
    events = [e async for e in LocalAgent(VOCABULARY).run(request, MemoryTools(tickets()))]
    done = events[-1]
    assert isinstance(done, DoneEvent)
    results = [dict(e.result) for e in events if isinstance(e, ToolResultEvent)]
    allowed = _allowed(results, done.language)
    sources = set(NUMBER.findall(" ".join([*allowed, case["text"], *case["history"]])))
    # Window dates come from the plan and list ranks are ordinals; every other number must be
    # found among the sources.
    # A declined question ("Tickets de Mateo" with no agent Mateo here) ends with fixed examples.
    answer = done.text
    for example in EXAMPLES[done.language]:
        answer = answer.replace(f"\n- {example}", "")
    answer = re.sub(r"\d{4}-\d{2}(?:-\d{2})?(?:T[\d:]+Z)?|\bP90\b|^\d+\. ", "", answer, flags=re.M)
    for token in NUMBER.findall(answer):
        assert token in sources, f"{token!r} in {done.text!r}"
