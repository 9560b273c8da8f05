"""The local agent's own work per question (parse + plan + render), without any tool's SQL.

Prints one JSON line: p50/p95 microseconds per evaluation question for understanding and planning,
and for rendering a typical answer, with the baseline of folding the same text (the cheapest step
every question needs) and the share of the 50 ms p50 chat budget the language part uses.

    python bench/agent_language.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime
from pathlib import Path

from cschat.chat.agents.base import AgentRequest, HistoryTurn
from cschat.chat.agents.local.agent import understand
from cschat.chat.agents.local.filters import Vocabulary
from cschat.chat.agents.local.planner import plan
from cschat.chat.agents.local.render import render
from cschat.chat.agents.local.text import fold

EVALS = Path(__file__).parents[1] / "evals" / "questions.json"
RESULT = {"count": 1234, "rows": [{"key": "Billing", "value": 10, "count": 10}],
          "series": [{"period": "2026-W48", "value": 3, "count": 3}], "results": [],
          "avg_hours": 5.5, "median_hours": 4.0, "p90_hours": 20.0,
          "avg_first_response_minutes": 30.0, "avg_csat": 4.2,
          "ticket": {"id": 42, "subject": "Cobro duplicado"}}  # fmt: skip


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20)
    return statistics.median(samples), cuts[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    doc = json.loads(EVALS.read_text(encoding="utf-8"))
    vocabulary = Vocabulary(
        values=doc["vocabulary"]["values"], aliases=doc["vocabulary"]["aliases"]
    )
    now = datetime.fromisoformat(doc["now"])
    requests = [
        AgentRequest("bench", q["text"], "Supervisor", doc["user_email"], now, doc["tz"],
                     history=tuple(HistoryTurn("user", h) for h in q["history"]))
        for q in doc["questions"]
    ]  # fmt: skip
    understand_us: list[float] = []
    render_us: list[float] = []
    fold_us: list[float] = []
    for _ in range(args.rounds):
        for request in requests:
            start = time.perf_counter()
            fold(request.text)
            fold_us.append((time.perf_counter() - start) * 1e6)
            start = time.perf_counter()
            question = understand(request, vocabulary)
            calls = plan(question, now.date())
            understand_us.append((time.perf_counter() - start) * 1e6)
            if calls:
                start = time.perf_counter()
                render(question, calls, [RESULT] * len(calls), doc["tz"])
                render_us.append((time.perf_counter() - start) * 1e6)
    p50, p95 = _percentiles(understand_us)
    r50, r95 = _percentiles(render_us)
    f50, _ = _percentiles(fold_us)
    print(json.dumps({
        "questions": len(requests), "rounds": args.rounds,
        "understand_plan_p50_us": round(p50, 1), "understand_plan_p95_us": round(p95, 1),
        "render_p50_us": round(r50, 1), "render_p95_us": round(r95, 1),
        "baseline_fold_p50_us": round(f50, 1), "ratio_to_fold": round(p50 / f50, 1),
        "share_of_50ms_budget": round((p50 + r50) / 50_000, 4),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
