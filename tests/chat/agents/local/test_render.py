"""Answers from given tool results: exact text, locale numbers, window, time zone and filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from cschat.chat.agents.local.intents import Question
from cschat.chat.agents.local.periods import Period
from cschat.chat.agents.local.planner import ToolCall, plan
from cschat.chat.agents.local.render import render

TODAY = date(2026, 11, 27)
WEEK = Period(date(2026, 11, 23), date(2026, 11, 27), "week")
TZ = "Europe/Madrid"


def answer(question: Question, *results: dict[str, Any]) -> str:
    calls = plan(question, TODAY)
    assert len(calls) == len(results)
    return render(question, calls, list(results), TZ)


def test_count_in_spanish_groups_thousands_with_dots() -> None:
    q = Question("es", "count", periods=(WEEK,), filters=(("category", "Billing"),))
    assert answer(q, {"count": 12345}) == (
        "Tickets resueltos: 12.345\n"
        "Resueltos 2026-11-23..2026-11-27 (Europe/Madrid) · filtros: categoría = Billing"
    )


def test_count_in_english_groups_thousands_with_commas() -> None:
    q = Question("en", "count", periods=(WEEK,), date_field="created",
                 filters=(("channel", "Email"), ("priority", "High")))  # fmt: skip
    assert answer(q, {"count": 12345, "data_as_of": "2026-11-27T09:00:00Z"}) == (
        "Created tickets: 12,345\n"
        "Created 2026-11-23..2026-11-27 (Europe/Madrid) · "
        "filters: priority = High, channel = Email · data as of 2026-11-27T09:00:00Z"
    )


def test_the_window_the_tool_reports_wins() -> None:
    q = Question("en", "count", periods=(WEEK,))
    reported = {"count": 1, "window": {"start_date": "2026-11-23", "end_date": "2026-11-26"}}
    assert answer(q, reported).splitlines()[1].startswith("Resolved 2026-11-23..2026-11-26 ")


def test_open_tickets_name_the_status() -> None:
    q = Question("en", "count", status="open")
    assert answer(q, {"count": 7}) == (
        "Open tickets: 7\nCreated: all time (Europe/Madrid) · status: open · no filters"
    )


def test_stats_in_spanish_with_decimal_commas() -> None:
    stats = ("avg_hours", "p90_hours", "avg_first_response_minutes", "avg_csat")
    q = Question("es", "stats", periods=(WEEK,), stats=stats)  # type: ignore[arg-type]
    result = {"count": 1500, "avg_hours": 1234.25, "median_hours": 3.0, "p90_hours": 0.75,
              "avg_first_response_minutes": 42.4, "avg_csat": 4.25}  # fmt: skip
    assert answer(q, result) == (
        "Tiempo medio de resolución: 1.234 h 15 min\n"
        "P90 del tiempo de resolución: 45 min\n"
        "Primera respuesta media: 42 min\n"
        "CSAT medio: 4,2 / 5\n"
        "Tickets considerados: 1.500\n"
        "Resueltos 2026-11-23..2026-11-27 (Europe/Madrid) · sin filtros"
    )


def test_stats_without_data_say_so() -> None:
    q = Question("en", "stats", stats=("median_hours",))
    assert answer(q, {"count": 0, "median_hours": None}) == (
        "Median resolution time: no data\nTickets counted: 0\n"
        "Resolved: all time (Europe/Madrid) · no filters"
    )


def test_breakdown_with_a_metric_shows_counts() -> None:
    q = Question("es", "breakdown", periods=(WEEK,), dimension="channel", stats=("avg_csat",))
    rows = [
        {"key": "Chat", "value": 4.56, "count": 1200},
        {"key": "Email", "value": 3.0, "count": 3},
    ]
    assert answer(q, {"rows": rows}) == (
        "CSAT medio por canal:\n1. Chat: 4,6 / 5 (1.200 tickets)\n2. Email: 3,0 / 5 (3 tickets)\n"
        "Resueltos 2026-11-23..2026-11-27 (Europe/Madrid) · sin filtros"
    )


def test_empty_breakdown() -> None:
    q = Question("en", "breakdown", dimension="team")
    assert answer(q, {"rows": []}) == (
        "Resolved tickets by team:\nNo tickets match the question.\n"
        "Resolved: all time (Europe/Madrid) · no filters"
    )


def test_trend_lists_the_periods_the_tool_returns() -> None:
    q = Question("en", "trend", periods=(WEEK,), interval="day", date_field="created")
    series = [{"period": "2026-11-23", "value": 1500, "count": 1500},
              {"period": "2026-11-24", "value": 2, "count": 2}]  # fmt: skip
    assert answer(q, {"series": series}) == (
        "Created tickets by day:\n- 2026-11-23: 1,500\n- 2026-11-24: 2\n"
        "Created 2026-11-23..2026-11-27 (Europe/Madrid) · no filters"
    )


def test_compare_from_zero_gives_no_percent() -> None:
    q = Question("en", "compare", periods=(WEEK,))
    assert answer(q, {"count": 4}, {"count": 0}) == (
        "Resolved tickets: 4 in 2026-11-23..2026-11-27 vs 0 in 2026-11-16..2026-11-22 "
        "(no percent change: the second period is 0).\n"
        "Note: the periods differ in length (5 days vs 7).\n"
        "Resolved 2026-11-23..2026-11-27 and 2026-11-16..2026-11-22 (Europe/Madrid) · no filters"
    )


def test_compare_statistics_in_spanish() -> None:
    q = Question("es", "compare", periods=(WEEK,), stats=("median_hours",))
    assert answer(q, {"count": 9, "median_hours": 5.5}, {"count": 8, "median_hours": 4.0}) == (
        "Mediana del tiempo de resolución: 5 h 30 min en 2026-11-23..2026-11-27 frente a 4 h en "
        "2026-11-16..2026-11-22 (+37,5 %, más lento).\n"
        "Resueltos 2026-11-23..2026-11-27 y 2026-11-16..2026-11-22 (Europe/Madrid) · sin filtros"
    )


def test_search_without_hits() -> None:
    q = Question("es", "search", query="pantalla azul")
    assert answer(q, {"results": []}) == (
        "No encontré tickets parecidos a «pantalla azul».\n"
        "Tickets: todo el historial (Europe/Madrid) · sin filtros"
    )


def test_one_ticket_in_spanish() -> None:
    q = Question("es", "ticket", ticket_id=8)
    ticket = {"id": 8, "subject": "Factura duplicada", "status": "closed", "category": "Billing",
              "resolution": "Se anuló la factura."}  # fmt: skip
    calls = plan(q, TODAY)
    assert calls == [ToolCall("get_ticket", {"ticket_id": "8"})]
    assert render(q, calls, [{"ticket": ticket, "data_as_of": None}], TZ) == (
        "Ticket #8: Factura duplicada\nEstado: cerrado · Categoría: Billing\n"
        "Solución: Se anuló la factura."
    )


def test_tickets_without_a_subject_never_show_none() -> None:
    # Imported tickets (the reference CSV) have no subject: the tools give it as null.
    ticket = {"id": 20005, "external_id": "TKT-000003", "subject": None, "status": "resolved",
              "category": "Cancellation Request", "resolution": None}  # fmt: skip
    q = Question("en", "ticket", ticket_id=20005)
    shown = render(q, plan(q, TODAY), [{"ticket": ticket, "data_as_of": None}], TZ)
    assert shown.splitlines()[:2] == [
        "Ticket #20005 · TKT-000003",
        "Status: resolved · Category: Cancellation Request",
    ]
    q = Question("es", "search", query="cancelación")
    found = render(q, plan(q, TODAY), [{"results": [{**ticket, "score": 1.0}]}], TZ)
    assert "None" not in found
    assert found.splitlines()[1] == "- #20005 (Cancellation Request, resuelto)"


def test_a_ticket_shows_the_id_the_user_knows_and_times_in_the_zone() -> None:
    ticket = {"id": 20005, "external_id": "TKT-000003", "source": "csv", "subject": None,
              "status": "resolved", "created_at": "2024-03-31T22:15:00+00:00",
              "resolved_at": "2024-07-01T09:00:00+00:00"}  # fmt: skip
    q = Question("es", "ticket", ticket_id="TKT-000003")
    shown = render(q, plan(q, TODAY), [{"ticket": ticket, "data_as_of": None}], TZ)
    assert shown.splitlines() == [
        "Ticket #20005 · TKT-000003 (csv)",
        "Estado: resuelto · Creado: 2024-04-01 00:15 (Europe/Madrid) · "
        "Resuelto: 2024-07-01 11:00 (Europe/Madrid)",
    ]


def test_similar_tickets_show_the_day_they_were_solved_in_the_zone() -> None:
    # 23:30 UTC on 31 March is 1 April in Madrid (CEST): the UTC date would be a day early.
    ticket = {"id": 7, "subject": "Cobro duplicado", "status": "resolved", "category": "Billing",
              "resolved_at": "2024-03-31T23:30:00+00:00", "resolution": "Reembolso."}  # fmt: skip
    q = Question("es", "search", query="cobro duplicado")
    found = render(q, plan(q, TODAY), [{"results": [{**ticket, "score": 1.0}]}], TZ)
    assert found.splitlines()[1] == "- #7 Cobro duplicado (Billing, resuelto, 2024-04-01)"


def test_a_figure_from_fewer_tickets_than_counted_says_from_how_many() -> None:
    # "CSAT medio: 4,1 / 5 · Tickets considerados: 2.962" read as if every ticket was rated.
    q = Question("es", "stats", periods=(WEEK,), stats=("avg_hours", "p90_hours", "avg_csat"))
    result = {"count": 2962, "avg_hours": 30.0, "p90_hours": 80.0, "avg_csat": 4.1,
              "resolution_count": 2950, "first_response_count": 2962,
              "csat_count": 2103}  # fmt: skip
    assert answer(q, result).splitlines()[:4] == [
        "Tiempo medio de resolución: 30 h (de 2.950 tickets con tiempo de resolución)",
        "P90 del tiempo de resolución: 80 h",
        "CSAT medio: 4,1 / 5 (de 2.103 tickets valorados)",
        "Tickets considerados: 2.962",
    ]
    every = {**result, "resolution_count": 2962, "csat_count": 2962}
    assert "(de" not in answer(q, every)


def test_a_ranking_by_a_metric_counts_the_tickets_it_comes_from() -> None:
    # "4,2 / 5 (260 tickets)" when only 180 of the 260 were rated.
    q = Question("es", "breakdown", dimension="agent", stats=("avg_csat",))
    rows = [{"key": "Diego", "value": 4.2, "count": 260, "measured": 180}]
    text = answer(q, {"rows": rows, "total_groups": 1})
    assert text.splitlines()[1] == "1. Diego: 4,2 / 5 (180 tickets)"


def test_an_agents_own_scope_is_said_never_no_filters() -> None:
    # An Agent's "top agent" read "1. diego: 266 · no filters", as if Diego led the team.
    q = Question("en", "breakdown", dimension="agent", limit=1)
    rows = [{"key": "diego@x", "value": 266, "count": 266, "measured": 266}]
    result = {"rows": rows, "total_groups": 1, "scope": "own", "filters": {"agent": "diego@x"}}
    assert answer(q, result).splitlines()[-1] == (
        "Resolved: all time (Europe/Madrid) · filters: agent = diego@x (as an Agent, only your own)"
    )


def test_an_agents_own_row_is_no_ranking() -> None:
    # "Who resolved the most?" asked by an Agent led with "1. diego@x: 266", their row alone.
    rows = [{"key": "diego@x", "value": 266, "count": 266, "measured": 266}]
    result = {"rows": rows, "total_groups": 1, "scope": "own", "filters": {"agent": "diego@x"}}
    ranked = answer(Question("en", "breakdown", dimension="agent", limit=1), result)
    assert ranked.startswith("As an Agent you see only your own figures, so I cannot say which")
    listed = answer(Question("en", "breakdown", dimension="agent"), result)
    assert listed.startswith("Resolved tickets by agent:")


def test_a_change_in_csat_says_better_or_worse() -> None:
    q = Question("en", "compare", periods=(WEEK,), stats=("avg_csat",))
    text = answer(q, {"count": 9, "avg_csat": 4.5}, {"count": 8, "avg_csat": 4.0})
    assert text.startswith("Average CSAT: 4.5 / 5 in 2026-11-23..2026-11-27 vs 4.0 / 5 in ")
    assert "(+12.5%, better)." in text
    same = answer(q, {"count": 9, "avg_csat": 4.0}, {"count": 8, "avg_csat": 4.0})
    assert "(0.0%)." in same  # no change, no verdict
    close = answer(q, {"count": 9, "avg_csat": 4.0001}, {"count": 8, "avg_csat": 4.0})
    assert "(0.0%)." in close  # rounds to no change: no "+0.0%, better"


def test_the_data_time_is_shown_to_the_second() -> None:
    # The footer read "datos a 2026-11-28T09:52:24.437510Z".
    q = Question("es", "count", periods=(WEEK,))
    shown = answer(q, {"count": 3, "data_as_of": "2026-11-28T09:52:24.437510Z"})
    assert shown.endswith("· sin filtros · datos a 2026-11-28T09:52:24Z")


def test_statuses_are_words_in_english_too() -> None:
    # "2. in_progress: 1,068": the stored value, underscore and all.
    q = Question("en", "breakdown", dimension="status")
    rows = [{"key": "in_progress", "value": 1068, "count": 1068, "measured": 1068}]
    assert answer(q, {"rows": rows, "total_groups": 1}).splitlines()[1] == "1. in progress: 1,068"
