"""Run every evaluation question through the local agent on a real database and grade it.

A question is right when the agent answers in the question's language, calls exactly the expected
tools with the expected parameters, every figure those tools return equals the expected value
computed independently (`evals/reference.py`), and count answers print that count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cschat.auth.principal import Principal
from cschat.chat.agents.base import AgentRequest, DoneEvent, ErrorEvent, HistoryTurn
from cschat.chat.agents.local import numbers
from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.tools import SessionToolRunner
from cschat.chat.vocabulary import VocabularyCache, merged_synonyms

QUESTIONS = Path(__file__).parent / "questions.json"
NO_TOOLS = ("greeting", "help", "unknown")


@dataclass
class Graded:
    case: Mapping[str, Any]
    ok: bool
    why: str = ""


def load_questions(path: Path = QUESTIONS) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def close(got: Any, want: Any) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(float(got) - float(want)) <= 1e-6 * max(1.0, abs(float(want)))


def _same_rows(got: Sequence[Mapping[str, Any]], want: Sequence[Sequence[Any]], key: str) -> bool:
    return len(got) == len(want) and all(
        g[key] == w[0] and close(g["value"], w[1]) and g["count"] == w[2] and g["measured"] == w[3]
        for g, w in zip(got, want, strict=True)
    )


def figures_match(tool: str, got: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    """Whether one tool result carries exactly the expected figures."""
    if "error" in got:
        return bool(want.get("not_found")) and got["error"] == "NotFound"
    if tool == "count_tickets":
        return bool(got["count"] == want["count"])
    if tool == "breakdown_tickets":
        return got["total_count"] == want["total_count"] and _same_rows(
            got["rows"], want["rows"], "key"
        )
    if tool == "ticket_trend":
        return _same_rows(got["series"], want["series"], "period")
    if tool == "resolution_stats":
        return all(close(got[k], v) for k, v in want.items())
    if tool == "search_tickets":
        eligible = set(want["eligible"])
        ids = [t["id"] for t in got["results"]]
        return len(ids) == want["returned"] and set(ids) <= eligible
    ticket = got["ticket"]
    return bool(ticket["id"] == want["id"] and ticket["external_id"] == want["external_id"])


async def grade(
    case: Mapping[str, Any],
    doc: Mapping[str, Any],
    agent: LocalAgent,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Graded:
    """Ask one question and grade the answer against the expected plan and values."""
    now, tz = datetime.fromisoformat(doc["now"]), doc["tz"]
    principal = Principal(email=doc["user_email"], role=doc["role"], user_id="eval")
    history = tuple(HistoryTurn("user", h) for h in case["history"])
    request = AgentRequest("eval", case["text"], doc["role"], doc["user_email"], now, tz,
                           history=history)  # fmt: skip
    async with sessionmaker() as session:
        tools = SessionToolRunner(session, principal, ZoneInfo(tz), now)
        events = [event async for event in agent.run(request, tools)]
    last = events[-1]
    if isinstance(last, ErrorEvent) or not isinstance(last, DoneEvent):
        return Graded(case, False, "agent error")
    if last.language != case["lang"]:
        return Graded(case, False, f"language {last.language}")
    steps = [s.to_dict() for s in last.trace]
    if case["capability"] in NO_TOOLS:
        intent = f"intent={case['capability']};"
        ok = not any(s["type"] == "tool_call" for s in steps) and intent in steps[0]["rationale"]
        return Graded(case, ok, "" if ok else "not recognised")
    calls = [
        {"tool": s["tool"], "params": s["parameters"]} for s in steps if s["type"] == "tool_call"
    ]
    results = [s["observation"] for s in steps if s["type"] == "observation"]
    plan = case["plan"]
    if calls[: len(plan)] != plan:
        return Graded(case, False, f"plan {calls}")
    for call, got, want in zip(plan, results, case["expected"], strict=False):
        if not figures_match(call["tool"], got, want):
            return Graded(case, False, f"{call['tool']} figures {_brief(got)} != {_brief(want)}")
    if len(plan) == 1 and plan[0]["tool"] == "count_tickets":
        shown = numbers.number(case["expected"][0]["count"], case["lang"])
        if shown not in last.text:
            return Graded(case, False, f"count {shown} not in the answer")
    return Graded(case, True)


def _brief(value: Mapping[str, Any]) -> str:
    return json.dumps({k: v for k, v in value.items() if k != "eligible"}, default=str)[:300]


async def evaluate(
    sessionmaker: async_sessionmaker[AsyncSession], doc: Mapping[str, Any]
) -> list[Graded]:
    """Grade every question of `doc` against the tickets behind `sessionmaker`."""
    vocabulary = VocabularyCache(sessionmaker, merged_synonyms(None))
    agent = LocalAgent(vocabulary)
    return [await grade(case, doc, agent, sessionmaker) for case in doc["questions"]]


def accuracy(graded: Sequence[Graded]) -> dict[str, tuple[int, int]]:
    """`{capability: (right, total)}` plus `overall`."""
    out: dict[str, tuple[int, int]] = {}
    for g in graded:
        right, total = out.get(g.case["capability"], (0, 0))
        out[g.case["capability"]] = (right + g.ok, total + 1)
    out["overall"] = (sum(g.ok for g in graded), len(graded))
    return out
