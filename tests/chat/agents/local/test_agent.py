"""The local agent end to end over the in-memory tools: exact answers, trace, citations, errors."""

from __future__ import annotations

from typing import Any

import pytest

from cschat.chat.agents.base import (
    AgentEvent,
    AgentRequest,
    CitationEvent,
    DoneEvent,
    ErrorEvent,
    HistoryTurn,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    TraceEvent,
)
from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.agents.local.filters import Vocabulary
from cschat.tickets.tools import MAX_ROWS
from tests.chat.agents.local.data import DIEGO, LUCIA, NOW, TZ, VOCABULARY, tickets
from tests.chat.agents.local.memory_tools import MemoryTools

SCOPE_WEEK_ES = "Resueltos 2026-11-23..2026-11-27 (Europe/Madrid)"
AS_OF_ES = "datos a 2026-11-27T09:00:00Z"
AS_OF_EN = "data as of 2026-11-27T09:00:00Z"


async def ask(
    text: str,
    *,
    history: tuple[str, ...] = (),
    role: Any = "Supervisor",
    tools: MemoryTools | None = None,
) -> tuple[str, list[AgentEvent], MemoryTools]:
    tools = tools or MemoryTools(tickets(), role=role, email=LUCIA)
    request = AgentRequest(
        session_id="s1",
        text=text,
        role=role,
        user_email=LUCIA,
        now=NOW,
        tz=TZ,
        history=tuple(HistoryTurn("user", h) for h in history),
    )
    events = [event async for event in LocalAgent(VOCABULARY).run(request, tools)]
    last = events[-1]
    text_out = last.text if isinstance(last, DoneEvent) else last.message  # type: ignore[union-attr]
    return text_out, events, tools


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "¿Cuántos tickets se resolvieron esta semana?",
            f"Tickets resueltos: 3\n{SCOPE_WEEK_ES} · sin filtros · {AS_OF_ES}",
        ),
        (
            "How many billing tickets were resolved this week?",
            "Resolved tickets: 2\nResolved 2026-11-23..2026-11-27 (Europe/Madrid) · "
            f"filters: category = Billing · {AS_OF_EN}",
        ),
        (
            "¿Cuántos tickets se crearon esta semana?",
            f"Tickets creados: 5\nCreados 2026-11-23..2026-11-27 (Europe/Madrid) · sin filtros · "
            f"{AS_OF_ES}",
        ),
        (
            "¿Cuántos tickets abiertos hay?",
            "Tickets abiertos: 2\nCreados: todo el historial (Europe/Madrid) · estado: abiertos · "
            f"sin filtros · {AS_OF_ES}",
        ),
        (
            "Tickets resueltos hoy",
            "Tickets resueltos: 1\nResueltos 2026-11-27..2026-11-27 (Europe/Madrid) · "
            f"sin filtros · {AS_OF_ES}",
        ),
        (
            "Estadísticas de resolución de esta semana",
            "Tickets creados: 5\nTickets resueltos: 3\n"
            "Tiempo medio de resolución: 10 h 20 min\nMediana del tiempo de resolución: 4 h\n"
            "P90 del tiempo de resolución: 26 h\nPrimera respuesta media: 17 min\n"
            "CSAT medio: 4,3 / 5\nCreados y resueltos 2026-11-23..2026-11-27 (Europe/Madrid) · "
            f"sin filtros · {AS_OF_ES}",
        ),
        (
            "Tickets resueltos por categoría esta semana",
            "Tickets resueltos por categoría:\n1. Billing: 2\n2. Refunds: 1\n"
            f"{SCOPE_WEEK_ES} · sin filtros · {AS_OF_ES}",
        ),
        (
            "Average resolution time by agent this month",
            "Average resolution time by agent:\n"
            f"1. {LUCIA}: 37 h (2 tickets)\n2. {DIEGO}: 4 h (1 ticket)\n"
            "3. emily.carter@demo.cschat.dev: 1 h (1 ticket)\n"
            f"Resolved 2026-11-01..2026-11-27 (Europe/Madrid) · no filters · {AS_OF_EN}",
        ),
        (
            "Tickets resueltos por semana este mes",
            # The weeks the month cuts say where (the first held only 1 November).
            "Tickets resueltos por semana:\n- 2026-10-26 (desde 2026-11-01): 0\n- 2026-11-02: 0\n"
            "- 2026-11-09: 0\n- 2026-11-16: 1\n- 2026-11-23 (hasta 2026-11-27): 3\n"
            f"Resueltos 2026-11-01..2026-11-27 (Europe/Madrid) · sin filtros · {AS_OF_ES}",
        ),
        (
            "Compara esta semana con la semana pasada",
            "Tickets resueltos: 3 en 2026-11-23..2026-11-27 frente a 1 en 2026-11-16..2026-11-22 "
            "(+200,0 %).\nOjo: los periodos no duran lo mismo (5 días frente a 7).\n"
            "Resueltos 2026-11-23..2026-11-27 y 2026-11-16..2026-11-22 "
            f"(Europe/Madrid) · sin filtros · {AS_OF_ES}",
        ),
        (
            "Compare the average resolution time this week with last week",
            "Average resolution time: 10 h 20 min in 2026-11-23..2026-11-27 vs 48 h in "
            "2026-11-16..2026-11-22 (-78.5%, faster).\nResolved 2026-11-23..2026-11-27 and "
            f"2026-11-16..2026-11-22 (Europe/Madrid) · no filters · {AS_OF_EN}",
        ),
        (
            "¿Cómo se resolvieron los tickets sobre cobro duplicado?",
            "Tickets parecidos a «cobro duplicado»:\n"
            "- #1 Cobro duplicado en la factura (Billing, resuelto, 2026-11-24)\n"
            "  Solución: Se reembolsó el cargo duplicado.\n"
            "- #2 Cobro duplicado tras cambiar de tarjeta (Billing, cerrado, 2026-11-25)\n"
            "  Solución: Se anuló el segundo cobro.\n"
            f"Tickets: todo el historial (Europe/Madrid) · sin filtros · {AS_OF_ES}",
        ),
        (
            "¿Cuántos tickets de facturación y envíos se resolvieron esta semana?",
            "Billing · Tickets resueltos: 2\nShipping · Tickets resueltos: 0\n"
            f"{SCOPE_WEEK_ES} · filtros: categoría = Billing / Shipping · {AS_OF_ES}",
        ),
        (
            "Compara facturación con envíos este mes",
            "Tickets resueltos: 2 en Billing frente a 1 en Shipping (+100,0 %).\n"
            "Resueltos 2026-11-01..2026-11-27 (Europe/Madrid) · "
            f"filtros: categoría = Billing / Shipping · {AS_OF_ES}",
        ),
        (
            "Billing vs shipping tickets this week compared to last week",
            "Billing · Resolved tickets: 2 in 2026-11-23..2026-11-27 vs 0 in 2026-11-16..2026-11-22"
            " (no percent change: the second period is 0).\n"
            "Shipping · Resolved tickets: 0 in 2026-11-23..2026-11-27 vs 1 in "
            "2026-11-16..2026-11-22 (-100.0%).\n"
            "Note: the periods differ in length (5 days vs 7).\n"
            "Resolved 2026-11-23..2026-11-27 and 2026-11-16..2026-11-22 (Europe/Madrid) · "
            f"filters: category = Billing / Shipping · {AS_OF_EN}",
        ),
        (
            "¿Hay tickets parecidos al ticket 1?",
            "Tickets parecidos a «Cobro duplicado en la factura»:\n"
            "- #2 Cobro duplicado tras cambiar de tarjeta (Billing, cerrado, 2026-11-25)\n"
            "  Solución: Se anuló el segundo cobro.\n"
            "- #4 La app se cierra al abrir (Technical, abierto)\n"
            "- #6 Factura con otro NIF (Billing, resuelto, 2026-10-06)\n"
            "  Solución: Se emitió una factura rectificativa.\n"
            f"Tickets: todo el historial (Europe/Madrid) · sin filtros · {AS_OF_ES}",
        ),
        (
            "¿cuántos tickets hubo hace 2 años?",
            "Tickets resueltos: 0\nResueltos 2024-01-01..2024-12-31 (Europe/Madrid) · "
            f"sin filtros · {AS_OF_ES}",
        ),
        (
            "Tickets resueltos hace una semana",
            "Tickets resueltos: 1\nResueltos 2026-11-16..2026-11-22 (Europe/Madrid) · "
            f"sin filtros · {AS_OF_ES}",
        ),
        (
            "Billing tickets resolved a month ago",
            "Resolved tickets: 1\nResolved 2026-10-01..2026-10-31 (Europe/Madrid) · "
            f"filters: category = Billing · {AS_OF_EN}",
        ),
        (
            "Tickets resueltos la semana antepasada",
            "Tickets resueltos: 0\nResueltos 2026-11-09..2026-11-15 (Europe/Madrid) · "
            f"sin filtros · {AS_OF_ES}",
        ),
        (
            "Show ticket 4",
            "Ticket #4 · DEMO-0000004 (demo): La app se cierra al abrir\nStatus: open · "
            "Category: Technical · Priority: Low · Channel: Web · "
            "Agent: emily.carter@demo.cschat.dev · Team: Tier 2 · "
            "Created: 2026-11-26 13:00 (Europe/Madrid)",
        ),
    ],
)
async def test_answers_are_exact(question: str, answer: str) -> None:
    text, events, _ = await ask(question)
    assert text == answer
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == answer


