"""What a question asks: intent, periods, filters, dimension, metric, interval, search, ticket.

Fields the question does not state stay None, so a follow-up ("¿y la semana pasada?") can be laid
over the previous question's context (`context.py`) and defaults are applied only by the planner.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cschat.chat.agents.local import patterns as rx
from cschat.chat.agents.local.filters import (
    DIMENSIONS,
    EVERYONE,
    NOT_VALUES,
    TEAM_WORDS,
    FilterMatch,
    Vocabulary,
    bare_teams,
    find_filters,
    in_dimension_order,
)
from cschat.chat.agents.local.language import Language, detect_language
from cschat.chat.agents.local.peaks import Peak
from cschat.chat.agents.local.periods import (
    MONTHS,
    ORDINALS,
    WEEKDAYS,
    AmbiguousDate,
    BadPeriod,
    Period,
    current,
    find_periods,
)
from cschat.chat.agents.local.text import fold, stem
from cschat.chat.agents.local.typos import fix_key_words

# The search tool's longest query; the most rows a breakdown returns.
from cschat.tickets.tools import MAX_QUERY_CHARS, MAX_ROWS

Intent = Literal[
    "count", "breakdown", "stats", "trend", "compare", "search", "ticket", "greeting", "help",
    "unknown",
]  # fmt: skip
Unit = Literal["day", "hour", "minute"]
# How a superlative ranks: by its own direction, or better/worse, which depends on the metric.
Ranking = Literal["asc", "desc", "better", "worse"]
Stat = Literal["avg_hours", "median_hours", "p90_hours", "avg_first_response_minutes", "avg_csat"]
ALL_STATS: tuple[Stat, ...] = (
    "avg_hours", "median_hours", "p90_hours", "avg_first_response_minutes", "avg_csat",
)  # fmt: skip
# Resolution time asked without naming a statistic.
RESOLUTION_STATS: tuple[Stat, ...] = ("avg_hours", "median_hours", "p90_hours")


@dataclass(frozen=True, slots=True)
class Question:
    """A parsed question; None means "not said" (so a follow-up inherits it)."""

    language: Language
    intent: Intent | None = None
    periods: tuple[Period, ...] = ()
    date_field: Literal["resolved", "created"] | None = None
    status: Literal["resolved", "open", "any"] | None = None
    filters: tuple[tuple[str, str], ...] = ()
    dimension: str | None = None
    stats: tuple[Stat, ...] = ()
    interval: Literal["day", "week", "month"] | None = None
    limit: int | None = None
    order: Literal["asc", "desc"] | None = None
    query: str | None = None
    ticket_id: int | str | None = None
    followup: bool = False
    before_that: bool = False
    refers_back: bool = False  # "compáralo con agosto": compare the previous answer's period
    # The one period is what is compared against ("more than last week"), not the first of two.
    against: bool = False
    # "Compáralo con el equipo": the previous question's value against everyone (`context`).
    against_everyone: bool = False
    # A greeting that thanks ("gracias"), says goodbye ("adiós") or only acknowledges ("ok"): the
    # `wording.CANNED` kind of its reply.
    courtesy: Literal["thanks", "bye", "ack"] | None = None
    # Dimensions whose previous filters a follow-up drops ("¿y sin filtros?": all of them).
    unfiltered: tuple[str, ...] = ()
    created_and_resolved: bool = False  # "¿cuántos nuevos y cuántos resueltos?": two counts
    open_and_resolved: bool = False  # "¿cuántos hay abiertos y cuántos cerrados?": two counts
    # "How many were created today and what is their first response time?": the count too.
    with_count: bool = False
    unit: Unit | None = None  # "in days", "¿cuántas horas?": times written in that unit
    bad_period: str | None = None
    # Why the tools cannot answer it exactly (a `wording.CANNED` kind) and the words that say so.
    declined: tuple[str, str] | None = None
    # (metric, statistic as written) asked for but not computed: only the average is answered.
    missing: tuple[tuple[str, str], ...] = ()
    # Known agent names close to an unknown one the question asked about.
    suggestions: tuple[str, ...] = ()
    # The whole question is one number ("¿y el 46?"): after a ticket, that ticket.
    bare_number: int | None = None
    # It names one ticket by a pronoun ("¿quién lo resolvió?"): after a ticket, that ticket.
    refers_ticket: bool = False
    # One period asked for ("¿qué día hubo más tickets?", "the worst week for CSAT"): the series
    # by that unit, led by the periods holding its highest or lowest value.
    peak: Peak | None = None
    # Key words read from one slip ("semna" for "semana"): (written, meant), said in the answer.
    typos: tuple[tuple[str, str], ...] = ()
    # A summary of a window ("resumen de la semana pasada", "how are we doing?"): its statistics
    # and how many tickets came in.
    summary: bool = False
    # How many values there are ("¿cuántos agentes resolvieron tickets?"): the breakdown, led by
    # its number of groups.
    count_groups: bool = False
    # A median or P90 asked with no metric ("¿y la mediana?"): as written, so a follow-up after a
    # CSAT figure says CSAT has only an average rather than switching to resolution time.
    bare_stat: str | None = None
    # Only an order ("ordénalo de menor a mayor"): the previous ranking's rows, in that order.
    reorder: bool = False
    # The rows are shown in the opposite order of `order`: a top 3 sorted the other way is the
    # same three, not the bottom three.
    reverse: bool = False
    # "¿Cuál es la peor en CSAT?" after a breakdown: its one best or worst value, ranked this way
    # (`ranking_order`).
    pick_one: Ranking | None = None
    # "¿Y el segundo?" after the first quarter: the second quarter (`periods.nth_of_year`).
    nth: int | None = None


def parse(
    text: str,
    *,
    today: date,
    vocabulary: Vocabulary,
    user_email: str | None = None,
    default_language: Language = "es",
) -> Question:
    """Parse one question in Spanish or English; nothing is looked up, nothing is guessed."""
    language = detect_language(text, default_language)
    text, typos = fix_key_words(text, language, lambda word: _known_word(word, vocabulary))
    folded = fold(text)
    if rx.CODE.search(folded) or sum(ch in rx.CODE_CHARS for ch in text) >= 3:
        # "DROP TABLE tickets; --": code around a keyword is not a question about tickets.
        return Question(language, "unknown")
    bare = rx.BARE_NUMBER.match(folded)
    bare_number = int(bare[1]) if bare and int(bare[1]) > 0 else None
    if bare_number and not 1900 <= bare_number <= 2099:
        return Question(language, None, followup=True, bare_number=bare_number)
    several = rx.TICKET_IDS.search(folded)
    if several:
        # "Tickets 42 y 43": never a count of all tickets instead.
        return Question(language, "unknown", declined=("one_ticket", _written(text, several)))
    if rx.NO_TICKET_ID.search(folded):
        return Question(language, "unknown")  # "ticket -5": not the count of every ticket
    ticket = rx.TICKET_ID.search(folded)
    external = rx.EXTERNAL_ID.search(text)
    if ticket or external:
        ticket_id: int | str
        if external:
            ticket_id = external[1]
        else:
            assert ticket is not None
            ticket_id = int(next(g for g in ticket.groups() if g))
        how_solved = [m.span() for m in rx.HOW_SOLVED.finditer(folded)]
        if rx.SEARCH.search(_blank(folded, how_solved)):
            # "Tickets parecidos al ticket 42": search with that ticket's subject (but "how was
            # ticket 42 solved?" is that ticket, with its resolution).
            found = rx.SEARCH_LIMIT.search(folded)
            limit = int(found[1]) if found else None
            return Question(language, "search", ticket_id=ticket_id, limit=limit)
        return Question(language, "ticket", ticket_id=ticket_id)
    try:
        period_matches = find_periods(folded, today)
    except BadPeriod as exc:
        written = re.sub(r"^(?:el|del|the|on)\s+", "", text[_span_of(folded, str(exc))], flags=re.I)
        if isinstance(exc, AmbiguousDate):
            return Question(language, "unknown", declined=("ambiguous_date", written))
        return Question(language, "unknown", bad_period=written)
    periods = tuple(m.period for m in period_matches)
    period_spans = [m.span for m in period_matches]
    for start, end in period_spans:
        if bound := rx.OPEN_BOUND.search(folded[:start]):
            # "Tickets hasta octubre": never October's figure (or all time's) instead.
            return Question(
                language, "unknown", declined=("unread_period", text[bound.start() : end])
            )

    query, query_span = _search_query(text, folded, period_spans)
    skip = [*period_spans, *([query_span] if query_span else [])]
    filters = find_filters(folded, vocabulary, skip=skip)
    unhyphened = rx.NON_PREFIX.sub(r"\1 ", folded)
    if unhyphened != folded:
        filters = find_filters(unhyphened, vocabulary, skip=skip)
    if not filters and (level := rx.BARE_LEVEL.search(folded)):
        # "¿y de alta?": the priority the data calls high, where the words were written.
        span = level.span("level")
        filters = [
            FilterMatch(f.dimension, f.value, span)
            for f in find_filters(rx.LEVELS[level["level"][:3]], vocabulary)
        ]
    filters = [*filters, *_next_levels(folded, filters, vocabulary)]
    teams = bare_teams(folded, vocabulary, skip=[*skip, *(f.span for f in filters)])
    if rx.DIM["team"].search(folded) or (len(teams) > 1 and rx.COMPARE.search(folded)):
        # "El equipo Norte frente al Sur", "Norte vs Sur este mes": team names without the team
        # word, where the question names teams or sets two against each other.
        filters = sorted([*filters, *teams], key=_span_start)
    for f in filters:
        if negation := rx.NEGATED_VALUE.search(unhyphened[: f.span[0]]):
            # "Tickets no urgentes": never the figure for the urgent ones instead.
            written = text[negation.start() : f.span[1]]
            return Question(language, "unknown", declined=("negated_filter", written))
    # Filter values become a filler word, so "by the Enterprise team" is not "by team".
    rest = _blank(_blank(folded, skip), [f.span for f in filters], fill="·")
    rest = _blank(rest, [m.span() for m in rx.BY_THE_TEAM.finditer(rest)])
    pair = rx.STATUS_PAIR.search(rest)
    if pair:  # "cerrados vs resueltos": the status breakdown, not a comparison of periods
        rest = _blank(rest, [pair.span()])

    intent: Intent | None = None
    if query is None and rx.FOLLOWUP.search(folded) and rx.SEARCH.search(rest):
        # "¿Y cómo se resolvieron?" after a search: the same search (`context.resolve`).
        intent = "search"
    if query is not None:
        if not re.search(r"[a-z0-9]", fold(query)):
            # "busca tickets sobre ***": nothing to search for, so nothing to answer with.
            return Question(language, "unknown")
        intent = "search"
    marker = bool(rx.FOLLOWUP.search(folded))
    filter_pairs = tuple((f.dimension, f.value) for f in filters)
    first_person = rx.SELF.search(rest) or rx.SELF_UNACCENTED.search(text.lower())
    if user_email and "agent" not in {d for d, _ in filter_pairs} and first_person:
        filter_pairs = (*filter_pairs, ("agent", user_email))
    against_everyone = False
    if (versus := rx.AGAINST_ALL.search(rest)) and (alone := against_all(filter_pairs)):
        # "My CSAT vs the team", "billing comparado con el resto": that value's figure against
        # everyone's (a call without the filter, named so), never the grouping by team.
        rest = _blank(rest, [versus.span()])
        filter_pairs = (*filter_pairs, (alone, EVERYONE))
        intent = intent or "compare"
    elif versus and not filter_pairs and rx.REFERS_BACK.search(folded):
        # "Compáralo con el equipo" after my CSAT: the previous value against everyone's.
        rest = _blank(rest, [versus.span()])
        against_everyone = True
        intent = intent or "compare"
    date_field, status = _date_field_and_status(rest, bool(periods))
    both = (date_field, status) == ("created", "resolved") and bool(rx.TWO_COUNTS.search(rest))
    if both:
        status = None
    # "¿Cuántos hay abiertos y cuántos cerrados?": the open ones and the resolved ones.
    opened = [m.span() for m in rx.OPEN.finditer(rest)]
    open_and_resolved = (
        status == "open"
        and bool(rx.TWO_COUNTS.search(rest))
        and bool(rx.RESOLVED.search(_blank(rest, opened)))
    )
    stats = _stats(rest)
    if not stats and _how_was(rest, bool(periods or filter_pairs)):
        stats = ALL_STATS  # "How was last week?": its summary, not its resolved count
    interval = next((name for name, words in rx.INTERVALS if words.search(rest)), None)
    count_groups = False
    peak = rx.PEAK.search(rest)
    if interval is None and peak:
        interval = _PEAK_UNITS[next(unit for unit in peak.groups() if unit)]
    dimension = "status" if pair else _dimension(rest)
    than = next((f for f in filters if f.dimension == dimension and _after_than(folded, f)), None)
    if than is not None:
        # "¿Qué agente resolvió más que Diego?": every agent ranked, Diego in his place; never
        # Diego's row alone, which read as if he led.
        filter_pairs = tuple(p for p in filter_pairs if p != (than.dimension, than.value))
    if dimension is None and not periods and rx.NEW_TICKETS.search(rest):
        dimension = "status"
    if interval and _summary_of_period(rest):
        # "Weekly summary": this week's figures; "informe mensual de octubre": October's.
        periods = periods or tuple(p for p in (current(interval, today),) if p)
        interval = None
    if intent is None and rx.WENT_DOWN.search(text.lower()):
        intent = "compare"  # "¿Bajó el tiempo de resolución en octubre?"
    if intent is None:
        intent = _intent(rest, periods, interval, dimension, stats, bool(filter_pairs), marker)
    bare_filter = filter_pairs and not (periods or date_field or status or rx.COUNT.search(rest))
    if marker and intent == "count" and bare_filter:
        intent = None  # "only for urgent tickets" after CSAT by channel: that, filtered
    if both and intent in ("compare", "breakdown"):
        # "created vs resolved this week": the two counts of that week; "... by week": two series.
        intent = "trend" if interval else "count"
    if open_and_resolved and intent == "compare" and not interval:
        intent = "count"  # "open vs closed tickets": the two counts
    before = folded[: period_spans[0][0]] if len(period_spans) == 1 else None
    intent, dimension, against = _comparison(intent, dimension, filter_pairs, rest, periods, before)
    if than is not None and intent == "compare" and len(periods) <= 1:
        intent = "breakdown"  # "which agents closed more than Diego this month?": the ranking
    ratio = rx.RATIO.search(rest)
    if (
        intent == "unknown"
        and ratio
        and (rx.RESOLUTION_WORD.search(rest) or rx.TICKETS.search(rest))
    ):
        # "Tasa de resolución": a rate of tickets, which no tool computes.
        return Question(language, "unknown", declined=_ratio(rest, text, ratio, filters))
    if intent == "count" and not (periods or date_field or status) and rx.TOTAL.search(rest):
        date_field, status = "created", "any"  # "¿Cuántos tickets hay?": all of them
    distinct = rx.DISTINCT.search(rest)
    groups = distinct or rx.WHICH_VALUES.search(rest)
    named = next((d for d, words in rx.DIM.items() if groups and words.search(groups[0])), None)
    if groups and named not in (None, "status"):
        # "¿Cuántos agentes resolvieron tickets esta semana?", "¿qué canales hay?": the breakdown,
        # whose groups are the values there are (each with its tickets).
        intent, dimension, count_groups = "breakdown", named, distinct is not None
        rest = _blank(rest, [groups.span()])
        if not (date_field or status or stats):
            # Every ticket, whatever its state; a time or a CSAT is of resolved tickets ("list
            # the agents with the lowest CSAT" read the tickets created in the window).
            date_field, status = "created", "any"
    values = len({d for d, _ in filter_pairs}) < len(filter_pairs)  # "chat o email"
    open_word = rx.OPEN.search(rest) if status == "open" and intent == "compare" else None
    if open_word and periods and not values and not rx.CREATED.search(_blank(rest, opened)):
        # "¿Tenemos menos tickets abiertos que la semana pasada?": how many were open then is
        # not kept; the open ones among each week's new tickets would answer another question.
        written = _written(text, open_word)
        return Question(language, "unknown", declined=("no_backlog_history", written))
    if len(periods) > 2:
        # "En enero, febrero y marzo": two periods are compared, and none is left out silently.
        return Question(language, "unknown", declined=("too_many_periods", str(len(periods))))
    if (intent == "compare" and (dimension or interval or rx.TREND_NOUN.search(rest))) or (
        dimension and rx.MOST_IMPROVED.search(rest)
    ):
        # Periods (or values) are compared by their totals, averages or medians: a breakdown or
        # a series of each is not given, and the totals are not an answer instead.
        return Question(language, "unknown", declined=("compare_grouped", ""))
    if intent not in ("greeting", "help", "unknown"):
        # Words no rule used would leave a figure for another question: decline instead.
        declined = _unanswerable(rest, text, intent, filters)
        if declined:
            return Question(language, "unknown", declined=declined)
        name = _unknown_agent(text, [*skip, *(f.span for f in filters)], vocabulary)
        if name:
            # "¿Cuántos tickets resolvió Carlos?": never the whole team's figure instead.
            return Question(language, "unknown", declined=("unknown_agent", name),
                            suggestions=_closest_agents(name, vocabulary))  # fmt: skip
        places = (rx.PLACE, rx.PLACE_LOWER, rx.DIMENSION_NAMED, rx.DIMENSION_NAMED_LOWER)
        place = _unread_names(text, [*skip, *(f.span for f in filters)], places)
        place = place or _unread_topic(text, folded, rest)
        if place:
            # "Tickets from Spain": never everyone's figure for a value the data does not have.
            return Question(language, "unknown", declined=("unknown_value", place))
    # Only a period or a filter and no other words ("la semana pasada", "billing") continues the
    # conversation; a longer question we cannot place is not understood rather than guessed.
    unfiltered = _unfiltered(rest)
    if intent == "unknown" and unfiltered:
        intent = None  # "quita el filtro", "for all categories": the previous question, wider
    sorts = [m.span() for m in rx.SORT.finditer(rest)]
    sorted_only = bool(sorts) and not _content_words(_blank(rest, sorts))
    if intent == "unknown" and sorted_only:
        intent = None  # "ordénalo de menor a mayor": the previous ranking, in that order
    cut_only = bool(rx.TOP_N.search(rest)) and not _content_words(
        _blank(rest, _grouping_spans(rest))
    )
    if intent == "unknown" and cut_only:
        intent = None  # "top 3", "los 3 peores": the previous ranking, that long
    followup = marker or (
        intent is None
        and (len(_content_words(rest)) <= 1 or bool(unfiltered) or sorted_only or cut_only)
    )
    if intent in ("breakdown", "trend") and not (periods or filter_pairs or stats or date_field):
        # "By channel", "por semana", "top 3", "el día con más": only a grouping or a ranking's
        # length, which regroups or cuts the previous question.
        words = _content_words(_blank(rest, _grouping_spans(rest)))
        followup = followup or not words
        if intent == "breakdown" and not dimension and not words:
            intent = None
    if intent == "compare" and len(filter_pairs) == 1 and not (periods or stats or dimension):
        # "Compare with shipping": the previous figure, against that value.
        spans = [m.span() for m in rx.COMPARE.finditer(rest)]
        followup = followup or not _content_words(_blank(rest, spans))
    if (
        intent == "stats"
        and not (periods or filter_pairs or dimension or interval)
        and rx.REFERENCE.search(rest)
    ):
        # "¿Cuál fue el tiempo medio?" after "¿Cuántos resolvimos ayer?": for those tickets.
        followup = True
    unscoped = not (periods or filter_pairs or dimension)
    ordinal = rx.ORDINAL_ALONE.search(rest) if unscoped and not stats else None
    nth = ORDINALS[ordinal["n"]] if ordinal else None
    followup = followup or nth is not None
    if intent == "count" and unscoped and rx.OF_THOSE.search(rest):
        # "¿Cuántos de esos siguen abiertos?" after yesterday's new tickets: of those.
        followup = True
    pick_one = _pick_one(rest, intent) if unscoped else None
    if pick_one:
        followup, intent = True, None if intent == "unknown" else intent
    if intent is None and not followup:
        intent = "unknown"
    if intent in ("greeting", "help"):
        return Question(
            language, intent, courtesy=_courtesy(rest) if intent == "greeting" else None
        )
    limit, order = _limit_and_order(rest, intent, dimension, stats)
    if than is not None:
        limit = MAX_ROWS  # every value, so the one measured against is in the list
    if groups and intent == "breakdown" and named == dimension and limit is None:
        limit = MAX_ROWS  # the values there are: all of them, not the first ten
    if sorted_only:
        order = "asc" if rx.SORT_ASC.search(rest) else "desc"
    listed = rx.LIST_VERB.search(rest)
    if intent == "search":
        found = rx.SEARCH_LIMIT.search(rest)
        limit = int(found[1]) if found else None
    return Question(
        language,
        intent,
        periods=periods,
        date_field=date_field,
        status=status,
        filters=in_dimension_order(filter_pairs),
        dimension=dimension,
        stats=stats,
        interval=interval,
        limit=limit,
        order=order,
        query=query,
        followup=followup,
        before_that=bool(rx.BEFORE_THAT.search(folded)),
        refers_back=bool(rx.REFERS_BACK.search(folded)),
        against=against,
        against_everyone=against_everyone,
        unfiltered=unfiltered,
        created_and_resolved=both,
        open_and_resolved=open_and_resolved,
        unit=_unit(rest),
        bare_number=bare_number,  # "¿y el 2024?": the year, or ticket 2024 after a ticket
        refers_ticket=bool(rx.TICKET_REF.search(rest)),
        reorder=sorted_only,
        pick_one=pick_one,
        nth=nth,
        count_groups=count_groups,
        bare_stat=_bare_stat(rest, text),
        typos=typos,
        summary=intent == "stats" and stats == ALL_STATS and date_field != "created",
        with_count=intent == "stats" and date_field == "created" and bool(rx.COUNT.search(rest)),
        # The words just after count too: "el día más tranquilo".
        peak=_peak(rest[peak.start() : peak.end() + 20]) if peak and intent == "trend" else None,
        # A ranking or a comparison reads "best" or "slowest" as its order, not as a statistic.
        missing=(
            *_missing(rest, text, bool(dimension or interval or pick_one) or intent == "compare"),
            *((("listed", _written(text, listed)),) if listed and intent == "count" else ()),
        ),
    )


def _courtesy(rest: str) -> Literal["thanks", "bye", "ack"] | None:
    if rx.THANKS.search(rest):
        return "thanks"
    if rx.BYE.search(rest):
        return "bye"
    if rx.ACK.search(rest) and not rx.GREETING.search(rx.ACK.sub(" ", rest)):
        return "ack"
    return None


def _next_levels(
    folded: str, filters: Sequence[FilterMatch], vocabulary: Vocabulary
) -> list[FilterMatch]:
    """ "Urgentes y altos": a level named right after a priority ("altos" alone is no priority)."""
    found = []
    for f in filters:
        level = rx.NEXT_LEVEL.match(folded, f.span[1]) if f.dimension == "priority" else None
        if level:
            span = level.span("level")
            found += [
                FilterMatch(m.dimension, m.value, span)
                for m in find_filters(rx.LEVELS[level["level"][:3]], vocabulary)
                if (m.dimension, m.value) not in {(g.dimension, g.value) for g in filters}
            ]
    return found


def _summary_of_period(rest: str) -> bool:
    """ "Resumen semanal", "monthly report": a summary of one week or month, not a series."""
    return bool(
        rx.STATS.search(rest)
        and rx.SUMMARY_OF_PERIOD.search(rest)
        and not (rx.TREND.search(rest) or rx.BY_INTERVAL.search(rest))
    )


def _comparison(
    intent: Intent | None,
    dimension: str | None,
    filter_pairs: Sequence[tuple[str, str]],
    rest: str,
    periods: tuple[Period, ...],
    before: str | None,
) -> tuple[Intent | None, str | None, bool]:
    """The intent and grouping once comparisons written without a comparing verb are read, and
    whether the one period is what the question compares against. `before` is the folded text
    before the question's only period."""
    if intent == "breakdown" and sum(d == dimension for d, _ in filter_pairs) >= 2:
        # "¿Qué canal tiene más tickets, chat o email?": those values side by side, not a ranking
        # of each one alone.
        intent, dimension = "compare", None
    quicker = rx.QUICKER_ES.search(rest)
    dimensions = [d for d, _ in filter_pairs]
    two_values = any(dimensions.count(d) >= 2 for d in dimensions)
    if (
        intent == "stats"
        and (periods or two_values)
        and quicker
        and not rx.ARTICLE_BEFORE.search(rest, 0, quicker.start())
    ):
        # "¿Resolvemos más rápido este mes?": this month against the one before; "¿Lucía
        # resuelve más rápido que Diego?": the two side by side ("la resolución más rápida" is
        # the fastest one, which no tool gives).
        intent = "compare"
    if before is not None and intent in ("count", "stats") and rx.MORE_THAN.search(before):
        intent = "compare"  # "¿más tickets que la semana pasada?"
    against = intent == "compare" and before is not None and bool(rx.AGAINST.search(before))
    return intent, dimension, against


