"""Filters match the data's own values: accents, case, plurals, typos, synonyms, names."""

from __future__ import annotations

from datetime import date

import pytest

from cschat.chat.agents.local.filters import Vocabulary, find_filters
from cschat.chat.agents.local.intents import parse
from cschat.chat.agents.local.text import fold
from tests.chat.agents.local.data import DIEGO, EMILY, LUCIA, VOCABULARY


def matched(text: str, vocabulary: Vocabulary = VOCABULARY) -> dict[str, str]:
    return {f.dimension: f.value for f in find_filters(fold(text), vocabulary)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tickets de BILLING", {"category": "Billing"}),
        ("refund tickets", {"category": "Refunds"}),
        ("cancellations", {"category": "Cancellation"}),
        ("product questions", {"category": "Product Question"}),
        ("account access problems", {"category": "Account Access"}),
        ("tickets de facturación", {"category": "Billing"}),
        ("cobros", {"category": "Billing"}),
        ("envíos retrasados", {"category": "Shipping"}),
        ("devoluciones", {"category": "Refunds"}),
        ("Techincal issues", {"category": "Technical"}),
        ("facturacoin", {"category": "Billing"}),
        ("tickets urgentes", {"priority": "Urgent"}),
        ("tickets por formulario", {"channel": "Web"}),  # was every ticket
        ("de prioridad alta", {"priority": "High"}),
        ("low priority", {"priority": "Low"}),
        ("tiempo medio", {}),
        ("social media", {"channel": "Social"}),
        ("por teléfono", {"channel": "Phone"}),
        ("por correo electrónico", {"channel": "Email"}),
        ("del equipo norte", {"team": "Equipo Norte"}),
        ("Tier 2", {"team": "Tier 2"}),
        ("de Lucía Fernández", {"agent": LUCIA}),
        ("de lucia", {"agent": LUCIA}),
        ("Diego Navarro", {"agent": DIEGO}),
        ("emily.carter", {"agent": EMILY}),
        (EMILY, {"agent": EMILY}),
        ("billing urgentes por chat del equipo sur",
         {"category": "Billing", "priority": "Urgent", "channel": "Chat", "team": "Equipo Sur"}),
        ("resolved tickets created this week", {}),
    ],
)  # fmt: skip
def test_matches(text: str, expected: dict[str, str]) -> None:
    assert matched(text) == expected


def test_a_synonym_only_applies_when_its_target_is_in_the_data() -> None:
    without_billing = Vocabulary(values={"category": ["Shipping"]})
    assert matched("tickets de facturación", without_billing) == {}


def test_critica_is_critical_where_the_data_has_it_else_urgent() -> None:
    # "prioridad crítica" was Urgent even where the data has Critical (the reference export).
    both = Vocabulary(values={"priority": ["Urgent", "Critical", "High"]})
    assert matched("tickets de prioridad crítica", both) == {"priority": "Critical"}
    assert matched("tickets críticos", both) == {"priority": "Critical"}
    assert matched("tickets urgentes", both) == {"priority": "Urgent"}
    assert matched("tickets críticos") == {"priority": "Urgent"}


def test_the_synonym_map_is_configurable() -> None:
    vocabulary = Vocabulary(
        values={"category": ["Pagos"]}, synonyms={"category": {"Pagos": ("cobros", "billing")}}
    )
    assert matched("tickets de cobros", vocabulary) == {"category": "Pagos"}
    assert matched("billing", vocabulary) == {"category": "Pagos"}
    assert matched("facturación", vocabulary) == {}


def test_a_shared_first_name_is_not_enough() -> None:
    vocabulary = Vocabulary(
        values={"agent": ["ana.gil@x.com", "ana.ruiz@x.com"]},
        aliases={"agent": {"Ana Gil": "ana.gil@x.com", "Ana Ruiz": "ana.ruiz@x.com"}},
    )
    assert matched("tickets de Ana", vocabulary) == {}
    assert matched("tickets de Ana Ruiz", vocabulary) == {"agent": "ana.ruiz@x.com"}


def test_the_stored_spelling_is_what_the_filter_carries() -> None:
    vocabulary = Vocabulary(values={"category": ["Facturación"]})
    assert matched("tickets de FACTURACION", vocabulary) == {"category": "Facturación"}


def test_a_question_word_close_to_a_value_is_no_filter() -> None:
    # "evoluciona" is one letter from "devolución" (Refunds): never a silent filter.
    assert find_filters(fold("¿cómo evoluciona el tiempo de primera respuesta?"), VOCABULARY) == []


def test_a_typo_is_read_the_same_when_asked_again_and_only_for_its_vocabulary() -> None:
    # The typo lookups are kept per vocabulary: a second vocabulary without the value finds none.
    without_billing = Vocabulary(
        values={"category": ["Shipping"]}, aliases={}, synonyms={"category": {}}
    )
    for _ in range(2):
        assert matched("facturacoin") == {"category": "Billing"}
        assert matched("facturacoin", without_billing) == {}


EXPORT = Vocabulary(
    values={
        "category": ["Billing", "Payment Issue", "Refunds", "Refund Request", "Technical",
                     "Technical Issue"],
        "channel": ["Self-Service", "Chat"],
        "team": ["Team_Alpha", "Equipo Norte", "Tier 2"],
    },
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tickets del equipo Alpha", {"team": "Team_Alpha"}),
        ("Alpha team tickets", {"team": "Team_Alpha"}),
        ("team Norte", {"team": "Equipo Norte"}),
        ("región norte", {}),  # a team's name alone is no team
        ("tickets de self service", {"channel": "Self-Service"}),
        ("tickets de autoservicio", {"channel": "Self-Service"}),  # was an unknown value
        ("problemas de pago", {"category": "Payment Issue"}),
        ("pagos", {"category": "Billing"}),
        ("solicitud de reembolso", {"category": "Refund Request"}),
        ("problema técnico", {"category": "Technical Issue"}),
    ],
)
def test_the_exports_names_for_teams_channels_and_categories(
    text: str, expected: dict[str, str]
) -> None:
    assert matched(text, EXPORT) == expected


def test_a_synonym_of_a_category_the_data_lacks_falls_back_to_a_shorter_phrase() -> None:
    # The demo data has Billing but no Payment Issue.
    assert matched("problemas de pago") == {"category": "Billing"}


def test_a_last_name_alone_is_the_agent_who_has_it() -> None:
    # "Tickets de Navarro" was declined as an unknown agent.
    assert matched("tickets de Navarro") == {"agent": DIEGO}
    assert matched("Carter's tickets") == {"agent": EMILY}


def test_agents_stored_by_number_are_agent_n() -> None:
    numbered = Vocabulary(values={"agent": ["Agent_003", "Agent_012"]})
    assert matched("tickets del agente 3", numbered) == {"agent": "Agent_003"}
    assert matched("Agent 12 this week", numbered) == {"agent": "Agent_012"}
    assert matched("agent 4", numbered) == {}


@pytest.mark.parametrize(
    ("text", "teams"),
    [
        # They ranked every team and answered with another one ("Enterprise").
        ("¿Qué equipo tiene mejor CSAT, Norte o Sur?", ["Equipo Norte", "Equipo Sur"]),
        ("which team resolved more, Norte or Sur?", ["Equipo Norte", "Equipo Sur"]),
        # Without the team word a bare name is no team.
        ("tickets de la región norte", []),
    ],
)
def test_team_names_without_the_team_word_where_the_question_names_teams(
    text: str, teams: list[str]
) -> None:
    q = parse(text, today=date(2026, 11, 27), vocabulary=VOCABULARY)
    assert [v for d, v in q.filters if d == "team"] == teams
