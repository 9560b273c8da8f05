"""Every question of the evaluation set gets exactly its expected tool plan at the fixed now."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cschat.chat.agents.base import AgentRequest, HistoryTurn
from cschat.chat.agents.local.agent import understand
from cschat.chat.agents.local.filters import Vocabulary
from cschat.chat.agents.local.planner import plan

EVAL_FILE = Path(__file__).parents[4] / "evals" / "questions.json"
DOC: dict[str, Any] = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
VOCABULARY = Vocabulary(values=DOC["vocabulary"]["values"], aliases=DOC["vocabulary"]["aliases"])
NOW = datetime.fromisoformat(DOC["now"])
NO_TOOLS = {"greeting", "help", "unknown"}


def test_the_set_is_large_and_covers_every_capability() -> None:
    questions = DOC["questions"]
    assert len(questions) >= 150
    assert sum(q["lang"] == "es" for q in questions) >= 60
    per = Counter(q["capability"] for q in questions)
    expected = {"periods", "date_field", "filters", "breakdown", "stats", "trend", "compare",
                "search", "ticket", "followup", "greeting", "help", "unknown"}  # fmt: skip
    assert set(per) == expected
    assert len({q["id"] for q in questions}) == len(questions)


@pytest.mark.parametrize("case", DOC["questions"], ids=lambda q: q["id"])
def test_plan(case: dict[str, Any]) -> None:
    request = AgentRequest(
        session_id="eval",
        text=case["text"],
        role=DOC["role"],
        user_email=DOC["user_email"],
        now=NOW,
        tz=DOC["tz"],
        history=tuple(HistoryTurn("user", h) for h in case["history"]),
    )
    question = understand(request, VOCABULARY)
    assert question.language == case["lang"]
    if case["capability"] in NO_TOOLS:
        assert question.intent == case["capability"]
    assert [c.to_dict() for c in plan(question, NOW.date())] == case["plan"]
