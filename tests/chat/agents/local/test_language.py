"""The answer's language is the question's."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Cuántos tickets se resolvieron esta semana?", "es"),
        ("Tickets resueltos por categoría", "es"),
        ("y en marzo", "es"),
        ("Hola", "es"),
        ("Muéstrame el ticket 42", "es"),
        ("tiempo medio de resolución", "es"),
        ("How many tickets were resolved this week?", "en"),
        ("and for billing?", "en"),
        ("Show ticket 42", "en"),
        ("Hello!", "en"),
        ("Weekly trend of resolved tickets", "en"),
        ("What about last month?", "en"),
        ("backlog growth", "en"),  # was answered in Spanish
        ("login issues", "en"),  # was answered in Spanish
        ("avg csat pls", "en"),  # was answered in Spanish
        ("best agent", "en"),
        ("most common priority", "en"),
        ("mejor agente", "es"),
        # Each was answered in Spanish.
        ("new tickets", "en"),
        ("unassigned tickets", "en"),
        ("Tickets reopened this month", "en"),
        ("urgent tickets", "en"),
        ("billing", "en"),
        ("tickets nuevos", "es"),
        ("tickets pendientes", "es"),
    ],
)
def test_detect(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("default", ["es", "en"])
def test_no_evidence_keeps_the_default(default: str) -> None:
    assert detect_language("Q1 2024?", default) == default  # type: ignore[arg-type]