@pytest.mark.parametrize("question", ["ticket DEMO-0000005", "muéstrame el ticket 5"])
async def test_a_ticket_shows_its_external_id_and_local_times(question: str) -> None:
    # Ticket 5 was created at 22:30 and resolved at 23:30 UTC: 23:30 and 00:30 in Madrid.
    text, _, _ = await ask(question)
    lines = text.splitlines()
    assert lines[0] == "Ticket #5 · DEMO-0000005 (demo): Refund not received"
    assert "Creado: 2026-11-26 23:30 (Europe/Madrid)" in lines[1]
    assert "Resuelto: 2026-11-27 00:30 (Europe/Madrid)" in lines[1]
    assert "+00:00" not in text


async def test_a_ticket_resolved_after_local_midnight_counts_for_the_local_day() -> None:
    # Resolved 2026-11-26 23:30 UTC is 2026-11-27 00:30 in Madrid: today, not yesterday.
    today, _, _ = await ask("Tickets resueltos hoy")
    yesterday, _, _ = await ask("Tickets resueltos ayer")
    assert today.startswith("Tickets resueltos: 1\n")
    assert yesterday.startswith("Tickets resueltos: 0\n")


async def test_events_come_in_order_with_trace_and_citation() -> None:
    _, events, tools = await ask("How many urgent tickets were resolved this week?")
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "TraceEvent", "TraceEvent", "ToolCallEvent", "TraceEvent", "ToolResultEvent",
        "CitationEvent", "TextDelta", "TextDelta", "DoneEvent",
    ]  # fmt: skip
    params = {"start_date": "2026-11-23", "end_date": "2026-11-27", "date_field": "resolved",
              "priority": "Urgent"}  # fmt: skip
    assert tools.calls == [("count_tickets", params)]
    call = next(e for e in events if isinstance(e, ToolCallEvent))
    assert (call.name, dict(call.params)) == ("count_tickets", params)
    result = next(e for e in events if isinstance(e, ToolResultEvent))
    assert result.result["count"] == 1
    citation = next(e for e in events if isinstance(e, CitationEvent))
    assert citation.data_as_of == "2026-11-27T09:00:00Z"
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert done.language == "en"
    steps = [s.to_dict() for s in done.trace]
    assert [s["type"] for s in steps] == ["rationale", "tool_call", "observation"]
    assert "intent=count" in steps[0]["rationale"]
    assert steps[1] == {"type": "tool_call", "tool": "count_tickets", "parameters": params}
    assert steps[2]["observation"]["count"] == 1
    assert [e.step for e in events if isinstance(e, TraceEvent)] == list(done.trace)


async def test_search_citation_names_the_tickets() -> None:
    _, events, _ = await ask("Busca tickets parecidos a: cobro duplicado")
    citation = next(e for e in events if isinstance(e, CitationEvent))
    assert citation.ticket_ids == ("1", "2")


async def test_follow_ups_reuse_the_previous_context() -> None:
    history = ("¿Cuántos tickets se resolvieron esta semana?",)
    text, _, tools = await ask("¿y la semana pasada?", history=history)
    assert text.startswith("Tickets resueltos: 1\nResueltos 2026-11-16..2026-11-22")
    text, _, tools = await ask("and for billing?", history=history)
    assert tools.calls[0][1]["category"] == "Billing"
    assert text.startswith("Resolved tickets: 2\n")


async def test_greeting_help_and_not_understood_call_no_tool() -> None:
    for question, start in [
        ("Hola", "¡Hola!"),
        ("help", "I answer with exact figures"),
        ("Escribe un poema", "No he entendido la pregunta. Prueba con frases como:\n- "),
    ]:
        text, events, tools = await ask(question)
        assert text.startswith(start)
        assert tools.calls == []
        assert not any(isinstance(e, ToolCallEvent) for e in events)


async def test_an_impossible_date_is_named() -> None:
    text, _, tools = await ask("Tickets resueltos el 31 de febrero")
    assert text.startswith("La fecha «31 de febrero» no existe.")
    assert tools.calls == []


async def test_a_refusal_from_the_tools_is_explained_not_crashed() -> None:
    text, events, _ = await ask("¿Cuántos tickets resolvió Diego esta semana?", role="Agent")
    assert text == (
        "No tienes permiso para ver esos datos: con el rol de agente solo puedes ver tus "
        "propias cifras por agente y tus propios tickets."
    )
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert done.trace[-1].to_dict()["observation"]["error"] == "Forbidden"


async def test_a_missing_ticket_is_reported() -> None:
    text, _, _ = await ask("Show ticket 99")
    assert text == "I cannot find that: ticket 99 does not exist"


