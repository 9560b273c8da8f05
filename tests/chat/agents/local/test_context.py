"""Follow-ups lay the new question over the previous analytic one; new questions start afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cschat.chat.agents.base import AgentRequest, HistoryTurn
from cschat.chat.agents.local.agent import local_today, understand
from cschat.chat.agents.local.filters import EVERYONE
from cschat.chat.agents.local.intents import Question
from tests.chat.agents.local.data import LUCIA, NOW, TZ, VOCABULARY


def understood(text: str, *history: str) -> Question:
    turns = tuple(HistoryTurn("user", h) for h in history)
    request = AgentRequest("s", text, "Supervisor", LUCIA, NOW, TZ, history=turns)
    return understand(request, VOCABULARY)


def test_a_follow_up_keeps_filters_and_replaces_the_period() -> None:
    q = understood("¿y el mes pasado?", "Tickets urgentes resueltos esta semana")
    assert q.intent == "count"
    assert q.filters == (("priority", "Urgent"),)
    assert [p.label() for p in q.periods] == ["2026-10-01..2026-10-31"]


def test_follow_ups_chain() -> None:
    q = understood("¿y por canal?", "Tickets resueltos esta semana", "¿y de facturación?",
                   "¿y la semana pasada?")  # fmt: skip
    assert (q.intent, q.dimension) == ("breakdown", "channel")
    assert q.filters == (("category", "Billing"),)
    assert [p.label() for p in q.periods] == ["2026-11-16..2026-11-22"]


def test_a_greeting_in_between_keeps_the_context() -> None:
    q = understood("and for refunds?", "How many tickets were resolved yesterday?", "thanks")
    assert q.filters == (("category", "Refunds"),)
    assert [p.label() for p in q.periods] == ["2026-11-26..2026-11-26"]


def test_a_full_new_question_does_not_inherit() -> None:
    q = understood("How many tickets were created today?", "Billing tickets resolved last week")
    assert q.filters == ()
    assert q.date_field == "created"


def test_a_follow_up_with_nothing_before_is_answered_on_its_own() -> None:
    q = understood("¿y la semana pasada?")
    assert q.intent == "count"
    assert [p.label() for p in q.periods] == ["2026-11-16..2026-11-22"]


def test_the_follow_up_answers_in_its_own_language() -> None:
    assert understood("and for billing?", "¿Cuántos tickets se resolvieron hoy?").language == "en"


def test_an_ambiguous_follow_up_keeps_the_session_language() -> None:
    assert understood("Q1 2024?", "How many tickets were resolved today?").language == "en"
    assert understood("Q1 2024?", "¿Cuántos tickets se resolvieron hoy?").language == "es"


def test_assistant_turns_are_not_parsed() -> None:
    turns = (HistoryTurn("user", "Tickets resueltos hoy"),
             HistoryTurn("assistant", "Tickets resueltos: 3 · categoría = Billing"))  # fmt: skip
    request = AgentRequest("s", "¿y ayer?", "Supervisor", LUCIA, NOW, TZ, history=turns)
    assert understand(request, VOCABULARY).filters == ()


def test_today_is_taken_in_the_app_time_zone() -> None:
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # already the 28th in Madrid
    request = AgentRequest("s", "hoy", "Supervisor", LUCIA, late, TZ)
    assert local_today(request) == date(2026, 11, 28)
    naive = AgentRequest("s", "hoy", "Supervisor", LUCIA, late.replace(tzinfo=None), TZ)
    assert local_today(naive) == date(2026, 11, 28)


def test_the_period_before_that_is_relative_to_the_previous_question() -> None:
    q = understood("¿y el mes anterior?", "Tickets resueltos en marzo de 2024")
    assert [p.label() for p in q.periods] == ["2024-02-01..2024-02-29"]
    alone = understood("¿Cuántos tickets se resolvieron el mes anterior?")
    assert [p.label() for p in alone.periods] == ["2026-10-01..2026-10-31"]


def test_a_longer_question_we_cannot_place_does_not_borrow_the_context() -> None:
    previous = "Tickets de facturación resueltos esta semana"
    q = understood("What's the resolution rate this month?", previous)
    assert q.intent == "unknown"
    assert understood("la semana pasada", previous).filters == (("category", "Billing"),)


def test_the_week_before_last_is_not_the_week_before_the_previous_one() -> None:
    q = understood("and the week before last?", "How many tickets were resolved in March 2024?")
    assert [p.label() for p in q.periods] == ["2026-11-09..2026-11-15"]


def test_compare_it_compares_the_previous_period_with_the_one_named() -> None:
    q = understood("compáralo con agosto", "Tickets resueltos por Lucía en septiembre")
    assert q.intent == "compare"
    assert [p.label() for p in q.periods] == ["2026-09-01..2026-09-30", "2026-08-01..2026-08-31"]
    assert q.filters == (("agent", LUCIA),)


def test_a_comparison_that_refers_to_nothing_before_keeps_its_own_window() -> None:
    q = understood("Compare August", "Tickets resolved by Lucía in September")
    assert q.intent == "compare" and q.filters == ()
    assert [p.label() for p in q.periods] == ["2026-08-01..2026-08-31"]  # and the month before


def test_a_grouping_alone_regroups_the_previous_question() -> None:
    q = understood("by channel", "Average resolution time for urgent tickets last month")
    assert (q.intent, q.dimension, q.stats) == ("breakdown", "channel", ("avg_hours",))
    assert q.filters == (("priority", "Urgent"),)
    assert [p.label() for p in q.periods] == ["2026-10-01..2026-10-31"]
    weekly = understood("por semana", "Tiempo medio de resolución de tickets urgentes en octubre")
    assert (weekly.intent, weekly.interval) == ("trend", "week")
    assert weekly.filters == (("priority", "Urgent"),)


def test_a_grouping_with_words_of_its_own_is_a_new_question() -> None:
    q = understood("Tickets by channel", "Average resolution time for urgent tickets last month")
    assert q.filters == () and q.periods == ()


def test_a_metric_asked_in_the_past_tense_is_for_the_previous_tickets() -> None:
    # "¿Cuál fue el tiempo medio?" was the all-time average.
    q = understood("¿cuál fue el tiempo medio?", "¿Cuántos tickets resolvimos ayer?")
    assert (q.intent, [p.label() for p in q.periods]) == ("stats", ["2026-11-26..2026-11-26"])
    q = understood("what was the average CSAT?", "How many tickets were resolved last week?")
    assert (q.intent, [p.label() for p in q.periods]) == ("stats", ["2026-11-16..2026-11-22"])
    # In the present tense, a new question about all time.
    q = understood("¿Cuál es el tiempo medio de resolución?", "¿Cuántos tickets resolvimos ayer?")
    assert (q.intent, q.periods) == ("stats", ())


def test_how_they_were_solved_after_a_search_is_the_same_search() -> None:
    # Was the count of every resolved ticket.
    q = understood("¿y cómo se resolvieron?", "busca tickets sobre contraseña")
    assert (q.intent, q.query) == ("search", "contraseña")
    # After a count there is nothing to search for: not understood, rather than a count.
    assert understood("¿y cómo se resolvieron?", "¿Cuántos tickets hoy?").intent == "unknown"


def test_a_priority_level_alone_in_a_follow_up_replaces_the_priority() -> None:
    # "¿y de alta?" repeated the urgent count.
    q = understood("¿y de alta?", "¿Cuántos tickets urgentes hay abiertos?")
    assert (q.filters, q.status) == ((("priority", "High"),), "open")
    assert understood("and low?", "How many urgent tickets last week?").filters == (
        ("priority", "Low"),
    )
    # "¿y la media?" asks for the average, not the medium priority.
    assert understood("¿y la media?", "tiempo medio de resolución").filters == ()


def test_a_follow_up_asking_for_everyone_drops_the_filters() -> None:
    # Each kept "category = Billing" (or the agent), answering for the filter again.
    for follow_up in ("¿y sin filtros?", "and overall?", "quita el filtro", "remove the filter",
                      "¿y de todas las categorías?", "for all categories"):  # fmt: skip
        q = understood(follow_up, "tickets de facturación esta semana")
        assert (q.intent, q.filters) == ("count", ()), follow_up
        assert [p.label() for p in q.periods] == ["2026-11-23..2026-11-27"], follow_up
    assert understood("¿y del equipo?", "tiempo medio de resolución de Lucía").filters == ()
    # All the values of another dimension keep this one.
    q = understood("¿y todos los canales?", "tickets de facturación por email esta semana")
    assert q.filters == (("category", "Billing"),)


def test_an_acknowledgement_before_a_follow_up_keeps_the_context() -> None:
    # "Perfecto, ahora por prioridad" was a breakdown over all time.
    q = understood("perfecto, ahora por prioridad", "tickets por categoría este mes")
    assert (q.intent, q.dimension) == ("breakdown", "priority")
    assert [p.label() for p in q.periods] == ["2026-11-01..2026-11-27"]
    q = understood("vale, compáralo con septiembre", "¿Cuántos tickets en octubre?")
    assert [p.label() for p in q.periods] == ["2026-10-01..2026-10-31", "2026-09-01..2026-09-30"]


def test_a_number_after_a_ticket_is_the_next_ticket() -> None:
    # "¿Y el 46?" after "ticket 45" was not understood.
    assert understood("¿y el 5?", "Muéstrame el ticket 4").ticket_id == 5
    q = understood("what about 3?", "show ticket 4")
    assert (q.intent, q.ticket_id, q.language) == ("ticket", 3, "en")
    similar = understood("¿y el 2?", "tickets parecidos al ticket 1")
    assert (similar.intent, similar.ticket_id) == ("search", 2)


def test_a_number_after_a_figure_is_not_that_figure_again() -> None:
    # Never the previous count repeated for a number it cannot place.
    assert understood("¿y el 5?", "Tickets resueltos esta semana").intent == "unknown"
    assert understood("¿y el 5?").intent == "unknown"


def test_a_year_after_a_figure_is_still_that_year() -> None:
    q = understood("¿y el 2024?", "Tickets resueltos en 2025")
    assert (q.intent, [p.label() for p in q.periods]) == ("count", ["2024-01-01..2024-12-31"])
    assert understood("¿y el 2024?", "Muéstrame el ticket 4").ticket_id == 2024


def test_its_and_su_refer_to_the_previous_tickets() -> None:
    # "¿Cuál es su CSAT?" after "tickets de billing" was every ticket's CSAT.
    q = understood("¿cuál es su CSAT?", "tickets de billing")
    assert (q.intent, q.filters, q.stats) == ("stats", (("category", "Billing"),), ("avg_csat",))
    assert understood("what is its average CSAT?", "billing tickets").filters == (
        ("category", "Billing"),
    )


def test_a_value_of_the_grouped_dimension_is_that_value_alone() -> None:
    # "¿Y solo los urgentes?" after "por prioridad" was a ranking of one row.
    q = understood("¿y solo los urgentes?", "tickets por prioridad")
    assert (q.intent, q.dimension, q.filters) == ("count", None, (("priority", "Urgent"),))
    timed = understood("only high", "average resolution time by priority")
    assert (timed.intent, timed.stats) == ("stats", ("avg_hours",))
    other = understood("¿y de facturación?", "tickets por canal")
    assert (other.intent, other.dimension) == ("breakdown", "channel")


@pytest.mark.parametrize(
    ("text", "order"),
    [("ordénalo de menor a mayor", "asc"), ("sort it ascending", "asc"),
     ("lowest first", "asc"), ("de mayor a menor", "desc")],
)  # fmt: skip
def test_an_order_alone_reorders_the_previous_ranking(text: str, order: str) -> None:
    # Each was not understood.
    q = understood(text, "CSAT por canal", "ordénalo de menor a mayor")
    assert (q.intent, q.dimension, q.order) == ("breakdown", "channel", order)


def test_an_order_in_the_question_is_read() -> None:
    # "de mayor a menor" holds "menor", which read lowest first.
    assert understood("tickets por canal de mayor a menor").order == "desc"
    assert understood("tickets by category sorted ascending").order == "asc"


@pytest.mark.parametrize(
    ("text", "history"),
    [("¿quién lo resolvió?", "Muéstrame el ticket 4"), ("¿cuánto tardó?", "ticket 1"),
     ("who handled it?", "show ticket 2"), ("how long did it take?", "show ticket 2")],
)  # fmt: skip
def test_a_pronoun_after_a_ticket_is_that_ticket(text: str, history: str) -> None:
    # Each was the whole team's figure (every resolved ticket, or all-time resolution times).
    q = understood(text, history)
    assert q.intent == "ticket"
    assert q.ticket_id == int(history.rsplit(" ", 1)[1])


def test_a_new_question_after_a_ticket_is_not_that_ticket() -> None:
    assert understood("¿cuántos tickets hay?", "ticket 4").intent == "count"
    assert understood("¿quién lo resolvió esta semana?", "ticket 4").intent != "ticket"


@pytest.mark.parametrize(
    ("text", "history"),
    [
        ("as a trend", "How many billing tickets were created in October?"),
        ("show me as a trend", "How many billing tickets were created in October?"),
        ("muéstramelo como tendencia", "¿Cuántos tickets de facturación se crearon en octubre?"),
        ("¿y su evolución?", "¿Cuántos tickets de facturación se crearon en octubre?"),
    ],
)
def test_a_trend_alone_is_the_previous_question_over_time(text: str, history: str) -> None:
    # It was a new question: every resolved ticket of the last twelve weeks.
    q = understood(text, history)
    assert (q.intent, q.date_field) == ("trend", "created")
    assert q.filters == (("category", "Billing"),)
    assert [p.label() for p in q.periods] == ["2026-10-01..2026-10-31"]


def test_a_period_after_a_comparison_of_values_compares_them_in_that_period() -> None:
    # It compared last week with the week before, for each value.
    q = understood("¿y la semana pasada?", "billing vs shipping esta semana")
    assert (q.intent, [p.label() for p in q.periods]) == ("compare", ["2026-11-16..2026-11-22"])
    assert q.filters == (("category", "Billing"), ("category", "Shipping"))
    both = understood("compáralo con la semana pasada", "billing vs shipping esta semana")
    assert len(both.periods) == 2  # asked to compare periods: each value, in both


@pytest.mark.parametrize(
    ("text", "limit", "order"),
    [("top 3", 3, None), ("los 3 peores", 3, "asc"), ("solo los 3 mejores", 3, None)],
)
def test_a_length_alone_cuts_the_previous_ranking(text: str, limit: int, order: str | None) -> None:
    # "top 3" and "los 3 peores" were not understood; "solo los 3 mejores" was the whole list.
    q = understood(text, "CSAT por agente este mes")
    assert (q.intent, q.dimension, q.limit, q.order) == ("breakdown", "agent", limit, order)
    assert q.stats == ("avg_csat",)


def test_which_day_had_the_most_after_a_count_is_within_its_period() -> None:
    # It was the last 30 days, and the answer did not lead with the day.
    q = understood("¿cuál fue el día con más?", "tickets resueltos en octubre")
    assert (q.intent, q.interval, q.peak) == ("trend", "day", "high")
    assert [p.label() for p in q.periods] == ["2026-10-01..2026-10-31"]


@pytest.mark.parametrize(
    ("text", "history"),
    [
        ("compare with shipping", "resolution time for billing this month"),
        ("compáralo con envíos", "tiempo de resolución de facturación este mes"),
    ],
)
def test_compare_with_a_value_sets_the_previous_value_against_it(text: str, history: str) -> None:
    # "Compare with shipping" was shipping this month against last month, billing dropped.
    q = understood(text, history)
    assert (q.intent, q.stats) == ("compare", ("avg_hours", "median_hours", "p90_hours"))
    assert q.filters == (("category", "Billing"), ("category", "Shipping"))
    assert [p.label() for p in q.periods] == ["2026-11-01..2026-11-27"]


def test_a_filter_with_tickets_after_a_ranking_filters_the_ranking() -> None:
    # "Only for urgent tickets" after CSAT by channel was the count of urgent tickets.
    q = understood("only for urgent tickets", "average CSAT by channel")
    assert (q.intent, q.dimension, q.stats) == ("breakdown", "channel", ("avg_csat",))
    assert q.filters == (("priority", "Urgent"),)


@pytest.mark.parametrize(
    ("text", "history", "missing"),
    [
        ("and the median?", "average CSAT by channel", (("csat", "median"),)),
        ("¿y la mediana?", "primera respuesta media este mes",
         (("first_response", "mediana"),)),
    ],
)  # fmt: skip
def test_a_median_alone_after_an_average_only_metric_says_so(
    text: str, history: str, missing: tuple[tuple[str, str], ...]
) -> None:
    # It switched to the median resolution time, a metric nobody had asked about.
    q = understood(text, history)
    assert q.stats == understood(history).stats
    assert q.missing == missing


@pytest.mark.parametrize(
    ("history", "text"),
    [
        (("Average resolution time last month",), "break it down by team"),
        (("CSAT medio el mes pasado",), "sepáralo por equipo"),
    ],
)
def test_break_it_down_regroups_the_previous_question(history: tuple[str], text: str) -> None:
    # "Break it down by team" was the resolved tickets of all time by team.
    q = understood(text, *history)
    assert (q.intent, q.dimension) == ("breakdown", "team")
    assert q.stats and [p.label() for p in q.periods] == ["2026-10-01..2026-10-31"]


@pytest.mark.parametrize("text", ["¿quién tiene el mejor?", "who has the best?"])
def test_who_has_the_best_ranks_the_previous_metric(text: str) -> None:
    # It was the agents by resolved tickets of all time.
    q = understood(text, "CSAT medio este mes")
    assert (q.intent, q.dimension, q.stats, q.limit) == ("breakdown", "agent", ("avg_csat",), 1)
    assert [p.label() for p in q.periods] == ["2026-11-01..2026-11-27"]


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("¿y en todo el mes?", "2026-11-01..2026-11-27"),
        ("and the whole year?", "2026-01-01..2026-11-27"),
        ("¿y en todo el mes pasado?", "2026-10-01..2026-10-31"),
    ],
)
def test_the_whole_month_is_this_month(text: str, period: str) -> None:
    # "¿Y en todo el mes?" kept the week.
    q = understood(text, "¿Cuántos tickets se resolvieron esta semana?")
    assert [p.label() for p in q.periods] == [period]


def test_compare_them_compares_the_last_two_values() -> None:
    # It compared shipping with itself.
    q = understood("compáralos", "¿Cuántos tickets de facturación este mes?", "¿y de envíos?")
    assert q.intent == "compare"
    assert q.filters == (("category", "Billing"), ("category", "Shipping"))
    assert [p.label() for p in q.periods] == ["2026-11-01..2026-11-27"]


def test_compare_them_compares_the_last_two_periods() -> None:
    q = understood("compare them", "billing tickets this week", "and last week?")
    assert [p.label() for p in q.periods] == ["2026-11-23..2026-11-27", "2026-11-16..2026-11-22"]
    assert q.filters == (("category", "Billing"),)


def test_compare_it_after_one_answer_is_the_period_before() -> None:
    # It compared the week with itself.
    q = understood("compare it", "tickets this week")
    assert [p.label() for p in q.periods] == ["2026-11-23..2026-11-27", "2026-11-16..2026-11-22"]


def test_compare_it_with_the_team_sets_the_agent_against_everyone() -> None:
    # It compared this month with last month.
    q = understood("compare it with the team", "my CSAT this month")
    assert q.intent == "compare"
    assert q.filters == (("agent", LUCIA), ("agent", EVERYONE))
    assert [p.label() for p in q.periods] == ["2026-11-01..2026-11-27"]
    assert understood("compáralo con el equipo", "tickets esta semana").intent == "unknown"


def test_compare_it_with_a_period_after_one_without_a_period() -> None:
    # It raised IndexError (found by fuzzing): the previous question had no period.
    q = understood("compáralo con agosto", "tickets de Diego")
    assert q.intent == "compare"
    assert [p.label() for p in q.periods] == ["2026-08-01..2026-08-31", "2026-07-01..2026-07-31"]


@pytest.mark.parametrize(
    ("question", "previous", "window"),
    [("¿y los 30 días anteriores?", "tickets resueltos en los últimos 30 días",
      "2026-09-29..2026-10-28"),
     ("¿Y en las dos semanas anteriores?", "tickets resueltos en las últimas dos semanas",
      "2026-10-31..2026-11-13"),
     ("and the previous 30 days?", "tickets resolved in the last 30 days",
      "2026-09-29..2026-10-28"),
     ("and the 30 days before?", "tickets resolved in the last 30 days",
      "2026-09-29..2026-10-28"),
     ("¿y los 7 días anteriores?", "tickets resueltos en octubre", "2026-09-24..2026-09-30")],
)  # fmt: skip
def test_n_days_before_are_the_days_before_the_previous_window(
    question: str, previous: str, window: str
) -> None:
    # They were the same window again, or "the 30 days before" was not understood.
    q = understood(question, previous)
    assert [p.label() for p in q.periods] == [window]
    assert understood("los 7 días anteriores").periods[0].label() == "2026-11-21..2026-11-27"


@pytest.mark.parametrize(
    ("question", "previous", "metric", "order"),
    [("¿cuál es la peor en CSAT?", "tickets por categoría este mes", "avg_csat", "asc"),
     ("which one has the best CSAT?", "tickets by category this month", "avg_csat", "desc"),
     ("¿cuál es el peor?", "tiempo medio de resolución por canal este mes", "avg_hours",
      "desc"),
     ("¿cuál tiene menos?", "tickets por agente este mes", None, "asc")],
)  # fmt: skip
def test_which_one_after_a_breakdown_is_its_best_or_worst_value(
    question: str, previous: str, metric: str | None, order: str
) -> None:
    # It was the all-time figure of everyone, or not understood.
    q = understood(question, previous)
    assert (q.intent, q.limit, q.order) == ("breakdown", 1, order)
    assert q.dimension == understood(previous).dimension
    assert q.stats[:1] == ((metric,) if metric else ())
    assert [p.label() for p in q.periods] == [understood(previous).periods[0].label()]


def test_which_one_with_no_values_before_is_not_understood() -> None:
    assert understood("¿cuál es el peor?", "¿cuántos tickets ayer?").intent == "unknown"
    assert understood("which one has the best CSAT?").intent == "unknown"


@pytest.mark.parametrize(
    "question", ["how many of those are still open?", "¿cuántos de esos siguen abiertos?"]
)
def test_how_many_of_those_are_open_keeps_the_previous_window(question: str) -> None:
    # It was every open ticket of all time.
    q = understood(question, "how many tickets were created yesterday?")
    assert (q.date_field, q.status) == ("created", "open")
    assert [p.label() for p in q.periods] == ["2026-11-26..2026-11-26"]


@pytest.mark.parametrize(
    "history",
    [("tickets por canal este mes", "¿y el mes pasado?", "compáralos"),
     ("tickets por canal este mes", "compáralo con el mes pasado"),
     ("tickets by week this month", "compare it with last month")],
)  # fmt: skip
def test_comparing_breakdowns_or_series_is_declined(history: tuple[str, ...]) -> None:
    # The two totals were compared instead.
    q = understood(history[-1], *history[:-1])
    assert (q.intent, q.declined) == ("unknown", ("compare_grouped", ""))
    assert understood("compáralo con el mes pasado", "tickets este mes").intent == "compare"


@pytest.mark.parametrize(
    ("question", "previous", "window"),
    [("¿y en el segundo?", "tickets de facturación en el primer trimestre",
      "2026-04-01..2026-06-30"),
     ("and the fourth?", "tickets in Q3 2025", "2025-10-01..2025-12-31"),
     ("¿y el segundo?", "tickets en el primer semestre de 2025", "2025-07-01..2025-12-31")],
)  # fmt: skip
def test_an_ordinal_alone_after_a_quarter_or_half_is_that_one_of_its_year(
    question: str, previous: str, window: str
) -> None:
    # It was the first quarter again.
    q = understood(question, previous)
    assert [p.label() for p in q.periods] == [window]
    assert q.filters == understood(previous).filters
    assert understood("¿y el segundo?", "tickets en octubre").intent == "unknown"
    assert understood("¿y el segundo?", "top agentes este trimestre").intent == "unknown"