def _unfiltered(rest: str) -> tuple[str, ...]:
    """The dimensions a follow-up asks for all of, dropping the previous question's filters."""
    if rx.NO_FILTERS.search(rest):
        return DIMENSIONS
    return tuple(rx.ALL_DIMENSIONS[m["es"] or m["en"]] for m in rx.ALL_OF_DIMENSION.finditer(rest))


def _span_of(folded: str, fragment: str) -> slice:
    start = max(folded.find(fragment), 0)
    return slice(start, start + len(fragment))


def _blank(folded: str, spans: list[tuple[int, int]], fill: str = " ") -> str:
    """The folded text with spans overwritten (so their words trigger nothing else)."""
    chars = list(folded)
    for start, end in spans:
        chars[start:end] = fill * (end - start)
    return "".join(chars)


def _search_query(
    text: str, folded: str, period_spans: list[tuple[int, int]]
) -> tuple[str | None, tuple[int, int] | None]:
    """The text to search for and where it is, when the question asks for similar tickets."""
    asked = rx.SEARCH.search(_blank(folded, period_spans))
    if not asked:
        return None, None
    quoted = rx.QUOTED.search(text)
    if quoted:
        return quoted[1].strip(), quoted.span()
    colon = folded.find(":")
    marker = rx.TOPIC.search(folded) or rx.SEARCH_VERB.search(folded)
    start = colon + 1 if colon >= 0 else (marker.end() if marker else asked.end())
    if not (colon >= 0 or marker) and asked["x"] and asked["x"].strip():
        # "How were refund delays solved?": the topic sits between the verbs.
        start = asked.start("x")
    end = min([s for s, _ in period_spans if s >= start] + [len(folded)])
    tail = rx.QUERY_TAIL.search(folded, start, end)
    if tail and tail.start() > start:
        end = tail.start()
    query = re.sub(
        r"^(?:(?:el|la|los|las|un|una|the|a|an)\s+)+", "", text[start:end].strip(" ¿?¡!.,;:")
    )
    query = re.sub(r"\s+", " ", query).strip(" ¿?¡!.,;:").lower()
    # "devoluciones de (este mes)": the words that led into the period are not the topic.
    query = rx.QUERY_LEAD_OUT.sub("", query)
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    return (query, (start, end)) if query else (None, None)