async def test_an_unexpected_tool_failure_ends_in_an_error_event() -> None:
    async def broken(name: str, params: Any) -> dict[str, Any]:
        raise RuntimeError("connection reset")

    request = AgentRequest("s1", "Tickets resueltos hoy", "Supervisor", LUCIA, NOW, TZ)
    events = [e async for e in LocalAgent(VOCABULARY).run(request, broken)]
    last = events[-1]
    assert isinstance(last, ErrorEvent)
    assert last.code == "AgentError"
    assert "connection reset" not in last.message
    assert [s.kind for s in last.trace] == ["rationale", "tool_call"]


async def test_vocabulary_can_come_from_an_async_source() -> None:
    async def source() -> Vocabulary:
        return Vocabulary(values={"category": ["Facturas"]})

    request = AgentRequest("s1", "tickets de facturas hoy", "Supervisor", LUCIA, NOW, TZ)
    tools = MemoryTools(tickets())
    _ = [e async for e in LocalAgent(source).run(request, tools)]
    assert tools.calls[0][1]["category"] == "Facturas"


async def test_a_result_missing_its_fields_ends_in_an_error_not_a_made_up_number() -> None:
    async def incomplete(name: str, params: Any) -> dict[str, Any]:
        return {"window": {}, "filters": {}}

    request = AgentRequest("s1", "Tickets resueltos hoy", "Supervisor", LUCIA, NOW, TZ)
    events = [e async for e in LocalAgent(VOCABULARY).run(request, incomplete)]
    last = events[-1]
    assert isinstance(last, ErrorEvent)
    assert not any(isinstance(e, TextDelta) for e in events)


async def test_similar_to_a_ticket_reads_it_then_searches_its_subject() -> None:
    _, events, tools = await ask("Find 2 tickets similar to ticket #2")
    assert tools.calls == [
        ("get_ticket", {"ticket_id": "2"}),
        ("search_tickets", {"query": "Cobro duplicado tras cambiar de tarjeta", "limit": 3}),
    ]
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert [s.kind for s in done.trace] == [
        "rationale", "tool_call", "observation", "tool_call", "observation",
    ]  # fmt: skip
    assert done.text.splitlines()[1:3] == [
        "- #1 Cobro duplicado en la factura (Billing, resolved, 2026-11-24)",
        "  Solution: Se reembolsó el cargo duplicado.",
    ]
    assert "#2 " not in done.text


@pytest.mark.parametrize("question", ["How was ticket 2 solved?", "¿Cómo se resolvió el ticket 2?"])
async def test_how_one_ticket_was_solved_is_that_ticket(question: str) -> None:
    # It was the tickets similar to ticket 2, without ticket 2's own resolution.
    text, _, tools = await ask(question)
    assert tools.calls == [("get_ticket", {"ticket_id": "2"})], text


@pytest.mark.parametrize("question", ["busca tickets como el 2", "tickets like 2"])
async def test_tickets_like_one_are_those_similar_to_it(question: str) -> None:
    # "Busca tickets como el 2" searched the words "como el 2".
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["get_ticket", "search_tickets"], text
    assert tools.calls[0][1] == {"ticket_id": "2"}


async def test_how_tickets_similar_to_one_were_solved_is_a_search() -> None:
    _, _, tools = await ask("¿Cómo se resolvieron los tickets parecidos al 2?")
    assert [name for name, _ in tools.calls] == ["get_ticket", "search_tickets"]


@pytest.mark.parametrize(
    "question",
    [
        "resolution time by category",
        "tiempo de resolución por categoría esta semana",
        "weekly trend of resolution time",
        "which category has the slowest resolution?",
    ],
)
async def test_resolution_time_by_group_says_nothing_of_a_p90_not_asked(question: str) -> None:
    # No statistic named: the average answers. A note that the P90 is missing was about
    # something the question never asked.
    text, _, _ = await ask(question)
    assert "P90" not in text
    assert text.startswith(("Average resolution time by", "Tiempo medio de resolución por"))


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("P90 and average resolution time by category", "Note: the P90 of resolution time"),
        ("media y p90 del tiempo de resolución por canal", "Aviso: el P90 del tiempo"),
    ],
)
async def test_a_p90_asked_by_group_is_still_explained(question: str, note: str) -> None:
    text, _, _ = await ask(question)
    assert text.startswith(note)


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("categories by resolution time", "Average resolution time by category:"),
        ("canales por CSAT", "CSAT medio por canal:"),
        ("equipos por tiempo de primera respuesta", "Primera respuesta media por equipo:"),
        # Every ticket's average instead.
        ("agents ranked by resolution time", "Average resolution time by agent:"),
    ],
)
async def test_groups_named_before_by_are_a_breakdown(question: str, start: str) -> None:
    # "categories by resolution time" was answered with the overall figures, as if no group
    # had been named.
    text, events, _ = await ask(question)
    assert text.startswith(start), text
    assert [e.name for e in events if isinstance(e, ToolCallEvent)] == ["breakdown_tickets"]


async def test_how_many_new_and_how_many_resolved_are_two_counts() -> None:
    text, _, tools = await ask("¿Cuántos tickets nuevos y cuántos resueltos hubo ayer?")
    assert [(p["date_field"], p.get("status")) for _, p in tools.calls] == [
        ("created", None),
        ("resolved", None),
    ]
    assert "Tickets creados: " in text and "Tickets resueltos: " in text
    assert "Creados y resueltos 2026-11-26..2026-11-26" in text
    # One "how many" over both words keeps its reading: created, and already resolved.
    _, _, tools = await ask("How many tickets were created and resolved this week?")
    assert [(p["date_field"], p.get("status")) for _, p in tools.calls] == [("created", "resolved")]


@pytest.mark.parametrize(
    "question",
    ["How many tickets from me?", "tickets for me this week", "Tickets resolved by me"],
)
async def test_me_after_from_for_or_by_is_the_asker(question: str) -> None:
    # A Supervisor asking about their own tickets: never the whole team's figure.
    text, _, tools = await ask(question)
    assert tools.calls and all(params.get("agent") == LUCIA for _, params in tools.calls), text


def _windows(tools: MemoryTools) -> list[tuple[str, str]]:
    return [(params["start_date"], params["end_date"]) for _, params in tools.calls]


