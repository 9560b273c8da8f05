"""What the tools cannot answer exactly gets a plain "I can't", never another question's figure."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from cschat.chat.agents.base import DoneEvent, ToolCallEvent
from tests.chat.agents.local.test_agent import ask
from tests.chat.agents.local.test_robustness import _ask_real

# A line of an answer that gives a figure: "Tickets resueltos: 5", "1. Billing: 2",
# "- 2026-11-16: 1".
FIGURE = re.compile(r"^(?!- [¿A-Z]).*:\s*\d", re.M)
CAN_GROUP = {
    "es": "Puedo agruparlos por día, semana o mes, y por categoría, prioridad, canal, agente, "
    "equipo o estado.",
    "en": "I can group them by day, week or month, and by category, priority, channel, agent, "
    "team or status.",
}
KNOWN_PERIODS = {
    "es": "Entiendo periodos como hoy, ayer, esta semana, la semana pasada, hace 2 semanas,",
    "en": "I understand periods such as today, yesterday, this week, last week, 2 weeks ago,",
}
EXAMPLES = {"es": "Prueba con frases como:\n- ", "en": "Try phrasings like:\n- "}


async def _declined(question: str, history: tuple[str, ...] = ()) -> tuple[str, str]:
    text, events, tools = await ask(question, history=history)
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert tools.calls == []
    assert not any(isinstance(e, ToolCallEvent) for e in events)
    assert not FIGURE.search(text), text
    assert EXAMPLES[done.language] in text
    steps = [s.to_dict() for s in done.trace]
    assert steps[0]["rationale"].startswith("intent=unknown;")
    return text, done.language


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [
        ("¿Qué día de la semana entran más tickets?", "es", "día de la semana"),
        ("¿Cuántos tickets se resolvieron por día de la semana este mes?", "es",
         "día de la semana"),
        ("Which day of the week gets the most tickets?", "en", "day of the week"),
        ("Tickets created on weekdays last month", "en", "weekdays"),
        ("¿Cuántos tickets entran los fines de semana?", "es", "fines de semana"),
        ("¿Cuántos tickets se resuelven los lunes?", "es", "los lunes"),
        ("How many tickets do we get on Mondays?", "en", "Mondays"),
        ("¿A qué hora entran más tickets?", "es", "A qué hora"),
        ("Tickets creados por hora esta semana", "es", "por hora"),
        ("Tickets by hour of day last month", "en", "by hour"),
        # Was every created ticket's count.
        ("What day of the month do we get the most tickets?", "en", "day of the month"),
        ("Which time of day has the most tickets?", "en", "time of day"),
        ("Tendencia anual de tickets resueltos", "es", "anual"),
        ("Resolved tickets per year", "en", "per year"),
        ("Tickets por trimestre en 2024", "es", "por trimestre"),
        ("tickets by customer", "en", "by customer"),
        ("How many tickets for customer Aperture Science?", "en", "customer Aperture"),
        ("¿Cuántos tickets del cliente Aperture Science?", "es", "cliente Aperture"),
        ("tickets de la región norte", "es", "región norte"),
        ("Tickets sin asignar", "es", "sin asignar"),
        ("How many unassigned tickets?", "en", "unassigned"),
        ("tickets with no agent", "en", "with no agent"),  # was every resolved ticket
        ("¿Cuántos tickets no tienen agente?", "es", "no tienen agente"),  # the same
        ("tickets that have no agent", "en", "have no agent"),
        ("tickets after hours", "en", "after hours"),  # was every resolved ticket
        ("¿cuántos tickets se han reasignado?", "es", "reasignado"),  # was every resolved one
        ("tickets sin respuesta", "es", "sin respuesta"),
        ("tickets without a first response", "en", "without a first response"),  # was the stats
        ("tickets de madrugada", "es", "de madrugada"),
        ("How many tickets were reopened?", "en", "reopened"),
        ("How many tickets breached SLA?", "en", "breached"),
        ("How many tickets have no category?", "en", "no category"),
        # Each was every open ticket, or every resolved ticket.
        ("¿Cuántos tickets tenemos pendientes de asignar?", "es", "pendientes de asignar"),
        ("tickets de clientes VIP", "es", "clientes VIP"),
        # Tickets per CSAT value: each was the average CSAT.
        ("tickets by CSAT score", "en", "tickets by CSAT"),
        ("distribución del CSAT", "es", "distribución del CSAT"),
    ],
)  # fmt: skip
async def test_a_grouping_the_tools_do_not_have_is_declined(
    question: str, lang: str, written: str
) -> None:
    text, language = await _declined(question)
    assert language == lang
    assert written in text
    assert CAN_GROUP[lang] in text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [
        ("¿Cuántos tickets se resolvieron hace 3 horas?", "es", "hace 3 horas"),
        ("¿Cuántos tickets hubo hace unas semanas?", "es", "hace unas semanas"),
        ("Tickets resolved a few weeks ago", "en", "a few weeks ago"),
        ("How many tickets were resolved 5 hours ago?", "en", "5 hours ago"),
        ("Tickets resueltos en los 3 últimos meses", "es", "3 últimos meses"),
        ("¿Cuántos tickets se crearon el próximo mes?", "es", "próximo mes"),
        ("Tickets resolved next week", "en", "next week"),
        ("Tickets resueltos mañana", "es", "mañana"),
        ("¿Cuántos tickets se crearon esta mañana?", "es", "«esta mañana»"),  # was «mañana»
        ("Tickets resueltos el último semestre", "es", "semestre"),
        ("tickets resolved in 1850", "en", "in 1850"),
        # A part of a period: never the whole period's figure (or all time) instead.
        ("tickets a principios de mes", "es", "principios de"),
        ("¿Cuántos tickets se cerraron a finales de octubre?", "es", "finales de"),
        ("tickets a mediados de mes", "es", "mediados de"),
        ("tickets resueltos en los primeros días del mes", "es", "primeros días del"),
        ("Tickets resolved at the end of last month", "en", "end of"),
        ("How many tickets were resolved in early November?", "en", "early"),
        # These compared last week with October (or with 2025).
        ("tickets created in the last week of October", "en", "week of"),
        ("¿Cuántos tickets hubo la última semana de octubre?", "es", "semana de"),
        ("tickets resolved in the last week of 2025", "en", "week of"),
        ("tickets created at the start of the week", "en", "start of"),
        # Holidays and seasons: never a weekday's or all time's figure ("Black Friday").
        ("Black Friday tickets", "en", "Black Friday"),
        ("tickets on christmas", "en", "christmas"),
        ("¿Cuántos tickets hubo en Semana Santa?", "es", "Semana Santa"),
        ("tickets resolved this summer", "en", "summer"),
        ("tickets this fiscal year", "en", "fiscal"),
        ("tickets in H1", "en", "H1"),
        # A bound with no other end: never the bounding period's figure (was October's).
        ("tickets hasta octubre", "es", "hasta octubre"),
        ("tickets resolved before October", "en", "before October"),
        ("tickets after today", "en", "after today"),
        ("tickets de fin de mes", "es", "fin de mes"),
        ("tickets del puente", "es", "puente"),
        # A "so far" no rule reads: never all time instead.
        ("¿cuántos tickets en lo que llevamos de ejercicio?", "es", "llevamos de ejercicio"),
    ],
)
async def test_a_time_expression_left_unread_is_declined(
    question: str, lang: str, written: str
) -> None:
    text, language = await _declined(question)
    assert language == lang
    assert written in text
    assert KNOWN_PERIODS[lang] in text


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("P90 del tiempo de resolución por canal", "es"),
        ("p90 resolution time by week this quarter", "en"),
        ("Mediana de tickets resueltos por día", "es"),
        ("What's the average number of tickets per day?", "en"),
    ],
)
async def test_a_statistic_the_tools_do_not_have_is_declined(question: str, lang: str) -> None:
    text, language = await _declined(question)
    assert language == lang
    assert (
        "tengo la media, la mediana y el P90 del tiempo de resolución"
        if lang == "es"
        else "I have the average, median and P90 of resolution time"
    ) in text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [
        ("¿Cuántos tickets no urgentes se resolvieron la semana pasada?", "es", "no urgentes"),
        ("¿Cuántos tickets excepto los de envíos?", "es", "excepto los de envíos"),
        ("Tickets que no son de facturación este mes", "es", "no son de facturación"),
        ("How many non-urgent tickets were resolved last week?", "en", "non-urgent"),
        ("tickets resolved last month excluding billing", "en", "excluding billing"),
        ("How many tickets not from email this week?", "en", "not from email"),
    ],
)  # fmt: skip
async def test_a_filter_value_asked_to_be_left_out_is_declined(
    question: str, lang: str, written: str
) -> None:
    # The tools filter by one value: never that value's figure, nor everyone's, instead.
    text, language = await _declined(question)
    assert language == lang
    assert written in text
    assert ("No puedo excluir un valor" if lang == "es" else "I cannot exclude a value") in text


@pytest.mark.parametrize(
    "question",
    ["¿Cuántos tickets no resueltos de facturación hay?", "No, billing"],
)
async def test_a_negation_elsewhere_is_not_an_excluded_value(question: str) -> None:
    text, _, tools = await ask(question, history=("Tickets resolved this week by email",))
    assert tools.calls and "exclude" not in text and "excluir" not in text


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Tickets por categoría en octubre y en noviembre", "es"),
        ("¿Cuántos tickets resolvió cada equipo en octubre y noviembre?", "es"),
        ("Tendencia semanal de tickets este mes y el pasado", "es"),
        ("Compare tickets by channel this week vs last week", "en"),
        ("compare billing vs shipping by month", "en"),
    ],
)
async def test_a_comparison_of_breakdowns_or_trends_is_declined(question: str, lang: str) -> None:
    # Comparisons are of totals, averages and medians: never the totals for a grouped question.
    text, language = await _declined(question)
    assert language == lang
    assert ("no desgloses ni tendencias" if lang == "es" else "not a breakdown or a trend") in text


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("¿Cuántos tickets se resolvieron en enero, febrero y marzo?", "es"),
        ("Tickets created this week, last week and the week before last", "en"),
    ],
)
async def test_more_than_two_periods_are_declined(question: str, lang: str) -> None:
    # Two are compared; a third is never dropped silently.
    text, language = await _declined(question)
    assert language == lang
    assert ("nombra 3 periodos" if lang == "es" else "names 3 periods") in text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [
        ("¿Cuántos tickets se resolvieron en menos de una hora?", "es", "en menos de una hora"),
        ("¿Cuántos tickets hay con CSAT bajo?", "es", "CSAT bajo"),
        ("¿Cuántos tickets tienen CSAT de 1?", "es", "CSAT de 1"),
        ("How many tickets got a CSAT of 1?", "en", "CSAT of 1"),
        ("tickets with csat below 3 last month", "en", "csat below 3"),
        ("How many tickets took more than 3 days to resolve?", "en", "more than 3 days"),
        ("open tickets older than a week", "en", "older than a week"),  # was a comparison
        ("¿Cuántos tickets sin CSAT?", "es", "sin CSAT"),
        # Each of these was every resolved ticket, or the average CSAT.
        ("¿Cuántos tickets se resolvieron en menos de 24h?", "es", "en menos de 24h"),
        ("tickets resolved in under 48h", "en", "in under 48h"),
        ("tickets con CSAT 5", "es", "CSAT 5"),
        ("¿cuántos tickets tienen 5 estrellas?", "es", "5 estrellas"),
        ("¿Cuántos tickets se resolvieron el mismo día que se crearon?", "es", "mismo día"),
        ("tickets resolved on the same day", "en", "same day"),
        # The average CSAT of every ticket instead.
        ("¿Qué agentes tienen un CSAT por debajo de 3?", "es", "CSAT por debajo de 3"),
    ],
)
async def test_a_count_over_a_threshold_of_time_or_csat_is_declined(
    question: str, lang: str, written: str
) -> None:
    # Never the average CSAT, or every resolved ticket, for "how many had a low CSAT".
    text, language = await _declined(question)
    assert language == lang
    assert written in text
    assert ("No cuento tickets por un umbral" if lang == "es" else "I do not count tickets by a "
            "threshold") in text  # fmt: skip


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [
        ("¿Cuántos tickets se crearon este mes por canal y prioridad?", "es",
         "por canal y prioridad"),
        ("Tickets by category and by team last week", "en", "by category and by team"),
        # Each was the second grouping alone.
        ("status by channel", "en", "status by channel"),
        ("categorías por agente este mes", "es", "categorías por agente"),
    ],
)  # fmt: skip
async def test_two_groupings_at_once_are_declined(question: str, lang: str, written: str) -> None:
    text, language = await _declined(question)
    assert language == lang
    assert written in text


@pytest.mark.parametrize(
    "question", ["Average CSAT over the last month", "CSAT in 2024", "csat de 2024"]
)
async def test_csat_with_a_period_is_no_threshold(question: str) -> None:
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["resolution_stats"], text


@pytest.mark.parametrize(
    "question",
    ["How many customer support tickets this week?", "tickets de clientes esta semana",
     "customer satisfaction last month", "¿Cuál fue la satisfacción media del cliente en agosto?"],
)  # fmt: skip
async def test_customers_in_general_are_no_customer_filter(question: str) -> None:
    text, _, tools = await ask(question)
    assert tools.calls, text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [("Show the oldest open tickets", "en", "oldest"),
     ("¿Cuál es el ticket más antiguo sin resolver?", "es", "más antiguo"),
     ("los últimos 5 tickets", "es", "últimos 5 tickets"),  # was the count of every ticket
     ("¿Cuál fue el primer ticket del año?", "es", "primer ticket"),  # was the year's count
     ("show the last 10 tickets", "en", "last 10 tickets"),
     ("¿Cuál es el último ticket?", "es", "último ticket"),  # was every resolved ticket's count
     ("the latest ticket", "en", "latest ticket")],
)  # fmt: skip
async def test_a_listing_by_age_is_declined(question: str, lang: str, written: str) -> None:
    # Never the count of open tickets for "which one is the oldest".
    text, language = await _declined(question)
    assert language == lang and written in text


@pytest.mark.parametrize(
    ("question", "note", "count"),
    [("list open tickets for Diego", "I do not list tickets one by one (“list”)",
      "Open tickets: 1"),
     ("muéstrame los tickets abiertos", "No listo tickets uno a uno («muéstrame los tickets»)",
      "Tickets abiertos: 2"),
     ("listado de tickets urgentes", "No listo tickets uno a uno («listado»)",
      "Tickets resueltos: 1")],
)  # fmt: skip
async def test_a_list_asked_for_is_a_count_that_says_so(
    question: str, note: str, count: str
) -> None:
    # The count came alone, as if it were the list asked for.
    text, _, tools = await ask(question)
    assert [name for name, _ in tools.calls] == ["count_tickets"]
    assert text.startswith(note)
    assert text.splitlines()[1] == count


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [("How many tickets from Spain?", "en", "Spain"),
     ("tickets from Germany last week", "en", "Germany"),
     ("¿Cuántos tickets en Barcelona?", "es", "Barcelona"),
     ("How many tickets from spain?", "en", "spain"),
     ("¿Cuántos tickets desde méxico este mes?", "es", "méxico"),
     ("tickets from premium customers", "en", "premium"),
     ("tickets in status waiting on customer", "en", "waiting"),
     ("¿Cuántos tickets con estado bloqueado?", "es", "bloqueado"),
     # A name after the dimension's word: each was every resolved ticket.
     ("tickets de la categoría Marketing", "es", "«Marketing»"),
     ("tickets del equipo Omega", "es", "«Omega»"), ("tickets for team Zeta", "en", "“Zeta”"),
     ("tickets del equipo omega", "es", "«omega»"),
     ("tickets de prioridad máxima", "es", "máxima"),
     # What the tickets are of, read by nothing: each was every (resolved) ticket of the period.
     ("tickets de la app móvil este mes", "es", "«app móvil»"),
     ("tickets en inglés", "es", "«inglés»"), ("¿cuántos tickets de iOS?", "es", "«iOS»"),
     ("tickets con adjuntos", "es", "«adjuntos»"),
     # Only the unread words are quoted: these quoted "«iOS este»", "“attachments last”".
     ("tickets de iOS este mes", "es", "«iOS»"),
     ("tickets with attachments last month", "en", "“attachments”")],
)  # fmt: skip
async def test_a_value_the_data_lacks_is_declined(question: str, lang: str, written: str) -> None:
    # Never everyone's figure for "tickets from Spain".
    text, language = await _declined(question)
    assert language == lang and f"{written}" in text


@pytest.mark.parametrize(
    "question",
    ["tickets for Billing in October", "tickets from Email this week", "tickets for Lucía",
     "tickets del equipo Norte", "tickets de la categoría Billing", "team Norte CSAT",
     "Team CSAT this month", "Channel Breakdown for October", "tickets del equipo norte",
     "tickets de la categoría facturación", "tickets de cada equipo", "tickets del año 2024",
     "tickets en espera", "tickets en total", "tickets de alta prioridad", "tickets de todo el año",
     # "Period" and "esa" are no values (they were declined as such).
     "Compare resolved tickets with the period before", "tickets in the last 30 days",
     "tickets from the Enterprise team", "Average resolution time in November for Urgent tickets",
     "¿Cuántos tickets en Facturación?", "tickets from Self-Service", "tickets from email",
     "tickets from our customers this week", "tickets desde ayer", "tickets from last week",
     "average resolution time from creation to close",
     # The word after a value read is the sentence's: it declined «facturación hubo».
     "¿Cuántos tickets de facturación hubo en el primer trimestre?"],
)  # fmt: skip
async def test_known_values_after_from_in_or_for_are_answered(question: str) -> None:
    text, _, tools = await ask(question)
    assert tools.calls, text


@pytest.mark.parametrize(
    "question",
    ["tickets de esa semana", "tickets with the same category", "tickets de ese periodo"],
)
async def test_pointing_words_are_no_unknown_values(question: str) -> None:
    text, _, _ = await ask(question)
    assert "No encuentro" not in text and "I do not find" not in text, text


async def test_a_follow_up_asking_for_a_missing_grouping_is_declined() -> None:
    history = ("¿Cuántos tickets se resolvieron esta semana?",)
    text, _ = await _declined("¿y por hora?", history=history)
    assert "por hora" in text
    # The declined turn does not become the context of the next one.
    text, _, _ = await ask("¿y la semana pasada?", history=(*history, "¿y por hora?"))
    assert text.startswith("Tickets resueltos: 1\nResueltos 2026-11-16..2026-11-22")


@pytest.mark.parametrize(
    ("question", "note", "answer"),
    [
        (
            "mediana del tiempo de primera respuesta en octubre",
            "Aviso: para la primera respuesta solo tengo la media, no «mediana». Esta es la media:",
            "Primera respuesta media: 1 h\nTickets considerados: 1\n",
        ),
        (
            "p90 de la primera respuesta en octubre",
            "Aviso: para la primera respuesta solo tengo la media, no «p90». Esta es la media:",
            "Primera respuesta media: 1 h\n",
        ),
        (
            "median CSAT last month",
            "Note: for CSAT only the average is available, not “median”. Here is the average:",
            "Average CSAT: 2.0 / 5\nTickets counted: 1\n",
        ),
        (
            "Mediana de primera respuesta por canal esta semana",
            "Aviso: para la primera respuesta solo tengo la media, no «Mediana». Esta es la media:",
            "Primera respuesta media por canal:\n",
        ),
        (
            "p95 del tiempo de resolución esta semana",
            "Aviso: para el tiempo de resolución solo tengo la media, la mediana y el P90, "
            "no «p95».",
            "Tiempo medio de resolución: 10 h 20 min\nMediana del tiempo de resolución: 4 h\n",
        ),
        # The longest or shortest value: said, never the average as if it were (was unsaid).
        (
            "What was the longest resolution time this week?",
            "Note: for resolution time only the average, median and P90 are available, not "
            "“longest”.",
            "Average resolution time: 10 h 20 min\n",
        ),
        (
            "¿Cuál fue el CSAT más bajo esta semana?",
            "Aviso: para el CSAT solo tengo la media, no «más bajo». Esta es la media:",
            "CSAT medio: ",
        ),
    ],
)
async def test_a_median_the_metric_lacks_is_said_and_the_average_labelled(
    question: str, note: str, answer: str
) -> None:
    text, _, tools = await ask(question)
    assert len(tools.calls) == 1
    first, rest = text.split("\n", 1)
    assert first == note
    assert rest.startswith(answer)
    if "P90" not in note:  # only resolution time has a median
        assert not re.search("median", rest, re.I)


async def test_a_follow_up_of_a_missing_median_keeps_the_notice() -> None:
    history = ("mediana del tiempo de primera respuesta en octubre",)
    text, _, tools = await ask("¿y en noviembre?", history=history)
    assert tools.calls[0][1]["start_date"] == "2026-11-01"
    assert text.startswith("Aviso: para la primera respuesta solo tengo la media, no «mediana».")
    assert "\nPrimera respuesta media: " in text


ENGLISH = re.compile(
    r"\b(?:agents?|may|only|see|their|own|figures|does|not|exist|must|between|that|you)\b"
)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "¿Cuántos tickets resolvió Diego esta semana?",
            "No tienes permiso para ver esos datos: con el rol de agente solo puedes ver tus "
            "propias cifras por agente y tus propios tickets.",
        ),
        ("Muéstrame el ticket 99", "No encuentro el ticket «99» o no tienes permiso para verlo."),
    ],
)
async def test_tool_refusals_in_spanish_are_in_spanish(question: str, answer: str) -> None:
    text, _, _ = await ask(question, role="Agent")
    assert text == answer
    assert not ENGLISH.search(text), text


async def test_statuses_in_spanish_answers_are_in_spanish() -> None:
    ticket, _, _ = await ask("Muéstrame el ticket 4")
    assert "Estado: abierto · " in ticket
    similar, _, _ = await ask("¿Cómo se resolvieron los tickets sobre cobro duplicado?")
    assert "(Billing, resuelto, 2026-11-24)" in similar
    assert "(Billing, cerrado, 2026-11-25)" in similar
    by_status, _, _ = await ask("¿Cuántos tickets hay por estado?")
    assert by_status.splitlines()[1:5] == ["1. resuelto: 4", "2. cerrado: 1", "2. en curso: 1",
                                           "2. abierto: 1"]  # fmt: skip
    english, _, _ = await ask("Show ticket 4")
    assert "Status: open · " in english


async def test_a_tool_error_in_spanish_does_not_quote_the_english_detail(
    chat_app: FastAPI,
) -> None:
    done, calls = await _ask_real(chat_app, "¿Cuántos tickets se resolvieron el 0001-01-01?")
    assert [c.name for c in calls] == ["count_tickets"]
    assert done.text == (
        "No pude obtener los datos: las fechas deben estar entre el 0002-01-01 y el 9998-12-31."
    )


@pytest.mark.parametrize(
    ("question", "lang", "name"),
    [
        ("¿Cuántos tickets resolvió Carlos este mes?", "es", "Carlos"),
        ("Tickets de Carlos la semana pasada", "es", "Carlos"),
        ("Tickets resueltos por Carlos Pérez", "es", "Carlos Pérez"),
        ("¿Cuántos tickets resolvió Lucía Martínez?", "es", "Lucía Martínez"),
        ("Tickets del agente Carlos", "es", "Carlos"),
        ("How many tickets did Carlos resolve this month?", "en", "Carlos"),
        ("Tickets closed by Carlos last week", "en", "Carlos"),
        ("Carlos's tickets this month", "en", "Carlos"),
        ("Average resolution time for agent Carlos", "en", "Carlos"),
    ],
)
async def test_an_agent_name_the_data_does_not_have_is_declined(
    question: str, lang: str, name: str
) -> None:
    # Never the whole team's figure "sin filtros" for a question about one person.
    text, language = await _declined(question)
    assert language == lang
    assert (
        f"No conozco a ningún agente llamado «{name}»"
        if lang == "es"
        else f"I know no agent called “{name}”"
    ) in text


async def test_an_unknown_agent_name_lists_the_closest_known_names() -> None:
    text, _ = await _declined("¿Cuántos tickets resolvió Lucas este mes?")
    assert "Lucía Fernández" in text
    text, _ = await _declined("How many tickets did Emilia resolve?")
    assert "Emily Carter" in text


@pytest.mark.parametrize(
    ("question", "agent"),
    [
        ("¿Cuántos tickets resolvió Lucía este mes?", "lucia.fernandez@demo.cschat.dev"),
        ("¿Cuántos tickets resolvió Lucía Fernández este mes?", "lucia.fernandez@demo.cschat.dev"),
        ("How many tickets did Emily Carter resolve last week?", "emily.carter@demo.cschat.dev"),
        ("Emily's tickets this week", "emily.carter@demo.cschat.dev"),
        ("How many tickets did I resolve this week?", "lucia.fernandez@demo.cschat.dev"),
        ("Tickets de Diego la semana pasada", "diego.navarro@demo.cschat.dev"),
        ("Tickets de Billing en Noviembre", None),
        ("Tickets de Facturación", None),
        ("Tickets de Tier 2 la semana pasada", None),
        ("Tickets resolved by Email", None),
        ("Tickets By Category This Month", None),
        ("Tickets de Noviembre", None),
        ("What's the median time to resolve urgent tickets?", None),
    ],
)
async def test_capitalised_words_that_are_known_are_not_unknown_agents(
    question: str, agent: str | None
) -> None:
    text, _, tools = await ask(question)
    assert tools.calls, text
    assert tools.calls[0][1].get("agent") == agent


RATIO = {
    "es": "No calculo porcentajes ni tasas",
    "en": "I do not compute percentages or rates",
}


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("porcentaje de tickets resueltos", "es"),
        ("¿Qué porcentaje de tickets se resolvió este mes?", "es"),
        ("tasa de resolución", "es"),
        ("Tasa de resolución de facturación la semana pasada", "es"),
        ("percentage of tickets resolved", "en"),
        ("What's the resolution rate this month?", "en"),
        ("What percent of billing tickets were closed?", "en"),
        ("Ratio of resolved to created tickets last week", "en"),
    ],
)
async def test_a_percentage_or_rate_is_declined(question: str, lang: str) -> None:
    text, language = await _declined(question)
    assert language == lang
    assert RATIO[lang] in text


@pytest.mark.parametrize(
    ("question", "lang", "answer"),
    [
        ("What percentage of tickets are urgent?", "en", "I do not compute percentages (“"),
        ("¿Qué porcentaje de tickets son de facturación?", "es", "No calculo porcentajes («"),
        # These explained a resolution rate; the English one was answered in Spanish.
        ("¿Cuál es el CSAT en porcentaje?", "es", "El CSAT lo doy como la media"),
        ("CSAT as a percentage", "en", "I give CSAT as the average rating"),
    ],
)
async def test_the_share_of_a_value_is_declined_with_the_breakdown_as_the_way(
    question: str, lang: str, answer: str
) -> None:
    # Not the resolution-rate explanation: a breakdown gives each value's count and the total.
    text, language = await _declined(question)
    assert language == lang
    assert answer in text
    assert RATIO[lang] not in text


async def test_a_change_in_percent_between_periods_is_still_answered() -> None:
    _, _, tools = await ask(
        "¿Cuánto han cambiado en porcentaje los tickets respecto al mes pasado?"
    )
    assert len(tools.calls) == 2


@pytest.mark.parametrize(
    ("question", "lang", "answer"),
    [
        ("¿Por qué subieron los tickets?", "es", "No sé explicar causas («Por qué»)"),
        ("why did tickets increase last week?", "en", "I cannot explain causes (“why”)"),
        ("forecast for december", "en", "I do not forecast (“forecast”)"),
        ("¿Cuántos tickets tendremos en diciembre?", "es", "No hago previsiones («tendremos»)"),
        ("¿Cuántos usuarios hay?", "es", "No cuento agentes, equipos"),
        ("how many customers contacted us", "en", "I do not count agents, teams"),
        ("¿Cuántos clientes escribieron esta semana?", "es", "No cuento agentes, equipos"),
    ],
)
async def test_causes_forecasts_and_counts_of_people_are_declined(
    question: str, lang: str, answer: str
) -> None:
    # Each was answered with a ticket count (all time, or December 2025 for "forecast").
    text, language = await _declined(question)
    assert language == lang and answer in text


@pytest.mark.parametrize(
    ("question", "written"),
    [("tickets on 11/01", "“11/01”"), ("tickets on 01/11/2026", "“01/11/2026”"),
     ("tickets del 05-03-2024", "«05-03-2024»")],
)  # fmt: skip
async def test_a_date_whose_day_and_month_could_be_either_way_is_declined(
    question: str, written: str
) -> None:
    # Day and month in a country's order: "01/11/2026" was the whole of 2026.
    text, _ = await _declined(question)
    assert written in text and "2024-03-05" in text, text


@pytest.mark.parametrize(
    ("question", "day"),
    [("tickets del 15/03/2024", "2024-03-15"), ("tickets on 03/15/2024", "2024-03-15"),
     ("tickets del 15-03-2024", "2024-03-15"), ("tickets del 07/07/2024", "2024-07-07")],
)  # fmt: skip
async def test_a_date_only_one_order_makes_is_read(question: str, day: str) -> None:
    text, _, tools = await ask(question)
    assert (tools.calls[0][1]["start_date"], tools.calls[0][1]["end_date"]) == (day, day), text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [("¿Cuántos tickets llegaron por whatsapp?", "es", "whatsapp"),
     ("tickets via SMS last week", "en", "SMS"),
     # Priority codes the data lacks: "P1" was read as a percentile, "severity 1" was all.
     ("¿cuántos tickets P1?", "es", "P1"),
     ("how many severity 1 tickets?", "en", "severity 1")],
)  # fmt: skip
async def test_a_channel_the_data_lacks_is_declined(question: str, lang: str, written: str) -> None:
    # Was every ticket's count.
    text, language = await _declined(question)
    assert language == lang and written in text


@pytest.mark.parametrize(
    ("question", "lang", "answer"),
    [("tickets 42 y 43", "es", "Muestro un ticket cada vez («tickets 42 y 43»)"),
     ("show tickets #42, #43", "en", "I show one ticket at a time (“tickets #42, #43”)")],
)  # fmt: skip
async def test_several_tickets_by_number_are_declined(
    question: str, lang: str, answer: str
) -> None:
    # Was the count of every ticket.
    text, events, tools = await ask(question)
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.language == lang
    assert tools.calls == [] and answer in text


async def test_a_ticket_number_below_one_is_not_understood() -> None:
    text, _, tools = await ask("ticket -5")
    assert tools.calls == [] and "No he entendido" in text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [("NPS this month", "en", "NPS"), ("average handle time last month", "en", "handle time"),
     ("¿Cuál es el tiempo medio de gestión?", "es", "tiempo medio de gestión"),
     ("first contact resolution this month", "en", "first contact resolution"),
     # How long open tickets have been open: was the count of open tickets, or a resolution
     # time of tickets that have none.
     ("¿Cuánto tiempo llevan abiertos los tickets urgentes?", "es",
      "Cuánto tiempo llevan abiertos"),
     ("how long have the open tickets been open?", "en", "how long have the open tickets")],
)  # fmt: skip
async def test_a_metric_the_tickets_lack_is_declined(
    question: str, lang: str, written: str
) -> None:
    # "NPS this month" was the count of resolved tickets, "handle time" the resolution time.
    text, language = await _declined(question)
    assert language == lang and written in text


async def test_the_slowest_group_is_a_ranking_not_a_missing_statistic() -> None:
    text, _, tools = await ask("Which channel has the slowest resolution time?")
    assert not text.startswith("Note") and tools.calls[0][0] == "breakdown_tickets"


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [("tickets por categoría y mes", "es", "por categoría y mes"),
     ("resolved tickets by week and channel", "en", "by week and channel"),
     # A status the status breakdown gives, by another field: was the status breakdown alone.
     ("tickets on hold by agent", "en", "by agent"),
     ("tickets escalados por canal", "es", "por canal"),
     # Two groupings with no "and" between: was the series by day, the agent dropped.
     ("tickets por agente por día", "es", "por agente por día"),
     ("tickets per agent per week", "en", "per agent per week")],
)  # fmt: skip
async def test_a_grouping_with_an_interval_or_a_status_is_declined(
    question: str, lang: str, written: str
) -> None:
    # "Tickets por categoría y mes" was by category only.
    text, language = await _declined(question)
    assert language == lang and written in text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [("¿Cuántos tickets se resolvieron en menos tiempo que la media?", "es",
      "en menos tiempo que la media"),
     ("how many tickets were resolved faster than average?", "en", "faster than average")],
)  # fmt: skip
async def test_a_count_against_the_average_is_declined(
    question: str, lang: str, written: str
) -> None:
    # Was the average resolution time itself.
    text, language = await _declined(question)
    assert language == lang and written in text


async def test_faster_than_a_period_is_a_comparison() -> None:
    _, _, tools = await ask("were we faster than last week?")
    assert len(tools.calls) == 2


@pytest.mark.parametrize(
    ("question", "written"),
    [("tickets resolved by john", "john"), ("tickets of agent 99", "agent 99"),
     ("¿Cuántos tickets cerró el agente 7?", "agente 7")],
)  # fmt: skip
async def test_an_agent_the_data_lacks_in_lower_case_or_by_number_is_declined(
    question: str, written: str
) -> None:
    # Each was every ticket's count.
    text, _, tools = await ask(question)
    assert tools.calls == [], text
    assert f"«{written}»" in text or f"“{written}”" in text, text


@pytest.mark.parametrize(
    ("question", "lang"),
    [("¿Qué categoría creció más este mes?", "es"), ("which category grew the most?", "en"),
     # Were the best CSAT agent, and "no agent called improved".
     ("¿qué agente mejoró más su CSAT?", "es"), ("which agent improved the most?", "en")],
)  # fmt: skip
async def test_which_value_grew_most_is_a_comparison_of_breakdowns(
    question: str, lang: str
) -> None:
    # "¿Qué categoría creció más?" was the biggest category this month, not the one that grew.
    text, language = await _declined(question)
    assert language == lang
    assert ("no desgloses" if lang == "es" else "not a breakdown") in text


async def test_where_without_a_source_is_no_field() -> None:
    # "¿Dónde hay más tickets?" was the count of every ticket.
    text, _ = await _declined("¿Dónde hay más tickets?")
    assert "«Dónde»" in text


@pytest.mark.parametrize(
    ("question", "lang", "written"),
    [
        # A count of days ("¿Cuántos días hubo tickets urgentes?" was the urgent tickets' count).
        ("¿Cuántos días hubo tickets urgentes?", "es", "Cuántos días"),
        ("how many weeks had more created than resolved?", "en", "how many weeks"),
        # The backlog of a past date: each was the open tickets created in one period (against
        # another).
        ("¿Ha crecido el backlog este mes?", "es", "backlog"),
        ("backlog this week vs last week", "en", "backlog"),
        # The open ones among each week's new tickets, compared: another question.
        ("¿Tenemos menos tickets abiertos que la semana pasada?", "es", "abiertos"),
        ("open tickets over time", "en", "open tickets"),
        ("unresolved tickets trend", "en", "unresolved"),
        # A threshold on a count: was this month's count against last month's.
        ("which agents resolved more than 20 tickets this month?", "en", "more than 20 tickets"),
        ("agentes con más de 20 tickets", "es", "más de 20 tickets"),
        # Of ratings: "at least" read as lowest first.
        ("Top 3 agents by CSAT with at least 10 ratings", "en", "at least 10 ratings"),
        ("mejor CSAT por agente con al menos 20 valoraciones", "es", "al menos 20 valoraciones"),
        # A first name in lower case that no agent has: each was every resolved ticket.
        ("tickets de juan", "es", "«juan»"),
        ("tickets for maria this week", "en", "“maria”"),
    ],
)
async def test_what_no_tool_answers_is_declined_naming_it(
    question: str, lang: str, written: str
) -> None:
    text, language = await _declined(question)
    assert language == lang
    assert written in text


@pytest.mark.parametrize("question", ["el backlog", "backlog by priority", "backlog de Billing"])
async def test_the_backlog_now_is_answered(question: str) -> None:
    _, _, tools = await ask(question)
    assert tools.calls[0][1]["status"] == "open"


async def test_a_first_name_in_lower_case_an_agent_has_is_that_agent() -> None:
    _, _, tools = await ask("tickets de diego esta semana")
    assert tools.calls[0][1]["agent"] == "diego.navarro@demo.cschat.dev"


async def test_a_priority_code_is_no_percentile() -> None:
    # "P1" was declined as a percentile of ticket counts.
    text, _ = await _declined("¿cuántos tickets P1?")
    assert text.startswith("No encuentro «P1» entre las categorías, prioridades"), text
