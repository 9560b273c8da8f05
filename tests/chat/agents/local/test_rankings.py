"""Rankings and groupings: one value asked for, ties at the last place, lists cut short."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local.intents import Question
from cschat.chat.agents.local.planner import ToolCall
from cschat.chat.agents.local.render import render
from tests.chat.agents.local.test_agent import ask

CREATED_WEEK = {"start_date": "2026-11-23", "end_date": "2026-11-27", "date_field": "created"}


async def test_a_tie_for_the_one_asked_for_names_every_tied_value() -> None:
    # Was Chat alone: Email had as many tickets, and the answer hid it.
    text, _, tools = await ask("¿Qué canal recibió más tickets esta semana?")
    by_channel = {"dimension": "channel", "metric": "count", **CREATED_WEEK}
    assert tools.calls == [
        ("breakdown_tickets", {**by_channel, "limit": 2}),
        ("breakdown_tickets", {**by_channel, "limit": 500}),
    ]
    assert text.splitlines()[:4] == [
        "Tickets creados por canal:",
        "1. Chat: 2",
        "1. Email: 2",
        "Se muestran también los empatados con el último pedido.",
    ]


async def test_no_tie_asks_once_and_shows_what_was_asked() -> None:
    text, _, tools = await ask("top 2 channels by created tickets this week")
    assert [params["limit"] for _, params in tools.calls] == [3]
    assert text.splitlines()[:3] == ["Created tickets by channel:", "1. Chat: 2", "1. Email: 2"]
    assert "Web" not in text and "tied" not in text


@pytest.mark.parametrize(
    "question",
    [
        "top agent",
        "best agent this month",
        "el agente con más tickets",
        "agent with the most tickets",
        "la categoría más común",
        "most common priority",
        "mejor agente por CSAT",
        "slowest channel last month",
        "fastest agent to first response",
        "lowest CSAT category this month",
        "least common channel",
        "who is the worst agent by CSAT?",  # was declined: no agent called "by"
        "the agent from this team with the most tickets",
        "most used channel this year",  # was every channel
        "the most popular channel",
    ],
)
async def test_a_superlative_of_one_value_asks_for_one(question: str) -> None:
    # Each was the whole list of ten.
    _, _, tools = await ask(question)
    assert tools.calls[0][0] == "breakdown_tickets"
    assert tools.calls[0][1]["limit"] == 2


@pytest.mark.parametrize(
    "question", ["top categories", "tickets por agente más resueltos", "tickets by agent"]
)
async def test_a_plural_or_a_grouping_is_the_whole_list(question: str) -> None:
    _, _, tools = await ask(question)
    assert "limit" not in tools.calls[0][1]


def test_a_list_cut_by_the_tool_says_how_many_there_are() -> None:
    q = Question("en", "breakdown", dimension="agent")
    call = ToolCall("breakdown_tickets", {"dimension": "agent", "metric": "count"})
    rows = [{"key": f"a{i}", "value": 20 - i, "count": 20 - i} for i in range(10)]
    text = render(q, [call], [{"rows": rows, "total_groups": 37}], "UTC")
    assert text.splitlines()[11] == (
        "These are the first 10 of 37; ask for “top 37” to see them all."
    )
    whole = render(q, [call], [{"rows": rows, "total_groups": 10}], "UTC")
    assert "first" not in whole


@pytest.mark.parametrize(
    "question",
    ["tickets closed by the team this week", "tickets cerrados por el equipo esta semana",
     "tickets resolved by our team this week"],
)  # fmt: skip
async def test_by_the_team_is_everyone_not_a_grouping(question: str) -> None:
    # Each was the breakdown by team.
    _, _, tools = await ask(question)
    assert tools.calls == [
        ("count_tickets", {"start_date": "2026-11-23", "end_date": "2026-11-27",
                           "date_field": "resolved"}),
    ]  # fmt: skip


async def test_by_a_named_team_is_that_team() -> None:
    _, _, tools = await ask("tickets cerrados por el equipo Norte esta semana")
    assert tools.calls[0][0] == "count_tickets"
    assert tools.calls[0][1]["team"] == "Equipo Norte"


@pytest.mark.parametrize(
    "question",
    ["¿Cuántos tickets cerró cada agente ayer?", "tickets closed by every agent yesterday"],
)
async def test_each_agent_is_the_breakdown_by_agent(question: str) -> None:
    # "cerró cada agente" read "cada" as an unknown agent's name; "every agent" was every ticket.
    _, _, tools = await ask(question)
    assert tools.calls == [
        ("breakdown_tickets", {"dimension": "agent", "metric": "count", "start_date": "2026-11-26",
                               "end_date": "2026-11-26", "date_field": "resolved"}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "question", ["tickets cerrados vs resueltos", "closed vs resolved tickets"]
)
async def test_closed_against_resolved_is_the_status_breakdown(question: str) -> None:
    # Was this month's resolved tickets against last month's.
    _, _, tools = await ask(question)
    assert [(name, params["dimension"]) for name, params in tools.calls] == [
        ("breakdown_tickets", "status")
    ]


async def test_resolved_and_closed_are_every_finished_ticket() -> None:
    _, _, tools = await ask("tickets resolved and closed this week")
    assert [name for name, _ in tools.calls] == ["count_tickets"]


@pytest.mark.parametrize(
    ("question", "history", "dimension", "filters"),
    [
        ("agentes del equipo Norte", (), "agent", {"team": "Equipo Norte"}),
        ("categories for Diego", (), "category", {"agent": "diego.navarro@demo.cschat.dev"}),
        ("categorías", (), "category", {}),
        ("¿y canales?", ("tickets de billing",), "channel", {"category": "Billing"}),
    ],
)
async def test_groups_named_first_are_their_breakdown(
    question: str, history: tuple[str, ...], dimension: str, filters: dict[str, str]
) -> None:
    # "Agentes del equipo Norte" was the team's count; "categorías" alone was not understood.
    _, _, tools = await ask(question, history=history)
    name, params = tools.calls[0]
    assert (name, params["dimension"]) == ("breakdown_tickets", dimension)
    assert {k: params[k] for k in filters} == filters


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("ordénalo de menor a mayor", "top 2 categorías por tickets creados"),
        ("sort ascending", "top 2 categories by created tickets"),
    ],
)
async def test_a_top_n_sorted_the_other_way_is_the_same_rows(question: str, history: str) -> None:
    # It was the bottom two, other categories than those asked about.
    _, _, before = await ask(history)
    text, _, tools = await ask(question, history=(history,))
    assert tools.calls == before.calls  # the same ranking, asked the same way
    assert text.splitlines()[1:6] == [
        "2. Technical: 1",
        "2. Shipping: 1",
        "2. Refunds: 1",
        "2. Account Access: 1",
        "1. Billing: 3",
    ]
    again, _, _ = await ask("de mayor a menor", history=(history, question))
    assert again.splitlines()[1] == "1. Billing: 3"


@pytest.mark.parametrize(
    ("question", "dimension", "lead"),
    [
        # Each was declined ("I do not count agents") or not understood.
        ("¿Cuántos agentes resolvieron tickets esta semana?", "agent", "Agentes con tickets: 3"),
        ("how many categories are there?", "category", "Categories with tickets: 5"),
        ("¿Qué canales tenemos?", "channel", None),
        ("what teams are there?", "team", None),
    ],
)
async def test_the_values_there_are_are_the_whole_breakdown(
    question: str, dimension: str, lead: str | None
) -> None:
    text, _, tools = await ask(question)
    name, params = tools.calls[0]
    assert (name, params["dimension"], params["limit"]) == ("breakdown_tickets", dimension, 500)
    first = text.splitlines()[0]
    assert first == lead if lead else first.endswith(":")


@pytest.mark.parametrize(
    ("question", "limit", "order"),
    [
        ("peores 2 categorías por tiempo de resolución", 2, None),
        ("best 2 agents by CSAT", 2, None),
        ("worst 2 channels by CSAT", 2, "asc"),
    ],
)
async def test_a_number_after_best_or_worst_is_the_length(
    question: str, limit: int, order: str | None
) -> None:
    # "Peores 3 categorías" listed every category.
    text, _, tools = await ask(question)
    params = tools.calls[0][1]
    assert (params["limit"], params.get("order")) == (limit + 1, order), text


@pytest.mark.parametrize(
    ("question", "dimension", "order"),
    [
        # Each was every resolved ticket's count (or their count by priority).
        ("Which priority takes longest to resolve?", "priority", None),
        ("which category takes the longest?", "category", None),
        ("which channel takes the shortest time?", "channel", "asc"),
    ],
)
async def test_what_takes_longest_ranks_by_resolution_time(
    question: str, dimension: str, order: str | None
) -> None:
    text, _, tools = await ask(question)
    params = tools.calls[0][1]
    assert (params["dimension"], params["metric"], params["limit"], params.get("order")) == (
        dimension,
        "avg_resolution_hours",
        2,
        order,
    ), text


async def test_the_worst_performing_channel_is_one() -> None:
    # It listed every channel.
    text, _, tools = await ask("Show me the worst performing channel by CSAT last month")
    params = tools.calls[0][1]
    assert (params["metric"], params["limit"], params["order"]) == ("avg_csat", 2, "asc"), text


@pytest.mark.parametrize(
    "question",
    [
        "¿qué agente tiene el CSAT más bajo este mes?",
        "¿Qué canal tiene el tiempo de resolución más corto?",
    ],
)
async def test_mas_bajo_and_mas_corto_rank_lowest_first(question: str) -> None:
    # They ranked highest first: the agent with the best CSAT was named as the lowest.
    _, _, tools = await ask(question)
    assert tools.calls[0][1]["order"] == "asc"


async def test_the_least_rated_agent_is_by_csat() -> None:
    # "Valorado" in the singular was no CSAT word: the agent with the fewest tickets.
    _, _, tools = await ask("el agente menos valorado")
    assert (tools.calls[0][1]["metric"], tools.calls[0][1]["order"]) == ("avg_csat", "asc")