@pytest.mark.parametrize(
    ("question", "history", "windows"),
    [
        # The one period written after "than", "que", "with", "respecto al" is compared against
        # the one running today, not with the period before it.
        ("¿Hay más tickets que la semana pasada?", (),
         [("2026-11-23", "2026-11-27"), ("2026-11-16", "2026-11-22")]),
        ("Did we get more tickets than last week?", (),
         [("2026-11-23", "2026-11-27"), ("2026-11-16", "2026-11-22")]),
        ("¿Resolvimos menos tickets que el mes pasado?", (),
         [("2026-11-01", "2026-11-27"), ("2026-10-01", "2026-10-31")]),
        ("compare with last month", (),
         [("2026-11-01", "2026-11-27"), ("2026-10-01", "2026-10-31")]),
        ("average resolution time vs last quarter", (),
         [("2026-10-01", "2026-11-27"), ("2026-07-01", "2026-09-30")]),
        ("¿Fue mejor el CSAT este mes que el pasado?", (),
         [("2026-11-01", "2026-11-27"), ("2026-10-01", "2026-10-31")]),
        ("¿Tardamos menos que la semana pasada?", (),
         [("2026-11-23", "2026-11-27"), ("2026-11-16", "2026-11-22")]),
        # Named alone, a period is compared with the one before it.
        ("compara la semana pasada", (),
         [("2026-11-16", "2026-11-22"), ("2026-11-09", "2026-11-15")]),
        # In a follow-up, against the previous question's period.
        ("¿y comparado con septiembre?", ("¿Cuántos tickets en octubre?",),
         [("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30")]),
    ],
)  # fmt: skip
async def test_a_period_compared_against(
    question: str, history: tuple[str, ...], windows: list[tuple[str, str]]
) -> None:
    text, _, tools = await ask(question, history=history)
    assert _windows(tools) == windows, text


@pytest.mark.parametrize(
    ("question", "query"),
    [("¿Qué tickets hay sobre reembolsos duplicados?", "reembolsos duplicados"),
     ("which tickets are there about double charges?", "double charges"),
     ("any tickets about login errors?", "login errors")],
)  # fmt: skip
async def test_which_tickets_about_a_topic_is_a_search(question: str, query: str) -> None:
    # Not the count of a category the topic's words fuzzy-match ("reembolsos": Refunds).
    text, _, tools = await ask(question)
    assert (tools.calls[0][0], tools.calls[0][1]["query"]) == ("search_tickets", query), text


@pytest.mark.parametrize(
    "question",
    [
        "¿Cuántos tickets en estado nuevo?",
        "tickets with status new",
        # These were every ticket ever created, or every resolved one.
        "¿cuántos tickets nuevos hay?",
        "new tickets",
        "¿Cuántos tickets están en progreso?",
    ],
)
async def test_a_status_is_read_from_the_status_breakdown(question: str) -> None:
    text, _, tools = await ask(question)
    assert [(name, params["dimension"]) for name, params in tools.calls] == [
        ("breakdown_tickets", "status")
    ], text


@pytest.mark.parametrize(
    ("question", "answer"),
    [("gracias", "¡De nada!"), ("Muchas gracias", "¡De nada!"), ("thanks!", "You're welcome!"),
     ("hola", "¡Hola!"),
     # Goodbyes were greeted with "¡Hola!"; "ok" alone and "are you a bot?" were not understood.
     ("adiós", "¡Hasta luego!"), ("bye!", "Goodbye!"), ("ok", "De acuerdo."),
     ("perfect", "All right."), ("¿eres un bot?", "Respondo con datos exactos")],
)  # fmt: skip
async def test_courtesies_get_their_reply(question: str, answer: str) -> None:
    text, _, tools = await ask(question)
    assert text.startswith(answer) and tools.calls == []


@pytest.mark.parametrize(
    ("question", "metric"),
    [("¿Cómo ha evolucionado el CSAT este año?", "avg_csat"),
     ("¿Ha mejorado el tiempo de resolución?", "avg_resolution_hours"),
     # These two were one figure over the window.
     ("¿Cómo ha cambiado el tiempo de resolución desde septiembre?", "avg_resolution_hours"),
     ("how has CSAT changed this year?", "avg_csat"),
     ("Is resolution time getting better?", "avg_resolution_hours")],
)  # fmt: skip
async def test_how_a_metric_evolves_is_its_series(question: str, metric: str) -> None:
    # Not one average over the whole window.
    text, _, tools = await ask(question)
    assert [(name, params["metric"]) for name, params in tools.calls] == [
        ("ticket_trend", metric)
    ], text


@pytest.mark.parametrize(
    ("question", "dimension"),
    [("¿Por qué categoría hay más tickets?", "category"),
     ("¿por qué canal entran más tickets?", "channel")],
)  # fmt: skip
async def test_por_que_before_a_field_asks_which(question: str, dimension: str) -> None:
    text, _, tools = await ask(question)
    assert [params["dimension"] for _, params in tools.calls] == [dimension], text


async def test_new_tickets_in_a_period_are_the_created_ones() -> None:
    text, _, tools = await ask("¿cuántos tickets nuevos esta semana?")
    assert tools.calls == [
        (
            "count_tickets",
            {"start_date": "2026-11-23", "end_date": "2026-11-27", "date_field": "created"},
        )
    ], text


async def test_listing_values_by_a_metric_reads_resolved_tickets() -> None:
    # "List the agents with the lowest CSAT" read the tickets created in the window.
    text, _, tools = await ask("List the agents with the lowest CSAT this year")
    params = tools.calls[0][1]
    assert (params["metric"], params["date_field"], params.get("status")) == (
        "avg_csat",
        "resolved",
        None,
    ), text


async def test_more_than_last_half_compares_this_half_with_it() -> None:
    # It compared the last half with the one before it.
    text, _, tools = await ask("¿hay más tickets que el semestre pasado?")
    assert _windows(tools) == [("2026-07-01", "2026-11-27"), ("2026-01-01", "2026-06-30")], text


@pytest.mark.parametrize(
    ("question", "interval", "date_field"),
    [("¿Cuántos tickets resolvemos al día?", "day", "resolved"),
     ("how many tickets do we get a week?", "week", "created"),
     ("¿cuántos tickets recibimos al mes?", "month", "created"),
     ("¿cuántos tickets nos llegan al día?", "day", "created")],
)  # fmt: skip
async def test_how_many_a_day_is_the_daily_series(
    question: str, interval: str, date_field: str
) -> None:
    # "¿Cuántos tickets resolvemos al día?" was every resolved ticket of all time.
    text, _, tools = await ask(question)
    assert tools.calls[0][0] == "ticket_trend", text
    assert (tools.calls[0][1]["interval"], tools.calls[0][1]["date_field"]) == (
        interval,
        date_field,
    )


async def test_a_monthly_series_names_months_and_says_where_the_window_cuts_one() -> None:
    # Months were "2026-09-01", and nothing said November was counted only to the 27th.
    text, _, _ = await ask("tickets created by month since September")
    assert text.splitlines()[:4] == [
        "Created tickets by month:",
        "- 2026-09: 0",
        "- 2026-10: 1",
        "- 2026-11 (to 2026-11-27): 6",
    ]


@pytest.mark.parametrize(
    "question",
    ["¿Subió el CSAT en octubre?", "¿Mejoró el CSAT en octubre?",
     "¿Bajó el tiempo de resolución en octubre?", "did CSAT go up in October?",
     "did the resolution time improve in October?"],
)  # fmt: skip
async def test_whether_a_figure_changed_in_a_period_compares_it_with_the_one_before(
    question: str,
) -> None:
    # Each was October's figure alone.
    text, _, tools = await ask(question)
    assert _windows(tools) == [("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30")], text


