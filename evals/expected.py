"""Write each question's expected tool figures into `questions.json` (`make eval-expected`).

Values come from `evals/reference.py` over `evals/dataset.rows()`, for the expected plan, so they
never pass through the tools they check. Re-run after changing the questions or the dataset.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from evals import dataset, reference
from evals.harness import QUESTIONS, load_questions


def expected_for(doc: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    table: list[reference.Row] = [*rows]
    for case in doc["questions"]:
        case["expected"] = [
            reference.expected(table, call["tool"], call["params"], dataset.TZ)
            for call in case["plan"]
        ]


def vocabulary_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The values per dimension and agent names the app reads from the same tickets."""
    values = {
        d: sorted({r[d] for r in rows if r[d] and r[d].strip()})
        for d in ("category", "priority", "channel", "team", "agent")
    }
    names = {
        name: r["agent"]
        for r in rows
        if r["agent"] and (name := (r["attributes"] or {}).get("agent_name"))
    }
    return {"values": values, "aliases": {"agent": dict(sorted(names.items()))}}


def main() -> int:
    doc = load_questions()
    rows = dataset.rows()
    doc["vocabulary"] = vocabulary_of(rows)
    expected_for(doc, rows)
    QUESTIONS.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"expected values written for {len(doc['questions'])} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
