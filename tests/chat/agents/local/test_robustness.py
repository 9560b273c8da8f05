"""Odd questions get a clear answer in their language, never an exception or a bad tool call."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI

from cschat.auth.principal import Principal
from cschat.chat.agents.base import AgentRequest, DoneEvent, ToolCallEvent
from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.tools import SessionToolRunner
from cschat.chat.vocabulary import VocabularyCache, merged_synonyms
from tests.chat.agents.local.test_agent import ask
from tests.tickets.data import DEMO_NOW

BOSS = "boss@example.com"


@pytest.mark.parametrize(
    "question",
    [
        "tickets entre el 2024-02-30 y el 2024-03-05",
        "tickets since 2024-02-31",
        "tickets de los últimos 100000000 días",
        "tickets in the last 99999999999999999999 days",
        "tickets de los últimos 999999 meses",
        "tickets de las últimas 100000000 semanas",
    ],
)
async def test_a_date_off_the_calendar_is_named_not_crashed(question: str) -> None:
    text, events, tools = await ask(question)
    assert isinstance(events[-1], DoneEvent)
    assert text.startswith(("La fecha «", "The date “"))
    assert tools.calls == []


@pytest.mark.parametrize(
    ("history", "question"),
    [
        (("tickets del 0001-01-01",), "¿y el día anterior?"),
        (("tickets en enero de 1900", "tickets del 0001-01-01"), "¿y el año anterior?"),
        ((), "compara el 0001-01-01 con el periodo anterior"),
    ],
)
async def test_the_period_before_year_one_does_not_exist(
    history: tuple[str, ...], question: str
) -> None:
    text, _, tools = await ask(question, history=history)
    assert text.startswith("La fecha «0000-12-31» no existe.")
    assert tools.calls == []
    # The turn stays in the session's history without breaking the next question.
    text, _, _ = await ask("Tickets resueltos hoy", history=(*history, question))
    assert text.startswith("Tickets resueltos: 1\n")


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("tickets resueltos del 15 al 1 de marzo", "2026-03-01", "2026-03-15"),
        ("tickets del 20 al 10 de este mes", "2026-11-10", "2026-11-20"),
        ("tickets from March 15 to March 1", "2026-03-01", "2026-03-15"),
        ("March 15-1 tickets", "2026-03-01", "2026-03-15"),
        ("tickets entre el viernes y el lunes", "2026-11-23", "2026-11-27"),
        ("tickets entre noviembre y octubre", "2026-10-01", "2026-11-27"),
    ],
)
async def test_a_reversed_range_means_the_same_days(question: str, start: str, end: str) -> None:
    text, _, tools = await ask(question)
    assert [(c[1]["start_date"], c[1]["end_date"]) for c in tools.calls] == [(start, end)]
    assert f"{start}..{end} (Europe/Madrid)" in text


@pytest.mark.parametrize(
    "question",
    ["busca tickets sobre ***", 'busca tickets sobre "', "search tickets about 😀", "busca: ( )"],
)
async def test_a_search_for_no_words_is_not_understood(question: str) -> None:
    text, _, tools = await ask(question)
    assert text.startswith(("No he entendido la pregunta.", "I did not understand the question."))
    assert tools.calls == []


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("tickets de los últimos 1.000 días", "2024-03-03"),
        ("tickets in the last 1,000 days", "2024-03-03"),
    ],
)
async def test_thousands_separators_in_a_number_of_days(question: str, start: str) -> None:
    _, _, tools = await ask(question)
    assert tools.calls[0][1]["start_date"] == start


@pytest.mark.parametrize(
    "question",
    ["top 0 agents", "tickets since 2024-02-31", "tickets 5000 years ago", "top 600 categories"],
)
async def test_short_english_questions_are_answered_in_english(question: str) -> None:
    _, events, _ = await ask(question)
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.language == "en"


async def _ask_real(app: FastAPI, question: str) -> tuple[DoneEvent, list[ToolCallEvent]]:
    """The agent over the real tools and demo tickets, as the chat API runs it."""
    tz = "Europe/Madrid"
    sessionmaker = app.state.db.read_sessionmaker
    agent = LocalAgent(VocabularyCache(sessionmaker, merged_synonyms(None)))
    request = AgentRequest("s1", question, "Supervisor", BOSS, DEMO_NOW, tz)
    async with sessionmaker() as session:
        principal = Principal(email=BOSS, role="Supervisor", user_id="u1")
        tools = SessionToolRunner(session, principal, ZoneInfo(tz), DEMO_NOW)
        events = [event async for event in agent.run(request, tools)]
    done = events[-1]
    assert isinstance(done, DoneEvent), done
    return done, [e for e in events if isinstance(e, ToolCallEvent)]


@pytest.mark.parametrize(
    ("question", "tool", "limit"),
    [
        ("top 10000000 agentes", "breakdown_tickets", 500),
        ("top 1,000 agents", "breakdown_tickets", 500),
        ("busca 100000 tickets sobre facturas", "search_tickets", 50),
        ("Find 1000 tickets similar to ticket 1", "search_tickets", 50),
    ],
)
async def test_a_huge_limit_asks_the_tools_for_their_most(
    chat_app: FastAPI, question: str, tool: str, limit: int
) -> None:
    done, calls = await _ask_real(chat_app, question)
    assert (calls[-1].name, calls[-1].params["limit"]) == (tool, limit)
    assert not done.text.startswith(("No pude obtener", "I could not get"))


async def test_a_long_search_query_is_cut_to_what_the_tool_takes(chat_app: FastAPI) -> None:
    done, calls = await _ask_real(chat_app, "busca tickets sobre " + "cobro " * 100)
    query = calls[0].params["query"]
    assert len(query) <= 500 and query.endswith("cobro")
    assert not done.text.startswith("No pude obtener")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "tendencia diaria de los últimos 5000 días",
            "Una tendencia por día de un periodo tan largo tendría demasiados puntos.",
        ),
        (
            "tendencia diaria desde el 2022-02-14",
            "Una tendencia por día de un periodo tan largo tendría demasiados puntos.",
        ),
        (
            "weekly trend since 1990-01-01",
            "A trend by week over so long a period would have too many points.",
        ),
        (
            "tendencia entre el 1900-01-01 y el 2024-11-10",
            "Una tendencia por mes de un periodo tan largo tendría demasiados puntos.",
        ),
    ],
)
async def test_a_trend_with_too_many_periods_asks_for_fewer(
    chat_app: FastAPI, question: str, answer: str
) -> None:
    done, calls = await _ask_real(chat_app, question)
    assert done.text.startswith(answer)
    assert calls == []


async def test_a_trend_of_the_most_periods_is_answered(chat_app: FastAPI) -> None:
    # 2022-02-15..2024-11-10 is exactly 1,000 days, the tool's most; a day more is refused above.
    done, calls = await _ask_real(chat_app, "tendencia diaria desde el 2022-02-15")
    assert calls[0].name == "ticket_trend"
    assert done.text.startswith("Tickets resueltos por día:")


@pytest.mark.parametrize(
    "message",
    [
        "DROP TABLE tickets; --",
        "drop table tickets",
        "SELECT * FROM tickets",
        "select count(*) from tickets where status = 'resolved'",
        "'; DELETE FROM tickets; --",
        "tickets' OR '1'='1",
        "<script>alert('tickets')</script>",
        "{{tickets}}",
        "tickets $$$ %%% &&&",
        "#$%&",
        "42",
        "3.14",
    ],
)
async def test_code_symbols_and_lone_numbers_are_not_questions(message: str) -> None:
    text, _, tools = await ask(message)
    assert tools.calls == []
    assert text.startswith(("No he entendido la pregunta.", "I did not understand the question."))