@pytest.mark.parametrize(
    "question",
    ["¿Ha mejorado el tiempo de resolución respecto al año pasado?",
     "has the resolution time improved compared to last year?"],
)  # fmt: skip
async def test_whether_a_figure_improved_against_a_period_compares_the_two(question: str) -> None:
    # Declined as a comparison of two series: "has improved" alone is the series.
    text, _, tools = await ask(question)
    assert _windows(tools) == [("2026-01-01", "2026-11-27"), ("2025-01-01", "2025-12-31")], text


@pytest.mark.parametrize(
    ("question", "language"),
    [("How are we trending on CSAT?", "en"), ("CSAT trends", "en"), ("tendencias de CSAT", "es")],
)
async def test_trending_is_the_series(question: str, language: str) -> None:
    # "How are we trending on CSAT?" was the all-time average; "CSAT trends" was in Spanish.
    text, events, tools = await ask(question)
    assert tools.calls[0][0] == "ticket_trend", text
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.language == language


async def test_total_tickets_counts_every_ticket() -> None:
    text, _, tools = await ask("total tickets")
    assert tools.calls == [("count_tickets", {"date_field": "created", "status": "any"})], text


@pytest.mark.parametrize(
    ("question", "window"),
    [
        # A weekly or monthly summary is the current week's or month's figures, not one series.
        ("weekly summary", ("2026-11-23", "2026-11-27")),
        ("resumen semanal", ("2026-11-23", "2026-11-27")),
        ("informe mensual de octubre", ("2026-10-01", "2026-10-31")),
        # Asked in conversation ("not understood" before).
        ("give me the numbers for last week", ("2026-11-16", "2026-11-22")),
        ("dame los números de ayer", ("2026-11-26", "2026-11-26")),
        ("how are we doing this week?", ("2026-11-23", "2026-11-27")),
        ("¿qué tal vamos este mes?", ("2026-11-01", "2026-11-27")),
        # These were the period's resolved count, or not understood.
        ("How is the team doing this week?", ("2026-11-23", "2026-11-27")),
        ("How was last week?", ("2026-11-16", "2026-11-22")),
        ("what happened yesterday?", ("2026-11-26", "2026-11-26")),
        ("how did it go yesterday?", ("2026-11-26", "2026-11-26")),
        ("¿Qué pasó ayer?", ("2026-11-26", "2026-11-26")),
        ("¿Cómo ha ido la semana?", ("2026-11-23", "2026-11-27")),
        ("¿Qué tal la semana?", ("2026-11-23", "2026-11-27")),
        ("¿cómo va el mes?", ("2026-11-01", "2026-11-27")),
        ("¿Qué tal el mes de octubre?", ("2026-10-01", "2026-10-31")),
        ("¿Cómo va el equipo esta semana?", ("2026-11-23", "2026-11-27")),
        ("Summarize this week for Equipo Sur", ("2026-11-23", "2026-11-27")),
        ("resúmeme el mes pasado", ("2026-10-01", "2026-10-31")),
    ],
)
async def test_a_summary_of_a_period_is_its_statistics(
    question: str, window: tuple[str, str]
) -> None:
    # A summary also says how many tickets came in (it gave the resolved tickets' figures only).
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["resolution_stats", "count_tickets"], text
    assert _windows(tools) == [window, window]
    assert tools.calls[1][1]["date_field"] == "created"


@pytest.mark.parametrize(
    ("question", "filters"),
    [
        ("How is Diego doing this month?", {"agent": DIEGO}),
        ("¿Cómo le va a Diego este mes?", {"agent": DIEGO}),
        ("¿Qué tal billing este mes?", {"category": "Billing"}),
        # These were not understood.
        ("¿Qué tal lo está haciendo el equipo Norte este mes?", {"team": "Equipo Norte"}),
        ("¿Cómo le está yendo a Diego este mes?", {"agent": DIEGO}),
        ("how well is Diego performing this month?", {"agent": DIEGO}),
    ],
)
async def test_how_a_value_is_doing_is_its_summary(question: str, filters: dict[str, str]) -> None:
    # "How is Diego doing this month?" was his resolved count alone.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["resolution_stats", "count_tickets"], text
    for _, params in tools.calls:
        assert {k: params[k] for k in filters} == filters
        assert (params["start_date"], params["end_date"]) == ("2026-11-01", "2026-11-27")


@pytest.mark.parametrize("question", ["how are you?", "what's up?", "¿cómo estás?", "¿qué tal?"])
async def test_how_are_you_is_a_greeting(question: str) -> None:
    text, _, tools = await ask(question)
    assert tools.calls == [] and text.startswith(("Hi!", "¡Hola!")), text


@pytest.mark.parametrize("question", ["¿Cómo va?", "how is it going?"])
async def test_how_is_it_going_alone_is_no_summary_of_all_time(question: str) -> None:
    text, _, tools = await ask(question)
    assert tools.calls == [], text


async def test_a_summary_by_week_is_still_a_series() -> None:
    _, _, tools = await ask("resumen por semana")
    assert [name for name, _ in tools.calls] == ["ticket_trend"]


async def test_two_years_after_tickets_are_periods_not_ticket_numbers() -> None:
    text, _, tools = await ask("tickets 2024 y 2025")
    assert _windows(tools) == [("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")], text


@pytest.mark.parametrize(
    ("question", "query"),
    [("¿Hay algún ticket sobre cobros duplicados?", "cobros duplicados"),
     ("are there any tickets about refunds?", "refunds"),
     # Without "algún"/"any" it counted every ticket there is.
     ("¿hay tickets sobre la app que se cierra?", "app que se cierra"),
     ("are there tickets about password reset?", "password reset"),
     # Opening with "tickets sobre/about" (was every resolved ticket's count).
     ("tickets sobre la app que se cierra", "app que se cierra"),
     ("tickets about refunds from last week", "refunds")],
)  # fmt: skip
async def test_whether_there_are_tickets_about_a_topic_is_a_search(
    question: str, query: str
) -> None:
    # "¿Hay algún ticket sobre cobros duplicados?" was the count of Billing tickets.
    text, _, tools = await ask(question)
    assert (tools.calls[0][0], tools.calls[0][1]["query"]) == ("search_tickets", query), text


@pytest.mark.parametrize(
    ("question", "query"),
    [("¿Qué hicimos con los clientes que no recibieron el pedido?",
      "clientes que no recibieron el pedido"),
     ("¿Cómo resolvemos normalmente los problemas de contraseña?", "problemas de contraseña"),
     ("¿Hay algo sobre cargos duplicados en tarjeta?", "cargos duplicados en tarjeta"),
     ("how do we usually handle password resets?", "password resets"),
     ("what did we do about late deliveries last month?", "late deliveries")],
)  # fmt: skip
async def test_how_we_handle_a_topic_is_a_search(question: str, query: str) -> None:
    # These were every ticket's count, a category's count, or not understood.
    text, _, tools = await ask(question)
    assert (tools.calls[0][0], tools.calls[0][1]["query"]) == ("search_tickets", query), text


