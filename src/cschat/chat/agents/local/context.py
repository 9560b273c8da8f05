"""Follow-ups ("¿y la semana pasada?", "and for billing?") reuse the last question's context."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from cschat.chat.agents.local.filters import EVERYONE, in_dimension_order
from cschat.chat.agents.local.intents import Question, against_all, ranking_order
from cschat.chat.agents.local.periods import BadPeriod, Period, nth_of_year
from cschat.chat.agents.local.planner import compares_values

_ANALYTIC = frozenset({"count", "breakdown", "stats", "trend", "compare", "search"})
# A follow-up naming only a metric keeps the shape ("¿y el tiempo medio?" after "por agente").
_KEEPS_SHAPE = frozenset({"breakdown", "trend", "compare"})
_GROUPED = frozenset({"breakdown", "trend"})
# Statistics that have an average only, by the `missing` note that says so.
_AVERAGE_ONLY = {"avg_csat": "csat", "avg_first_response_minutes": "first_response"}


def is_analytic(question: Question | None) -> bool:
    """True when the question's figures can serve as context for the next one."""
    return question is not None and question.intent in _ANALYTIC


def is_context(question: Question) -> bool:
    """True when the question can serve as context: analytic, or one ticket ("¿y el 46?")."""
    return is_analytic(question) or question.intent == "ticket"


def _changed_value(earlier: Question, previous: Question) -> tuple[str, str] | None:
    """The filter value `previous` (a follow-up: "¿y de envíos?") put where `earlier` had
    another of the same dimension, all else equal."""
    if earlier.periods != previous.periods or len(earlier.filters) != len(previous.filters):
        return None
    gone = [pair for pair in earlier.filters if pair not in previous.filters]
    came = [pair for pair in previous.filters if pair not in earlier.filters]
    if len(gone) == 1 and len(came) == 1 and gone[0][0] == came[0][0]:
        return came[0]
    return None


def _them(question: Question, previous: Question, earlier: Question | None) -> Question | None:
    """ "Compáralos", "compare them" with nothing else, after two answers that differ in one
    value or one period: those two, the earlier first ("billing este mes", "¿y de envíos?",
    "compáralos": billing against shipping). None otherwise."""
    if earlier is None or question.intent != "compare" or not question.refers_back:
        return None
    if question.periods or question.filters or not is_analytic(earlier):
        return None
    if (value := _changed_value(earlier, previous)) is not None:
        filters = in_dimension_order([*earlier.filters, value])
        return replace(previous, language=question.language, intent="compare", filters=filters,
                       followup=True)  # fmt: skip
    one_each = len(earlier.periods) == len(previous.periods) == 1
    if one_each and earlier.periods != previous.periods and earlier.filters == previous.filters:
        periods = (earlier.periods[0], previous.periods[0])
        return replace(previous, language=question.language, intent="compare", periods=periods,
                       followup=True)  # fmt: skip
    return None


def _before(period: Period, asked: tuple[Period, ...]) -> Period:
    """The period just before `period`: as long as the one asked when that is a number of days,
    weeks or months ("¿y los 30 días anteriores?"), else the previous one of its kind."""
    if asked and asked[0].kind == "days":
        length = asked[0].end - asked[0].start
        end = period.start - timedelta(days=1)
        return Period(end - length, end, "days")
    return period.previous()