def _grouping_spans(rest: str) -> list[tuple[int, int]]:
    """Where `rest` names a grouping: a dimension, a day, week or month interval, or a trend."""
    patterns = [
        *(words for _, words in rx.INTERVALS),
        *rx.PER_DIM.values(),
        *rx.DIM_PER.values(),
        rx.TREND,
        rx.PEAK,
        rx.TOP_N,
        rx.BREAKDOWN,
        rx.SUPERLATIVE,
        rx.WHICH_ONE,  # "¿quién tiene el mejor?", "which channel?"
    ]
    return [m.span() for p in patterns for m in p.finditer(rest)]


_UNIT_NOUNS = frozenset(
    ["dia", "day", "semana", "week", "mes", "month", "trimestre", "quarter", "ano", "year"]
)
# Words for a span of time ("tickets with the period before") and pointing words ("tickets de
# esa semana", "with the same category"): never what tickets are of.
_NOT_TOPICS = _UNIT_NOUNS | frozenset(
    ["periodo", "period", "periods", "periodos", "tiempo", "time", "ventana", "window", "rango",
     "ese", "esa", "esos", "esas", "aquel", "aquella", "aquellos", "aquellas", "mismo", "misma",
     "mismos", "mismas", "same", "other", "otra", "otras", "another", "such", "tal", "tales"]
)  # fmt: skip