async def test_a_search_in_the_plural_finds_the_singular_in_one_call() -> None:
    # The search matched whole words: "cobros duplicados" found no "Cobro duplicado", and the
    # agent asked again in the singular.
    text, _, tools = await ask("busca tickets sobre cobros duplicados")
    assert [params["query"] for _, params in tools.calls] == ["cobros duplicados"]
    assert text.startswith("Tickets parecidos a «cobros duplicados»:\n- #1 Cobro duplicado"), text


@pytest.mark.parametrize(
    ("question", "status"),
    [("¿Cuántos tickets tengo abiertos?", "open"), ("lo que tengo abierto", "open"),
     ("how many tickets do I have open?", "open"),
     ("¿Cuántos tickets llevo resueltos esta semana?", None),
     ("compárame con el mes pasado", None), ("how am I doing this month?", None),
     ("¿Cómo voy este mes?", None),
     # These were everyone's figures.
     ("¿En qué categoría tardo más?", None), ("¿cuánto tardo en responder?", None),
     ("¿Cuántos tickets resuelvo por semana?", None)],
)  # fmt: skip
async def test_first_person_questions_are_about_the_asker(
    question: str, status: str | None
) -> None:
    # Each was the whole team's figure ("do I have open" even every resolved ticket).
    text, _, tools = await ask(question)
    assert tools.calls, text
    assert all(params.get("agent") == LUCIA for _, params in tools.calls), text
    assert all(params.get("status") == status for _, params in tools.calls), text


@pytest.mark.parametrize(
    "question", ["I'm looking for tickets about refunds", "¿Qué tickets tengo que revisar hoy?"]
)
async def test_im_and_tengo_que_are_not_the_asker(question: str) -> None:
    text, _, tools = await ask(question)
    assert all("agent" not in params for _, params in tools.calls), text


@pytest.mark.parametrize(
    ("question", "tool", "values"),
    [("¿Qué canal tiene más tickets, chat o email?", "count_tickets", ["Chat", "Email"]),
     ("¿Qué canal tiene mejor CSAT, chat o email?", "resolution_stats", ["Chat", "Email"])],
)  # fmt: skip
async def test_which_of_two_values_is_a_comparison_of_them(
    question: str, tool: str, values: list[str]
) -> None:
    # Was a ranking of each value alone, twice; "mejor" is the comparison's order, not a statistic.
    text, _, tools = await ask(question)
    assert [(name, params["channel"]) for name, params in tools.calls] == [
        (tool, value) for value in values
    ], text
    assert "en Chat frente a" in text and not text.startswith("Aviso")


async def test_bottom_n_is_the_lowest_n() -> None:
    # Was every agent, highest first.
    _, _, tools = await ask("bottom 3 agents by CSAT")
    assert tools.calls == [("breakdown_tickets", {"dimension": "agent", "metric": "avg_csat",
                            "date_field": "resolved", "limit": 4, "order": "asc"})]  # fmt: skip


async def test_which_week_had_the_fewest_is_the_series() -> None:
    # "¿Qué semana resolvimos menos tickets?" was the count of every resolved ticket.
    _, _, tools = await ask("¿Qué semana resolvimos menos tickets?")
    assert [(name, params["interval"]) for name, params in tools.calls] == [
        ("ticket_trend", "week")
    ]


@pytest.mark.parametrize(
    "question",
    ["Are we resolving tickets faster this month?", "¿Resolvemos más rápido este mes?"],
)
async def test_faster_this_month_compares_resolution_time_with_last_month(question: str) -> None:
    # Was the count of tickets resolved this month, or this month's time with a note.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["resolution_stats"] * 2, text
    assert _windows(tools) == [("2026-11-01", "2026-11-27"), ("2026-10-01", "2026-10-31")]


async def test_the_fastest_single_resolution_is_no_comparison() -> None:
    text, _, tools = await ask("¿Cuál fue la resolución más rápida esta semana?")
    assert len(tools.calls) == 1 and text.startswith("Aviso"), text


@pytest.mark.parametrize(
    "question",
    ["tickets urgentes y altos", "urgent and high tickets", "tickets urgentes o de alta",
     # Were the urgent ones only, or urgent this month against last month.
     "¿Cuántos tickets urgentes y cuántos de alta?", "urgentes vs alta este mes",
     "urgent vs high priority tickets this month"],
)  # fmt: skip
async def test_a_level_right_after_a_priority_is_a_priority(question: str) -> None:
    # "Tickets urgentes y altos" counted the urgent ones only.
    text, _, tools = await ask(question)
    assert [params["priority"] for _, params in tools.calls] == ["Urgent", "High"], text


async def test_a_level_after_another_word_is_no_priority() -> None:
    _, _, tools = await ask("tickets urgentes y tiempos altos")
    assert [params.get("priority") for _, params in tools.calls] == ["Urgent"]


@pytest.mark.parametrize(
    ("question", "tool"),
    [("tickets x canal", "breakdown_tickets"), ("tickets x dia esta semana", "ticket_trend")],
)
async def test_x_is_por(question: str, tool: str) -> None:
    # "Tickets x canal" was the count of every ticket.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == [tool], text


@pytest.mark.parametrize("question", ["¿me ayudas?", "what is this?", "¿quién eres?"])
async def test_who_are_you_gets_the_help(question: str) -> None:
    text, events, _ = await ask(question)
    steps = [s.to_dict() for s in events[-1].trace]  # type: ignore[union-attr]
    assert steps[0]["rationale"].startswith("intent=help;"), text


@pytest.mark.parametrize(
    ("question", "window"),
    [("created vs resolved this week", ("2026-11-23", "2026-11-27")),
     ("¿Entraron más tickets de los que cerramos esta semana?", ("2026-11-23", "2026-11-27")),
     ("did we close more tickets than we received this month?", ("2026-11-01", "2026-11-27"))],
)  # fmt: skip
async def test_created_against_resolved_is_the_two_counts_of_the_window(
    question: str, window: tuple[str, str]
) -> None:
    # Was a comparison of this week's "created and already resolved" with last week's, or the
    # created count alone.
    text, _, tools = await ask(question)
    assert [params["date_field"] for _, params in tools.calls] == ["created", "resolved"], text
    assert _windows(tools) == [window, window]
    assert all("status" not in params for _, params in tools.calls)


@pytest.mark.parametrize(
    "question", ["¿De dónde vienen los tickets?", "where do tickets come from?"]
)
async def test_where_tickets_come_from_is_the_channel_breakdown(question: str) -> None:
    # Was the count of every ticket.
    text, _, tools = await ask(question)
    assert [params["dimension"] for _, params in tools.calls] == ["channel"], text


@pytest.mark.parametrize(
    ("question", "query"),
    [("tickets que mencionan 'cobro duplicado'", "cobro duplicado"),
     ("tickets que hablan de cobro duplicado", "cobro duplicado"),
     ("tickets mentioning refund", "refund")],
)  # fmt: skip
async def test_tickets_that_mention_words_are_a_search(question: str, query: str) -> None:
    # "Tickets que mencionan 'factura duplicada'" was the count of Billing tickets.
    _, _, tools = await ask(question)
    assert tools.calls[0] == ("search_tickets", {"query": query})