def resolve(
    question: Question,
    previous: Question | None,
    earlier: Question | None = None,
    *,
    today: date,
) -> Question:
    """The question to answer: a follow-up laid over the previous analytic question (and, for
    "compáralos", the one before it: `earlier`)."""
    if question.declined:  # "¿y por hora?": nothing of the previous question answers it
        return question
    alone = not (question.periods or question.filters or question.dimension or question.interval)
    if previous is not None and previous.intent == "ticket" and question.refers_ticket and alone:
        # "¿Quién lo resolvió?", "¿cuánto tardó?" after ticket 45: ticket 45, with its agent,
        # times and rating, never the whole team's figure.
        return replace(previous, language=question.language)
    if question.bare_number is not None:
        if previous is not None and previous.ticket_id:
            # "¿Y el 46?" after ticket 45 (or tickets like it): the same about ticket 46.
            return replace(previous, language=question.language, ticket_id=question.bare_number)
        if not question.periods:  # "¿y el 5?" after a count: not the count again
            return replace(question, intent="unknown")
    ranked = previous is not None and previous.intent == "breakdown" and previous.dimension
    if question.pick_one and not ranked:
        return replace(question, intent="unknown")  # no values listed to pick one from
    if question.intent is None and not is_analytic(previous):
        return replace(
            question, intent="count" if question.periods or question.filters else "unknown"
        )
    if previous is None or not is_analytic(previous):
        return question
    if not (question.followup or question.intent is None):
        return question
    grouped = previous.intent in _GROUPED and (previous.dimension or previous.interval)
    if question.intent == "compare" and grouped and not (question.dimension or question.interval):
        # "Compáralos", "compáralo con el mes pasado" after tickets by channel: two breakdowns or
        # series are not compared, and their totals are no answer instead.
        return replace(question, intent="unknown", declined=("compare_grouped", ""))
    if (both := _them(question, previous, earlier)) is not None:
        return both
    if question.pick_one:
        # "¿Cuál es la peor en CSAT?" after tickets by category: that grouping's worst one.
        stats = question.stats or previous.stats
        return replace(previous, language=question.language, stats=stats, limit=1,
                       order=ranking_order(question.pick_one, stats), reverse=False,
                       missing=question.missing, followup=True)  # fmt: skip
    whose = against_all(previous.filters) if question.against_everyone else None
    if question.against_everyone and (whose is None or (whose, EVERYONE) in previous.filters):
        return replace(question, intent="unknown")  # the previous figure was everyone's
    if whose is not None:
        # "Compáralo con el equipo" after my CSAT this month: mine against everyone's.
        filters = (*previous.filters, (whose, EVERYONE))
        periods = question.periods[:1] or previous.periods[:1]
        return replace(previous, language=question.language, intent="compare", filters=filters,
                       periods=periods, followup=True)  # fmt: skip
    intent = question.intent or previous.intent
    if question.intent == "stats" and previous.intent in _KEEPS_SHAPE:
        intent = previous.intent
    # "Compare with shipping" after billing's figure: billing against shipping, not two periods.
    added = question.filters[0] if len(question.filters) == 1 else None
    versus = (
        question.intent == "compare"
        and not question.periods
        and added is not None
        and any(d == added[0] and v != added[1] for d, v in previous.filters)
    )
    periods = question.periods or previous.periods
    if question.nth is not None:
        # "¿Y el segundo?" after the first quarter: the second quarter of that year. After a
        # ranking it could be the second place: not guessed.
        ranking = previous.intent == "breakdown"
        nth = nth_of_year(previous.periods[0], question.nth, today) if previous.periods else None
        if nth is None or ranking:
            return replace(question, intent="unknown")
        periods = (nth,)
    try:
        if question.before_that and previous.periods:
            periods = (_before(previous.periods[0], question.periods),)
        if intent == "compare" and len(periods) == 1 and not versus:
            if (question.refers_back or question.against) and question.periods and previous.periods:
                periods = (previous.periods[0], periods[0])  # "compáralo con agosto"
            elif not (compares_values(previous) and question.intent is None):
                periods = (periods[0], periods[0].previous())
            # else "¿y el mes pasado?" after "billing vs shipping": the same two, last month
    except BadPeriod as exc:
        return replace(question, intent="unknown", bad_period=str(exc))
    if intent == "search" and not (question.query or previous.query or previous.ticket_id):
        return replace(question, intent="unknown")  # "¿y cómo se resolvieron?" after a count
    asked = {dimension for dimension, _ in question.filters}
    dropped = {*asked, *question.unfiltered}  # "¿y sin filtros?", "¿y todos los canales?"
    if versus:
        dropped -= asked  # billing stays, against shipping
    kept = [pair for pair in previous.filters if pair[0] not in dropped]
    dimension = question.dimension or (previous.dimension if intent == "breakdown" else None)
    stats = question.stats or previous.stats
    if intent == "breakdown" and not question.dimension and dimension in asked:
        # "¿Y solo los urgentes?" after "por prioridad": that value's figure, not a one-row list.
        intent, dimension = ("stats" if stats else "count"), None
    missing = question.missing if question.stats else previous.missing
    if question.bare_stat and previous.stats and set(previous.stats) <= set(_AVERAGE_ONLY):
        # "¿Y la mediana?" after CSAT by channel: CSAT has an average only; say so, keep CSAT.
        stats = previous.stats
        missing = tuple((_AVERAGE_ONLY[s], question.bare_stat) for s in previous.stats)
    if intent == "trend" and previous.intent == "breakdown" and previous.dimension:
        # "Como tendencia" after "por canal": the tools' series has no grouping; it says so.
        missing = (*missing, ("ungrouped", previous.dimension))
        dimension = None
    order = question.order if question.dimension or question.order else previous.order
    reverse = previous.reverse and not (question.dimension or question.order or question.limit)
    if question.reorder and intent == "breakdown" and previous.limit:
        # "Ordénalo de menor a mayor" after a top 3: those three, the other way round.
        order = previous.order
        reverse = question.order != (order or "desc")
    return replace(
        previous,
        language=question.language,
        intent=intent,
        periods=periods,
        date_field=question.date_field or previous.date_field,
        status=question.status or previous.status,
        filters=in_dimension_order([*kept, *question.filters]),
        dimension=dimension,
        stats=stats,
        missing=missing,
        interval=question.interval or previous.interval,
        limit=question.limit if question.dimension or question.limit else previous.limit,
        order=order,
        reverse=reverse,
        peak=question.peak
        or (previous.peak if intent == "trend" and not question.interval else None),
        query=question.query or previous.query,
        unit=question.unit or previous.unit,
        followup=True,
    )