def _how_was(rest: str, scoped: bool) -> bool:
    """ "How was last week?", "¿qué tal el mes de octubre?", "¿cómo va el equipo?": nothing
    but a period, a filter or the team after the words that ask how it went."""
    how = rx.HOW_WAS.search(rest)
    if how is None:
        return False
    left = set(_content_words(_blank(rest, [how.span()]))) - _UNIT_NOUNS
    return not left.difference(TEAM_WORDS) and (scoped or bool(left))


def _span_start(found: FilterMatch) -> int:
    return found.span[0]


def _content_words(rest: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", rest) if w not in rx.FILLER_WORDS]


def _peak(words: str) -> Peak:
    """Which end of the series a question asking for one period wants."""
    for way, pattern in rx.PEAK_WAYS:
        if pattern.search(words):
            return way
    return "high"  # "peak", "busiest"


_PEAK_UNITS: dict[str, Literal["day", "week", "month"]] = {
    "dia": "day", "day": "day", "semana": "week", "week": "week", "mes": "month", "month": "month",
}  # fmt: skip


def _intent(
    rest: str,
    periods: tuple[Period, ...],
    interval: str | None,
    dimension: str | None,
    stats: tuple[Stat, ...],
    has_filters: bool,
    marker: bool,
) -> Intent | None:
    if rx.HELP.search(rest):
        return "help"
    if rx.COMPARE.search(rest) or len(periods) >= 2:
        return "compare"
    if interval or rx.TREND.search(rest):
        return "trend"
    if dimension:
        return "breakdown"
    if stats:
        return "stats"
    if (
        rx.COUNT.search(rest)
        or rx.TICKETS.search(rest)
        or rx.CREATED.search(rest)
        or rx.RESOLVED.search(rest)
    ):
        return "count"
    if rx.GREETING.search(rest) and not (periods or has_filters):
        return "greeting"
    if marker or periods or has_filters:
        return None
    return "unknown"


def _dimension(rest: str) -> str | None:
    if rx.STATUS_VALUE.search(rest):
        return "status"
    if rx.WHERE_FROM.search(rest):
        return "channel"
    for name, words in rx.PER_DIM.items():
        if words.search(rest):
            return name
    for name, words in rx.DIM_PER.items():
        if words.search(rest):
            return name
    for name, words in rx.DIM_OF.items():
        if words.search(rest):
            return name
    many = rx.WHICH_MANY.search(rest) and not rx.COUNT_THRESHOLD.search(rest)
    if rx.BREAKDOWN.search(rest) or rx.SUPERLATIVE.search(rest) or many:
        hits = [(m.start(), name) for name, words in rx.DIM.items() for m in words.finditer(rest)]
        if hits:
            return min(hits)[1]
    return None


def _after_than(folded: str, found: FilterMatch) -> bool:
    """The filter value is written after "que"/"than": what the others are measured against."""
    return bool(rx.THAN_BEFORE.search(folded[: found.span[0]]))


def _pick_one(rest: str, intent: Intent | None) -> Ranking | None:
    """How "¿cuál es la peor?" ranks the previous grouping's values; None when it is not that."""
    if intent not in ("stats", "count", "unknown", None) or rx.BY_INTERVAL.search(rest):
        return None
    if not (rx.PICK_ONE.search(rest) and rx.SUPERLATIVE.search(rest)):
        return None
    if rx.ASC.search(rest):
        return "asc"
    return "worse" if rx.WORSE.search(rest) else "better" if rx.BETTER.search(rest) else "desc"


def ranking_order(ranking: Ranking, stats: tuple[Stat, ...]) -> Literal["asc", "desc"]:
    """Lowest first or highest first: for times lower is better; for counts and CSAT higher is."""
    if ranking in ("asc", "desc"):
        return ranking
    return "asc" if (ranking == "worse") != _lower_is_better(stats) else "desc"


def _lower_is_better(stats: tuple[Stat, ...]) -> bool:
    """For times lower is better; for counts and CSAT higher is."""
    return bool(stats) and stats[0] != "avg_csat"


def _limit_and_order(
    rest: str, intent: Intent | None, dimension: str | None, stats: tuple[Stat, ...]
) -> tuple[int | None, Literal["asc", "desc"] | None]:
    if intent not in ("breakdown", None):  # None: "solo los 3 mejores" after a ranking
        return None, None
    lower_is_better = _lower_is_better(stats)
    worse, better = bool(rx.WORSE.search(rest)), bool(rx.BETTER.search(rest))
    lowest_first = (
        rx.ASC.search(rest) or (worse and not lower_is_better) or (better and lower_is_better)
    )
    order: Literal["asc", "desc"] | None = "asc" if lowest_first else None
    if rx.SORT_ASC.search(rest) or rx.SORT_DESC.search(rest):  # "de mayor a menor" has "menor"
        order = "asc" if rx.SORT_ASC.search(rest) else "desc"
    top = rx.TOP_N.search(rest)
    if top:
        return int(re.sub(r"[.,]", "", top[1])), order
    one = rx.WHICH_ONE.search(rest) or rx.ONE_OF.search(rest)
    if rx.SUPERLATIVE.search(rest) and one and dimension:
        plural = re.search(rx.DIMENSIONS_PLURAL[dimension], rest)
        return (None if plural else 1), order
    return None, order


def _written(text: str, found: re.Match[str]) -> str:
    """The words of a match over the folded text, as the question wrote them."""
    return text[found.start() : found.end()]


def _ratio(
    rest: str, text: str, ratio: re.Match[str], filters: Sequence[FilterMatch]
) -> tuple[str, str]:
    """A rate of resolution (`no_ratio`), the share of a value ("% of tickets are urgent",
    `no_share`), which a breakdown gives as counts, or CSAT as a percentage (`no_csat_share`)."""
    resolution = rx.RESOLUTION_WORD.search(rest) or rx.RESOLVED.search(rest)
    if rx.CSAT.search(rest) and not resolution:
        return "no_csat_share", _written(text, ratio)
    share = filters and not resolution
    return ("no_share" if share else "no_ratio"), _written(text, ratio)


def _unanswerable(
    rest: str, text: str, intent: Intent | None, filters: Sequence[FilterMatch]
) -> tuple[str, str] | None:
    """Why no tool answers the question exactly, if a word says so: a listing by age, a count
    over a threshold of time or CSAT, a grouping or field the tools lack (weekday, hour, year,
    customer, region), a time expression no period rule read, two groupings at once, an average
    of counts, or a percentage or rate (a change between periods in percent is a comparison, and
    answered)."""
    for kind, words in (
        ("no_cause", rx.CAUSE),
        ("no_forecast", rx.FORECAST),
        ("no_distinct", rx.DISTINCT),
        ("no_day_count", rx.DAY_COUNT),
        ("unknown_metric", rx.OTHER_METRICS),
        ("unknown_value", rx.OTHER_CHANNELS),
    ):
        if found := words.search(rest):
            return kind, _written(text, found)
    still_open = rx.BACKLOG.search(rest) or rx.OPEN.search(rest)
    if still_open and (
        rx.CHANGE.search(rest)
        or rx.TREND.search(rest)
        or (intent == "compare" and rx.BACKLOG.search(rest))
    ):
        # "¿Ha crecido el backlog?" was the open tickets created this month against last month.
        return "no_backlog_history", _written(text, still_open)
    listing = rx.LISTING.search(rest)
    if listing and intent != "search":
        return "no_listing", _written(text, listing)
    if counted := rx.COUNT_THRESHOLD.search(rest):
        # "Which agents resolved more than 20 tickets?" compared this month with the last.
        return "count_threshold", _written(text, counted)
    threshold = rx.THRESHOLD.search(rest)  # "more than 3 days" is no period either
    if threshold:
        return "no_threshold", _written(text, threshold)
    for kind, words in (
        ("ambiguous_date", rx.AMBIGUOUS_DATE),
        ("unread_period", rx.UNREAD_PERIOD),
        ("no_grouping", rx.NO_GROUPING),
        ("no_grouping", rx.NO_FIELD),
    ):
        found = words.search(rest)
        if found:
            return kind, _written(text, found)
    two = rx.TWO_GROUPINGS.search(rest) or rx.DIM_BY_DIM.search(rest)
    if two:
        return "two_groupings", _written(text, two)
    by = rx.STATUS_VALUE.search(rest) and next(
        (m for d, words in rx.PER_DIM.items() if d != "status" and (m := words.search(rest))), None
    )
    if by:
        # "Tickets on hold by agent": those statuses come from the status breakdown, which
        # groups by status alone; never the status breakdown with "by agent" dropped.
        return "two_groupings", _written(text, by)
    status = rx.STATUS_NAMED.search(rest)
    if status and _is_name(status["value"]) and not rx.STATUS_VALUE.search(rest):
        # "Tickets in status waiting on customer": never every ticket's figure instead.
        return "unknown_value", text[status.start("value") : status.end("value")]
    ratio = rx.RATIO.search(rest)
    if ratio and intent != "compare":
        return _ratio(rest, text, ratio, filters)
    statistic = next(
        (m for p in (rx.AVG, rx.MEDIAN, rx.P90, rx.OTHER_PERCENTILE) if (m := p.search(rest))),
        None,
    )
    measured = any(p.search(rest) for p in (rx.METRIC_WORDS, rx.FIRST_RESPONSE, rx.CSAT))
    counted = rx.TICKETS.search(rest) or rx.COUNT.search(rest)
    if statistic and counted and not measured:
        return "no_statistic", _written(text, statistic)
    return None


# Capitalised words that are not names: question words, periods, dimensions, the asker.
_NOT_NAMES = (
    NOT_VALUES
    | rx.FILLER_WORDS
    | frozenset(MONTHS)
    | frozenset(WEEKDAYS)
    | frozenset({
        "i", "we", "you", "they", "he", "she", "us", "open", "abierto", "abiertos", "new",
        "nuevos", "all", "todos", "todo", "who", "quien", "support", "soporte", "agent", "agente",
        "agents", "agentes", "team", "teams", "equipo", "equipos", "ticket", "tickets", "today",
        "hoy", "yesterday", "ayer", "our", "your", "their", "nuestros", "nuestras", "nuestro",
        "nuestra", "tus", "sus", "creation", "creacion", "opening", "apertura", "close",
        "closing", "cierre", "users", "usuarios", "people", "everyone", "anyone", "cada", "each",
        "every", "cualquier", "any", "ningun", "ninguno", "algun", "alguno", "otro", "otros",
        "other", "others", "by", "per", "from", "at", "into", "than", "desde", "segun", "hasta",
        "entre", "between", "which", "whose", "with", "has", "had", "have", "did", "does",
    })
)  # fmt: skip
_WORD_RULES = (
    *rx.DIM.values(), rx.STATS, rx.COUNT, rx.TICKETS, rx.CREATED, rx.RESOLVED, rx.SUPERLATIVE,
    rx.GREETING, rx.HELP, rx.AVG, rx.MEDIAN, rx.P90, rx.CSAT, rx.METRIC_WORDS, rx.STATUS_VALUE,
    rx.TREND, rx.COMPARE, rx.BREAKDOWN, rx.SEARCH, rx.NO_GROUPING, rx.OPEN, rx.SELF,
    *(words for _, words in rx.INTERVALS),
)  # fmt: skip


def _known_word(word: str, vocabulary: Vocabulary) -> bool:
    """A word something else reads: never taken for a slipped key word."""
    return (
        not _is_name(word)  # a filler word, or one a rule reads ("cerramos", "recibimos")
        or word in rx.FIRST_NAMES
        or stem(word) in vocabulary.words
        or word in vocabulary.words
    )


def against_all(pairs: tuple[tuple[str, str], ...]) -> str | None:
    """The dimension whose one value is set against everyone: the agent's, else the only one."""
    dimensions = [d for d, _ in pairs]
    if dimensions.count("agent") == 1 and "team" not in dimensions:
        return "agent"
    return dimensions[0] if len(dimensions) == 1 else None


def _unread_topic(text: str, folded: str, rest: str) -> str | None:
    """What "tickets de ..." / "tickets with ..." are of, as written, when a word of it is read by
    no filter, period or rule ("tickets de la app móvil", "tickets en inglés"); else None."""
    phrases: list[tuple[int, int]] | None = None
    for found in rx.TICKETS_OF.finditer(folded):
        start, end = found.span("name")
        if not rest[start:end].strip():
            continue  # a period or a filter ("tickets de hoy", "tickets de facturación")
        if phrases is None:
            phrases = [m.span() for p in rx.TOPIC_PHRASES for m in p.finditer(rest)]
        # The words from the first one on that nothing read: after a value that was read
        # ("tickets de facturación hubo ..."), the next word is the sentence's, not the topic.
        unread: list[tuple[int, int]] = []
        for word in re.finditer(r"\S+", found["name"]):
            at = start + word.start()
            if rest[at] in " ·" or any(a <= at < b for a, b in phrases):
                break
            unread.append((at, start + word.end()))
        if any(fold(text[a:b]) not in _NOT_TOPICS and _is_name(text[a:b]) for a, b in unread):
            # As written, without the words a period or a filter read ("de iOS este mes": iOS).
            return text[unread[0][0] : unread[-1][1]]
    return None


def _is_name(word: str) -> bool:
    """A written word that can only be a name: no rule of the question reads it."""
    folded = fold(word)
    if folded in _NOT_NAMES or stem(folded) in _NOT_NAMES or not folded.isalpha():
        return False
    return not any(rule.fullmatch(folded) for rule in _WORD_RULES)


def _unknown_agent(text: str, covered: list[tuple[int, int]], vocabulary: Vocabulary) -> str | None:
    """The name of a person the question asks about that no agent has, as written ("Carlos").

    Only where the question clearly names a person ("resolvió Carlos", "de Carlos", "by Carlos",
    "did Carlos", "agente Carlos", "Carlos's tickets") and only capitalised words that no filter,
    period or rule read; a first name two agents share is not unknown.
    """
    if (number := rx.AGENT_NUMBER.search(fold(text))) and not any(
        a <= number.start() < b for a, b in covered
    ):
        return text[number.start() : number.end()]  # "agente 3": no agent has that number
    patterns = (rx.PERSON, rx.POSSESSIVE, rx.PERSON_LOWER)
    if name := _unread_names(text, covered, patterns, known=vocabulary.agent_names):
        return name
    folded = fold(text)
    for found in rx.NAME_AFTER.finditer(folded):
        # "Tickets de juan" with no Juan: never the whole team's figure instead.
        at, name = found.start("name"), found["name"]
        unread = not any(a <= at < b for a, b in covered)
        if unread and name in rx.FIRST_NAMES and name not in vocabulary.agent_names:
            return text[at : found.end("name")]
    return None


def _unread_names(
    text: str,
    covered: list[tuple[int, int]],
    patterns: tuple[re.Pattern[str], ...],
    known: frozenset[str] | set[str] = frozenset(),
) -> str | None:
    """The first `name` group of `patterns` in `text` holding capitalised words that no filter,
    period or rule read (`covered`), and none of them `known`; as written."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words):
        return None  # Title Case Questions: capitals say nothing about names
    for pattern in patterns:
        for found in pattern.finditer(text):
            start = found.start("name")
            parts = [(m.start() + start, m[0]) for m in re.finditer(r"\S+", found["name"])]
            unread = [
                word
                for at, word in parts
                if not any(a <= at < b for a, b in covered) and _is_name(word)
            ]
            if unread and not any(fold(word) in known for word in unread):
                return found["name"]
    return None


def _closest_agents(name: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Known agent names that look like `name` ("Lucas" -> "Lucía Fernández"), at most three."""
    aliases = list(vocabulary.aliases.get("agent", {}))
    keys: dict[str, str] = {}
    for alias in aliases:
        keys.setdefault(fold(alias), alias)
        keys.setdefault(fold(alias).split()[0], alias)
    close = difflib.get_close_matches(fold(name), list(keys), n=6, cutoff=0.6)
    return tuple(dict.fromkeys(keys[k] for k in close))[:3]


def _metrics(rest: str) -> tuple[bool, bool, bool]:
    """Whether resolution time, first response time and CSAT are asked about."""
    csat = bool(rx.CSAT.search(rest))
    first = bool(rx.FIRST_RESPONSE.search(rest))
    # "¿Cuánto tardamos en responder?" is about the first response, not resolution.
    resolution = bool(rx.RESOLUTION_TIME.search(rest)) and (
        not first or bool(rx.RESOLUTION_WORD.search(rest))
    )
    return resolution, first, csat


def _missing(rest: str, text: str, grouped: bool) -> tuple[tuple[str, str], ...]:
    """Statistics asked of a metric that has none: first response and CSAT have only an average,
    resolution time an average, a median and a p90; none has a longest or shortest value (unless
    `grouped`: "the slowest channel" ranks the channels, "¿mejor CSAT, chat o email?" compares)."""
    resolution, first, csat = _metrics(rest)
    extreme = rx.EXTREME.search(rest) if (resolution or first or csat) and not grouped else None
    other = rx.OTHER_PERCENTILE.search(rest) or extreme
    out: list[tuple[str, str]] = []
    if not resolution:
        quantile = rx.MEDIAN.search(rest) or rx.P90.search(rest) or other
        if quantile:
            out.extend((m, _written(text, quantile)) for m, asked in
                       (("first_response", first), ("csat", csat)) if asked)  # fmt: skip
    if other and (resolution or not (csat or first)):
        out.append(("resolution", _written(text, other)))
    return tuple(out)


def _bare_stat(rest: str, text: str) -> str | None:
    """ "La mediana", "the p90" written with no metric: the words, else None."""
    if any(_metrics(rest)):
        return None
    found = rx.MEDIAN.search(rest) or rx.P90.search(rest)
    return _written(text, found) if found else None


def _stats(rest: str) -> tuple[Stat, ...]:
    found: list[Stat] = []
    resolution, first, csat = _metrics(rest)
    p90, median, avg = (
        bool(rx.P90.search(rest)),
        bool(rx.MEDIAN.search(rest)),
        bool(rx.AVG.search(rest)),
    )
    about_resolution = resolution or not (csat or first)
    if about_resolution and (resolution or p90 or median or avg):
        if avg and (resolution or not (p90 or median)):
            found.append("avg_hours")
        if median:
            found.append("median_hours")
        if p90:
            found.append("p90_hours")
        if not found:
            found.extend(RESOLUTION_STATS)
    if first:
        found.append("avg_first_response_minutes")
    if csat:
        found.append("avg_csat")
    summary = rx.STATS.search(rest) or (
        rx.HOW_WE_DO.search(rest) and not (rx.TICKETS.search(rest) or rx.COUNT.search(rest))
    )
    if not found and summary:
        return ALL_STATS
    return tuple(found)


_UNITS: dict[str, Unit] = {
    "dias": "day", "days": "day", "horas": "hour", "hours": "hour", "minutos": "minute",
    "minutes": "minute",
}  # fmt: skip


def _unit(rest: str) -> Unit | None:
    found = rx.TIME_UNIT.search(rest)
    return _UNITS[found["unit"]] if found else None


def _date_field_and_status(
    rest: str, has_period: bool
) -> tuple[Literal["resolved", "created"] | None, Literal["resolved", "open", "any"] | None]:
    open_match = rx.OPEN.search(rest)
    bare = _blank(rest, [open_match.span()]) if open_match else rest
    resolved = bool(rx.RESOLVED.search(bare))
    # "Ticket volume", "volumen de tickets": what came in, unless resolved ones are named.
    came_in = rx.VOLUME.search(bare) or rx.ASSIGNED.search(bare)
    created = bool(rx.CREATED.search(bare)) or (bool(came_in) and not resolved)
    if open_match or (created and "abiert" in bare and not has_period):
        return "created", "open"
    if created and resolved:
        return "created", "resolved"
    if created:
        return "created", None
    if resolved:
        return "resolved", None
    return None, None