@pytest.mark.parametrize(
    ("question", "line"),
    [
        # Was a notice that "más rápido" is no statistic, then each agent alone.
        ("¿Lucía resuelve más rápido que Diego?",
         "Tiempo medio de resolución: 32 h 40 min de lucia.fernandez@demo.cschat.dev frente a "
         "4 h de diego.navarro@demo.cschat.dev (+716,7 %, más lento)."),
        # Was answered in Spanish (the accent of "Lucía").
        ("Is Lucía faster than Diego?",
         "Average resolution time: 32 h 40 min for lucia.fernandez@demo.cschat.dev vs 4 h for "
         "diego.navarro@demo.cschat.dev (+716.7%, slower)."),
    ],
)  # fmt: skip
async def test_faster_than_compares_two_agents(question: str, line: str) -> None:
    text, _, tools = await ask(question)
    assert [params["agent"] for _, params in tools.calls] == [LUCIA, DIEGO]
    assert text.splitlines()[0] == line


@pytest.mark.parametrize(
    ("question", "interval", "metric"),
    [("¿Cuál fue la peor semana del año en CSAT?", "week", "avg_csat"),
     ("best month for CSAT this year", "month", "avg_csat")],
)  # fmt: skip
async def test_the_best_or_worst_unit_is_the_series_to_find_it_in(
    question: str, interval: str, metric: str
) -> None:
    # Each was the all-time average CSAT with a note that "peor"/"best" is no statistic.
    _, _, tools = await ask(question)
    assert tools.calls == [
        ("ticket_trend", {"interval": interval, "metric": metric, "start_date": "2026-01-01",
                          "end_date": "2026-11-27", "date_field": "resolved"}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("question", "history", "note"),
    [
        ("as a trend", "tickets by channel last month", "Note: the trend is not split by channel"),
        ("¿y por semana?", "tiempo medio por agente", "Aviso: la tendencia no se divide por"),
    ],
)
async def test_a_trend_after_a_breakdown_says_it_is_everyones(
    question: str, history: str, note: str
) -> None:
    # The series has no grouping: it silently became every ticket's.
    text, events, _ = await ask(question, history=(history,))
    assert text.startswith(note), text
    assert [e.name for e in events if isinstance(e, ToolCallEvent)] == ["ticket_trend"]


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("¿Cómo va el mes comparado con el anterior?",
         "Ojo: los periodos no duran lo mismo (27 días frente a 31)."),
        ("compare october with september", None),  # 31 days against 30 are alike
        ("compara el mes pasado con septiembre", None),
        ("compare February with January", "Note: the periods differ in length (28 days vs 31)."),
        ("tiempo medio de resolución este mes vs el mes pasado", None),  # an average is not a sum
    ],
)  # fmt: skip
async def test_counts_of_periods_of_unequal_length_say_so(question: str, note: str | None) -> None:
    # 27 days of November against all of October read as an 18 % drop, with nothing to say why.
    text, _, tools = await ask(question)
    assert len(tools.calls) == 2
    notes = [line for line in text.splitlines() if line.startswith(("Ojo:", "Note:"))]
    assert notes == ([note] if note else [])


async def test_two_metrics_by_group_are_two_rankings() -> None:
    # The first metric alone answered; the response time asked for was left out.
    text, _, tools = await ask("tiempo medio de resolución y de respuesta por canal")
    assert [params["metric"] for _, params in tools.calls] == [
        "avg_resolution_hours",
        "avg_first_response_minutes",
    ]
    assert "Tiempo medio de resolución por canal:\n1. Phone: 48 h (1 ticket)" in text
    assert "Primera respuesta media por canal:\n1. Phone: 1 h 30 min (1 ticket)" in text


async def test_resolution_time_in_general_beside_another_metric_is_its_average() -> None:
    # "and resolution time" asked for the median too, and a note on the P90 nobody asked for.
    text, _, tools = await ask("weekly CSAT and resolution time this month")
    assert [params["metric"] for _, params in tools.calls] == ["avg_resolution_hours", "avg_csat"]
    assert "P90" not in text


@pytest.mark.parametrize(
    "question", ["¿Cuál es el tiempo medio de respuesta?", "¿cuál es la respuesta media?"]
)
async def test_the_average_response_time_is_the_first_response(question: str) -> None:
    # "Tiempo medio de respuesta" was the resolution time ("tiempo de respuesta" was not).
    text, _, _ = await ask(question)
    assert text.startswith("Primera respuesta media: 40 min")


@pytest.mark.parametrize(
    ("question", "role", "shown"),
    [
        # Was this month against last month, the team never asked.
        ("my average resolution time vs the team", "Agent",
         f"Average resolution time: 32 h 40 min for {LUCIA} vs 20 h 36 min for the whole team"),
        ("¿estoy por encima de la media del equipo en CSAT?", "Agent",
         f"CSAT medio: 3,3 / 5 de {LUCIA} frente a 3,6 / 5 de todo el equipo (-7,4 %, peor)."),
        ("CSAT de Lucía vs el equipo", "Supervisor",
         f"CSAT medio: 3,3 / 5 de {LUCIA} frente a 3,6 / 5 de todo el equipo (-7,4 %, peor)."),
    ],
)  # fmt: skip
async def test_one_agent_against_the_team_is_that_agent_against_everyone(
    question: str, role: str, shown: str
) -> None:
    text, _, tools = await ask(question, role=role)
    assert [params.get("agent") for _, params in tools.calls] == [LUCIA, None]
    assert text.startswith(shown), text
    assert " / " in text.splitlines()[-1]  # the footer names both sides


@pytest.mark.parametrize(
    ("question", "filtered"),
    [
        ("¿Qué tal el CSAT de billing comparado con el resto?", {"category": "Billing"}),
        ("resolution time for urgent tickets vs the average", {"priority": "Urgent"}),
    ],
)
async def test_one_value_against_the_rest_is_that_value_against_all_tickets(
    question: str, filtered: dict[str, str]
) -> None:
    # It compared this month with last month.
    text, _, tools = await ask(question)
    assert [params for _, params in tools.calls] == [
        {"date_field": "resolved", **filtered},
        {"date_field": "resolved"},
    ]
    assert ("todos los tickets" if question.startswith("¿") else "all tickets") in text


async def test_tickets_still_to_resolve_are_the_open_ones() -> None:
    # "Por resolver" was read as resolved.
    _, _, tools = await ask("¿Cuántos tickets hay por resolver del equipo Norte?")
    assert tools.calls[0][1]["status"] == "open"


async def test_created_vs_resolved_by_week_is_both_series() -> None:
    # The grouping was dropped: two totals for the month.
    text, _, tools = await ask("tickets created vs resolved by week this month")
    assert [(name, p["interval"], p["date_field"]) for name, p in tools.calls] == [
        ("ticket_trend", "week", "created"),
        ("ticket_trend", "week", "resolved"),
    ]
    assert "Created tickets by week:" in text and "Resolved tickets by week:" in text


