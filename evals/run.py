"""`make eval`: how many evaluation questions get exactly their expected tool plan, per capability.

Expected values computed from data are added to `questions.json` once the analytics tools exist;
until then a question is right when its language, intent and tool plan are exactly as expected.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from cschat.chat.agents.base import AgentRequest, HistoryTurn
from cschat.chat.agents.local.agent import understand
from cschat.chat.agents.local.filters import Vocabulary
from cschat.chat.agents.local.planner import plan

NO_TOOLS = {"greeting", "help", "unknown"}


def main() -> int:
    doc = json.loads((Path(__file__).parent / "questions.json").read_text(encoding="utf-8"))
    vocabulary = Vocabulary(
        values=doc["vocabulary"]["values"], aliases=doc["vocabulary"]["aliases"]
    )
    now = datetime.fromisoformat(doc["now"])
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for case in doc["questions"]:
        history = tuple(HistoryTurn("user", h) for h in case["history"])
        request = AgentRequest("eval", case["text"], doc["role"], doc["user_email"], now,
                               doc["tz"], history=history)  # fmt: skip
        question = understand(request, vocabulary)
        ok = question.language == case["lang"]
        ok = ok and [c.to_dict() for c in plan(question, now.date())] == case["plan"]
        if case["capability"] in NO_TOOLS:
            ok = ok and question.intent == case["capability"]
        total[case["capability"]] += 1
        right[case["capability"]] += ok
        if not ok:
            print(f"MISS {case['id']}: {case['text']}")
    for capability in sorted(total):
        share = right[capability] / total[capability]
        print(f"{capability:12} {right[capability]:4}/{total[capability]:<4} {share:7.1%}")
    overall = sum(right.values()) / sum(total.values())
    print(f"{'overall':12} {sum(right.values()):4}/{sum(total.values()):<4} {overall:7.1%}")
    return 0 if overall >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