@pytest.mark.parametrize(
    ("question", "field"),
    [
        # "Volume" was read as resolved tickets: what came in is the volume.
        ("¿cuál es el volumen de tickets de esta semana?", "created"),
        ("ticket volume by day this week", "created"),
        ("incoming tickets this month", "created"),
        ("volumen de tickets resueltos esta semana", "resolved"),
        # These were resolved tickets.
        ("How many tickets came through Social Media last week?", "created"),
        ("¿cuántos tickets nos llegan esta semana?", "created"),
        # "We opened" is what came in: these were resolved tickets.
        ("¿Cuántos tickets abrimos ayer?", "created"),
        ("¿Cuántos tickets creamos la semana pasada?", "created"),
        ("how many tickets did we open yesterday?", "created"),
        ("¿Por qué canal nos contactan más?", "created"),
        # No time of assignment is kept: what came in (these were resolved tickets).
        ("¿Cuántos tickets me asignaron esta semana?", "created"),
        ("how many tickets are assigned to Diego?", "created"),
        ("tickets asignados a Diego resueltos este mes", "resolved"),
    ],
)
async def test_ticket_volume_is_what_came_in(question: str, field: str) -> None:
    _, _, tools = await ask(question)
    assert tools.calls[0][1]["date_field"] == field


async def test_my_week_is_this_week_of_my_tickets() -> None:
    # "Resumen de mi semana" was every ticket of all time.
    _, _, tools = await ask("resumen de mi semana", role="Agent")
    assert {(p["start_date"], p["end_date"], p["agent"]) for _, p in tools.calls} == {
        ("2026-11-23", "2026-11-27", LUCIA)
    }


@pytest.mark.parametrize("question", ["tickets valorados esta semana", "how many rated tickets?"])
async def test_rated_tickets_are_the_csat_figure_and_its_basis(question: str) -> None:
    # "Tickets valorados" was every resolved ticket's count.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["resolution_stats"]
    assert text.startswith(("CSAT medio:", "Average CSAT:")), text


@pytest.mark.parametrize(
    "question",
    ["Are customers happier this month than last month?",
     "¿Están los clientes más contentos este mes que el pasado?"],
)  # fmt: skip
async def test_happier_customers_compare_csat(question: str) -> None:
    # The resolved counts of the two months were compared.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["resolution_stats", "resolution_stats"]
    assert text.startswith(("CSAT medio:", "Average CSAT:")), text


@pytest.mark.parametrize(
    "question",
    ["What did customers complain about most last month?",
     "¿De qué se quejaron los clientes el mes pasado?"],
)  # fmt: skip
async def test_what_customers_complained_about_is_the_categories_they_raised(
    question: str,
) -> None:
    # Not understood, or the month's count.
    _, _, tools = await ask(question)
    assert [(name, p["dimension"], p["date_field"]) for name, p in tools.calls] == [
        ("breakdown_tickets", "category", "created")
    ]


@pytest.mark.parametrize(
    "question",
    ["¿Cuántos tickets hay abiertos y cuántos cerrados?", "open vs closed tickets"],
)
async def test_open_and_closed_are_two_counts(question: str) -> None:
    # The closed ones were dropped, or the open ones compared with last month's.
    text, _, tools = await ask(question)
    assert [(p["date_field"], p.get("status")) for _, p in tools.calls] == [
        ("created", "open"),
        ("resolved", None),
    ]
    assert "status:" not in text and "estado:" not in text  # each count names its own


async def test_how_many_came_in_and_a_figure_of_them_gives_both() -> None:
    # Only the figure, over the created tickets already resolved: "Tickets counted: 1".
    text, _, tools = await ask(
        "how many tickets were created this week and what is the average first response time?"
    )
    assert [name for name, _ in tools.calls] == ["count_tickets", "resolution_stats"]
    assert text.startswith("Created tickets: ")


@pytest.mark.parametrize(
    "question",
    [
        "¿Qué equipo tiene más tickets urgentes este mes?",
        "¿Qué equipo resolvió más tickets urgentes?",
    ],
)
async def test_which_team_is_a_ranking_of_teams_not_a_value_against_the_team(question: str) -> None:
    # "que equipo" was read as "than the team": urgent tickets against every ticket.
    _, _, tools = await ask(question)
    assert [(name, p["dimension"], p["priority"]) for name, p in tools.calls] == [
        ("breakdown_tickets", "team", "Urgent")
    ]
    # "Than the team" still sets me against everyone.
    _, _, mine = await ask("¿Resuelvo más rápido que el equipo?", role="Agent")
    assert [params.get("agent") for _, params in mine.calls] == [LUCIA, None]


@pytest.mark.parametrize(
    ("question", "dimension"),
    [("¿Qué agente resolvió más tickets que Diego?", "agent"),
     ("which agents closed more tickets than Diego this month?", "agent"),
     ("¿Qué canal tiene más tickets que el chat?", "channel")],
)  # fmt: skip
async def test_which_value_beats_another_is_the_whole_ranking(
    question: str, dimension: str
) -> None:
    # Diego's row alone ("1. diego: 266", as if he led), or Diego this month against last.
    _, _, tools = await ask(question)
    assert [
        (name, p["dimension"], p.get("agent"), p.get("channel")) for name, p in tools.calls
    ] == [("breakdown_tickets", dimension, None, None)]
    assert tools.calls[0][1]["limit"] == MAX_ROWS  # every value: the one measured against too


@pytest.mark.parametrize(
    ("question", "dimension", "filters"),
    [("¿Quiénes son los agentes del equipo Sur?", "agent", {"team": "Equipo Sur"}),
     ("¿En qué equipo está Diego?", "team", {"agent": DIEGO}),
     ("which team is Diego in?", "team", {"agent": DIEGO}),
     ("¿Qué canales usa el equipo Sur?", "channel", {"team": "Equipo Sur"}),
     ("what categories does Diego handle?", "category", {"agent": DIEGO})],
)  # fmt: skip
async def test_who_is_in_a_team_and_which_team_one_is_in_list_the_values(
    question: str, dimension: str, filters: dict[str, str]
) -> None:
    # Not understood, or Diego's resolved count.
    _, _, tools = await ask(question)
    ((name, params),) = tools.calls
    assert (name, params["dimension"], params["limit"]) == (
        "breakdown_tickets",
        dimension,
        MAX_ROWS,
    )
    assert {k: params[k] for k in filters} == filters


@pytest.mark.parametrize("question", ["¿cómo voy comparado con mi equipo?", "my CSAT vs my team"])
async def test_my_team_is_everyone_i_am_compared_with(question: str) -> None:
    # "Mi equipo" was no team: this month against last month.
    _, _, tools = await ask(question, role="Agent")
    assert [params.get("agent") for _, params in tools.calls] == [LUCIA, None]


@pytest.mark.parametrize(
    "question",
    ["¿Cuántos tickets resolvió el equipo Norte frente al Sur este mes?", "Norte vs Sur este mes"],
)
async def test_two_team_names_set_against_each_other_compare_the_teams(question: str) -> None:
    # Norte this month against last month, or every ticket: "Sur" was no team.
    _, _, tools = await ask(question)
    assert [params.get("team") for _, params in tools.calls] == ["Equipo Norte", "Equipo Sur"]
