"""Tool results -> the answer, in the question's language, stating window, time zone and filters.

Every number printed comes from a tool result (or is a percent change between two of them); the
dates of the window are the ones the tool reports, else the ones it was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cschat.chat.agents.local import numbers, peaks
from cschat.chat.agents.local.intents import ALL_STATS, Question, Stat, Unit
from cschat.chat.agents.local.language import Language
from cschat.chat.agents.local.planner import ToolCall, compares_values, p90_by_group
from cschat.chat.agents.local.wording import (
    DIMENSION,
    GROUPS,
    INTERVAL,
    METRIC,
    NOTE,
    STAT,
    STATUS,
    TEXT,
    TICKET_FIELDS,
    listed,
)

Result = Mapping[str, Any]


def render(
    question: Question, calls: Sequence[ToolCall], results: Sequence[Result], tz: str
) -> str:
    """The answer to an analytics question from its tool calls and their results."""
    lang = question.language
    notes = [TEXT[lang]["typo"].format(written=written, meant=meant)
             for written, meant in question.typos]  # fmt: skip
    notes += [NOTE[lang][metric].format(text=DIMENSION[lang].get(written, written))
              for metric, written in question.missing]  # fmt: skip
    if p90_by_group(question):
        notes.append(NOTE[lang]["p90_grouped"])
    return "\n".join([*notes, _render(question, calls, results, tz)])


def _render(
    question: Question, calls: Sequence[ToolCall], results: Sequence[Result], tz: str
) -> str:
    lang = question.language
    if question.intent == "search" and calls[0].name == "get_ticket":
        if len(calls) == 1:
            return TEXT[lang]["no_subject"].format(id=question.ticket_id)
        body = _search(question, results[1], lang, tz, calls[1].params["query"], question.ticket_id)
        return f"{body}\n{_scope(calls[1:], results[1:], tz, lang)}"
    if calls[0].name == "get_ticket":
        return _ticket(results[0], lang, tz)
    varying = _varying(calls)
    if question.summary and len(calls) == 2 and calls[1].name == "count_tickets" and not varying:
        # "Resumen de la semana": what came in and what was resolved, then how it went.
        n = [numbers.number(results[i]["count"], lang) for i in (1, 0)]
        stats = _stats(question.stats or ALL_STATS, results[0], lang, question.unit, counted=False)
        body = f"{TEXT[lang]['created']}: {n[0]}\n{TEXT[lang]['resolved']}: {n[1]}\n{stats}"
        return f"{body}\n{_scope(calls, results, tz, lang)}"
    if question.intent == "breakdown" and _refetched(calls):
        calls, results = calls[1:], results[1:]  # the whole ranking: the first ended in a tie
    if varying and compares_values(question):
        sides = [(_side(c, varying, lang), r) for c, r in zip(calls, results, strict=True)]
        by = "for" if varying in ("agent", "team") else "in"
        body = _compare(question, calls[0], sides, lang, by)
    else:
        # One block per filter value; a comparison of periods takes two calls per block.
        size = 2 if question.intent == "compare" else 1
        blocks = []
        for i in range(0, len(calls), size):
            block = _body(question, calls[i : i + size], results[i : i + size], lang, tz)
            if varying:
                value = _side(calls[i], varying, lang)
                block = f"{value}:\n{block}" if "\n" in block else f"{value} · {block}"
            blocks.append(block)
        if size == 2 and calls[0].name == "count_tickets":
            # Counts of a month so far against a whole month are not alike; averages are.
            blocks.extend(filter(None, [_unequal_lengths(calls[:2], lang)]))
        body = "\n".join(blocks)
    return f"{body}\n{_scope(calls, results, tz, lang)}"


def _side(call: ToolCall, varying: str, lang: Language) -> str:
    """The filter value a call stands for; none is everyone ("my CSAT vs the team")."""
    value = call.params.get(varying)
    if value is None:
        return TEXT[lang]["everyone" if varying == "agent" else "all_tickets"]
    return str(value)


def _refetched(calls: Sequence[ToolCall]) -> bool:
    """The second call is the first one again with another limit (a tie at the last place)."""
    if len(calls) != 2:
        return False
    first, second = calls[0].params, calls[1].params
    return second == {**first, "limit": second.get("limit")}


def _unequal_lengths(calls: Sequence[ToolCall], lang: Language) -> str | None:
    """A note when two compared periods differ much in length (this month so far vs last month)."""
    days = []
    for call in calls:
        start, end = call.params.get("start_date"), call.params.get("end_date")
        if not (start and end):
            return None
        days.append((date.fromisoformat(end) - date.fromisoformat(start)).days + 1)
    if min(days) >= 0.95 * max(days):  # a 30-day month against a 31-day one is alike enough
        return None
    return TEXT[lang]["unequal"].format(first=days[0], second=days[1])


def _varying(calls: Sequence[ToolCall]) -> str | None:
    """The filter whose value differs between the calls ("billing and shipping"), if any. A
    status is no filter value: open and resolved tickets are counted under their own labels."""
    for dimension in DIMENSION["en"]:
        if dimension != "status" and len({str(c.params.get(dimension)) for c in calls}) > 1:
            return dimension
    return None


def _body(
    question: Question,
    calls: Sequence[ToolCall],
    results: Sequence[Result],
    lang: Language,
    tz: str,
) -> str:
    call, result = calls[0], results[0]
    if call.name == "search_tickets":
        return _search(question, result, lang, tz)
    if question.intent == "compare":
        sides = [(_window(c.params, r), r) for c, r in zip(calls, results, strict=True)]
        return _compare(question, call, sides, lang)
    if call.name == "count_tickets":
        return f"{_count_label(call.params, lang)}: {numbers.number(result['count'], lang)}"
    if call.name == "resolution_stats":
        return _stats(question.stats or ALL_STATS, result, lang, question.unit)
    if call.name == "breakdown_tickets":
        return _ranking(call, result, question, lang)
    series = result.get("series", [])
    text = _rows(call, series, "period", lang, question.unit)
    way = peaks.direction(question.peak, call.params["metric"]) if question.peak else None
    if way is None:
        return text
    window = (call.params.get("start_date"), call.params.get("end_date"))
    found = peaks.extreme(series, way, call.params["interval"], window)
    if found is None:
        return text
    lead = TEXT[lang][f"peak_{way}"].format(**_peak_values(call, found, lang, question.unit))
    if found.cut_short:
        lead += " " + TEXT[lang]["cut_short"]
        interval = call.params["interval"]
        full = peaks.extreme(peaks.whole(series, interval, window), way, interval, window)
        if full is not None:
            lead += " " + TEXT[lang]["of_whole"].format(
                **_peak_values(call, full, lang, question.unit)
            )
    return f"{lead}\n{text}"


def _peak_values(
    call: ToolCall, found: peaks.Extreme, lang: Language, unit: Unit | None
) -> dict[str, str]:
    interval = call.params["interval"]
    periods = listed([_period(p, interval, lang) for p in found.periods], lang, "and")
    return {
        "periods": periods,
        "value": _metric_value(call.params["metric"], found.value, lang, unit),
    }


def _period(key: str, interval: str, lang: Language) -> str:
    """A period of a series by name: "2026-08" for a month, "week of 2026-05-11" for a week."""
    if interval == "month":
        return key[:7]
    return TEXT[lang]["week_of"].format(day=key) if interval == "week" else key


def _count_label(params: Mapping[str, Any], lang: Language) -> str:
    status = params.get("status")
    if status == "open":
        return TEXT[lang]["open"]
    if params.get("date_field") == "created":
        return TEXT[lang]["created_resolved" if status == "resolved" else "created"]
    return TEXT[lang]["any" if status == "any" else "resolved"]


def _metric_value(metric: str, value: Any, lang: Language, unit: Unit | None = None) -> str:
    if value is None:
        return TEXT[lang]["no_data"]
    if metric.endswith(("_hours", "_minutes")):
        minutes = value * 60 if metric.endswith("_hours") else value
        return numbers.in_unit(minutes, lang, unit) if unit else numbers.minutes(minutes, lang)
    if metric == "avg_csat":
        return f"{numbers.number(float(value), lang)} / 5"
    return numbers.number(value, lang)


# Where each statistic's tickets are counted, to say when fewer tickets have it than were counted.
_BASIS: dict[Stat, str] = {
    "avg_hours": "resolution_count", "median_hours": "resolution_count",
    "p90_hours": "resolution_count", "avg_first_response_minutes": "first_response_count",
    "avg_csat": "csat_count",
}  # fmt: skip


def _stats(
    stats: Sequence[Stat], result: Result, lang: Language, unit: Unit | None, counted: bool = True
) -> str:
    lines, said = [], set()
    for s in stats:
        line = f"{STAT[lang][s]}: {_metric_value(s, result.get(s), lang, unit)}"
        basis = result.get(_BASIS[s])
        if basis is not None and basis < result["count"] and _BASIS[s] not in said:
            # "CSAT medio: 4,1 / 5 (de 2.103 tickets valorados)": not all 2.962 were rated.
            line += " " + TEXT[lang][_BASIS[s]].format(n=numbers.number(basis, lang))
            said.add(_BASIS[s])
        lines.append(line)
    if counted:
        lines.append(f"{TEXT[lang]['counted']}: {numbers.number(result['count'], lang)}")
    return "\n".join(lines)


def _ranking(call: ToolCall, result: Result, question: Question, lang: Language) -> str:
    """The rows asked for, and any after them tied with the last; ties share their place."""
    rows, asked = result.get("rows", []), question.limit
    shown = len(rows) if asked is None else min(asked, len(rows))
    while 0 < shown < len(rows) and rows[shown]["value"] == rows[shown - 1]["value"]:
        shown += 1
    places: list[int] = []
    for i, row in enumerate(rows[:shown]):
        tied = i and row["value"] == rows[i - 1]["value"]
        places.append(places[-1] if tied else i + 1)
    shown_rows = rows[:shown]
    if question.reverse:  # the same rows sorted the other way: each keeps its place
        shown_rows, places = shown_rows[::-1], places[::-1]
    text = _rows(call, shown_rows, "key", lang, question.unit, places)
    if asked is not None and shown > asked:
        text += "\n" + TEXT[lang]["tied"]
    total = result.get("total_groups", 0)
    if asked is None and total > shown:
        text += "\n" + TEXT[lang]["first_of"].format(shown=shown, total=total)
    if asked is not None and result.get("scope") == "own" and call.params["dimension"] == "agent":
        # "¿Quién resolvió más?" asked by an Agent: their own row alone is no ranking.
        text = TEXT[lang]["own_ranking"] + "\n" + text
    if question.count_groups and result.get("scope") != "own":
        # "¿Cuántos agentes resolvieron tickets?": how many groups have tickets, then the list.
        named, n = GROUPS[lang][call.params["dimension"]], numbers.number(total, lang)
        text = TEXT[lang]["groups"].format(groups=named, n=n) + "\n" + text
    return text


def _rows(
    call: ToolCall,
    rows: Sequence[Result],
    key: str,
    lang: Language,
    unit: Unit | None,
    places: Sequence[int] = (),
) -> str:
    metric = call.params["metric"]
    label = _count_label(call.params, lang) if metric == "count" else METRIC[lang][metric]
    if call.name == "breakdown_tickets":
        header = f"{label} {TEXT[lang]['by']} {DIMENSION[lang][call.params['dimension']]}:"
    else:
        header = f"{label} {TEXT[lang]['by']} {INTERVAL[lang][call.params['interval']]}:"
    if not rows:
        return f"{header}\n{TEXT[lang]['no_rows']}"
    lines = [header]
    window = (call.params.get("start_date"), call.params.get("end_date"))
    for i, row in enumerate(rows):
        bullet = f"{places[i] if places else i + 1}." if call.name == "breakdown_tickets" else "-"
        shown = row.get(key)
        if call.params.get("dimension") == "status":
            shown = _status(shown, lang)
        if call.name == "ticket_trend":
            # A month by its name ("2026-11"); a week or month the window cuts says where:
            # "2026-11 (hasta 2026-11-27)".
            interval, period = call.params["interval"], str(shown)
            ends = zip(("since", "until"), peaks.clipped(period, interval, window), strict=True)
            cut = [TEXT[lang][k].format(day=day) for k, day in ends if day]
            shown = period[:7] if interval == "month" else period
            shown = f"{shown} ({', '.join(cut)})" if cut else shown
        value = _metric_value(metric, row.get("value"), lang, unit)
        if metric != "count":
            # The tickets the figure comes from: those with that time or rating.
            basis = row.get("measured", row["count"])
            noun = "ticket" if basis == 1 else "tickets"
            value += f" ({numbers.number(basis, lang)} {noun})"
        lines.append(f"{bullet} {shown}: {value}")
    return "\n".join(lines)


def _compare(
    question: Question,
    call: ToolCall,
    sides: Sequence[tuple[str, Result]],
    lang: Language,
    by: str = "in",
) -> str:
    """One line per figure: each side's value; with two sides, the change from the second.
    `by` is how a side is introduced: "in" a period or channel, "for" an agent or team."""
    t = TEXT[lang]
    if call.name == "count_tickets":
        figures = [(_count_label(call.params, lang), "count")]
    else:
        figures = [(STAT[lang][s], s) for s in question.stats]
    lines = []
    for label, metric in figures:
        values = [result.get(metric) for _, result in sides]
        shown = [
            f"{_metric_value(metric, value, lang, question.unit)} {t[by]} {side}"
            for value, (side, _) in zip(values, sides, strict=True)
        ]
        joiner = f" {t['vs']} " if len(shown) == 2 else ", "
        line = f"{label}: {joiner.join(shown)}"
        first, second = values[0], values[-1]
        if len(values) == 2 and first is not None and second is not None:
            change = numbers.percent_change(first, second, lang)
            # "+0.0%, slower" says nothing: a change that rounds to zero has no verdict.
            signed = change is not None and change[0] in "+-"
            verdict = _verdict(metric, first, second, lang) if signed else None
            line += f" ({change or t['no_base']}{f', {verdict}' if verdict else ''})"
        lines.append(line + ".")
    return "\n".join(lines)


def _verdict(metric: str, first: float, second: float, lang: Language) -> str | None:
    """What a change means, where the metric says ("slower", "better"); a count says nothing."""
    if first == second or metric == "count":
        return None
    if metric == "avg_csat":
        return TEXT[lang]["better" if first > second else "worse"]
    return TEXT[lang]["slower" if first > second else "faster"]  # every other figure is a time


def _search(
    question: Question,
    result: Result,
    lang: Language,
    tz: str,
    query: str | None = None,
    exclude: int | str | None = None,
) -> str:
    t = TEXT[lang]
    query = query or question.query
    tickets = [
        ticket
        for ticket in result.get("results", [])
        if exclude is None or str(ticket.get("id")) != str(exclude)
    ][: question.limit or 5]
    if not tickets:
        return t["no_similar"].format(q=query)
    lines = [f"{t['similar'].format(q=query)}:"]
    for ticket in tickets:
        facts = [str(ticket["category"])] if ticket.get("category") else []
        if ticket.get("status"):
            facts.append(_status(ticket["status"], lang))
        if ticket.get("resolved_at"):  # the day in the request's time zone, as elsewhere
            facts.append(f"{_local(ticket['resolved_at'], tz):%Y-%m-%d}")
        lines.append(f"- {_title(ticket)} ({', '.join(facts)})")
        if ticket.get("resolution"):
            lines.append(f"  {t['solution']}: {ticket['resolution']}")
    return "\n".join(lines)


def _title(ticket: Mapping[str, Any], sep: str = " ") -> str:
    """`#8 Factura duplicada`; imported tickets may have no subject (null)."""
    subject = ticket.get("subject")
    return f"#{ticket.get('id')}{sep}{subject}" if subject else f"#{ticket.get('id')}"


def _ticket(result: Result, lang: Language, tz: str) -> str:
    """The ticket under our id and the id its source gives it (the one users know), with its
    times in the request's time zone."""
    ticket = result["ticket"]
    title = f"Ticket #{ticket.get('id')}"
    if ticket.get("external_id") and str(ticket["external_id"]) != str(ticket.get("id")):
        title += f" · {ticket['external_id']}"
        if ticket.get("source"):
            title += f" ({ticket['source']})"
    if ticket.get("subject"):
        title += f": {ticket['subject']}"
    lines = [title]
    facts = [f"{label}: {_field(k, ticket[k], lang, tz)}"
             for k, label in TICKET_FIELDS[lang] if ticket.get(k) is not None]  # fmt: skip
    lines.append(" · ".join(facts))
    for k, label in (("description", ""), ("resolution", TEXT[lang]["solution"])):
        if ticket.get(k):
            lines.append(f"{label}: {ticket[k]}" if label else str(ticket[k]))
    return "\n".join(lines)


def _field(name: str, value: Any, lang: Language, tz: str) -> str:
    if name == "status":
        return _status(value, lang)
    if name in ("created_at", "resolved_at"):
        return f"{_local(value, tz):%Y-%m-%d %H:%M} ({tz})"
    return str(value)


def _local(value: Any, tz: str) -> datetime:
    """A tool's timestamp (ISO, UTC when it has no offset) in the time zone `tz`."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZoneInfo(tz))


def _status(value: Any, lang: Language) -> str:
    return STATUS[lang].get(str(value), str(value))


def _window(params: Mapping[str, Any], result: Result) -> str:
    window = result.get("window")
    if isinstance(window, Mapping) and window.get("start_date") and window.get("end_date"):
        return f"{window['start_date']}..{window['end_date']}"
    if "start_date" in params:
        return f"{params['start_date']}..{params['end_date']}"
    return ""


_FRACTION = re.compile(r"\.[0-9]+(?=Z$)")  # a timestamp's fraction of a second


def _scope(calls: Sequence[ToolCall], results: Sequence[Result], tz: str, lang: Language) -> str:
    """`Resueltos 2026-11-23..2026-11-27 (Europe/Madrid) · filtros: categoría = Billing`."""
    t = TEXT[lang]
    params = calls[0].params
    found = (_window(c.params, r) for c, r in zip(calls, results, strict=True))
    windows = list(dict.fromkeys(w for w in found if w))
    fields = list(dict.fromkeys(c.params["date_field"] for c in calls if "date_field" in c.params))
    if not fields:
        field = t["any"]  # a search over every ticket, whatever its status
    elif len(fields) > 1:  # "¿cuántos nuevos y cuántos resueltos?"
        field = f"{t['scope_created']} {t['and']} {t['scope_resolved'].lower()}"
    else:
        field = t["scope_created" if fields[0] == "created" else "scope_resolved"]
    joiner = f" {t['and']} "
    span = f" {joiner.join(windows)}" if windows else f": {t['all_time']}"
    parts = [f"{field}{span} ({tz})"]
    if params.get("status") and all(c.params.get("status") == params["status"] for c in calls):
        # Each count names its own status ("Tickets abiertos", "Tickets resueltos") otherwise.
        parts.append(f"{t['status']}: {t['status_' + params['status']]}")
    filters = [
        (k, " / ".join(dict.fromkeys(_side(c, k, lang) for c in calls)))
        for k in DIMENSION[lang]
        if k in params and k != "status"
    ]
    own = next(
        (r.get("filters", {}).get("agent") for r in results if r.get("scope") == "own"), None
    )
    if own and "agent" not in params:
        # An Agent's "tickets by agent" holds only their own row: say so, never "no filters".
        filters.append(("agent", f"{own} {t['own_only']}"))
    if filters:
        named = ", ".join(f"{DIMENSION[lang][k]} = {v}" for k, v in filters)
        parts.append(f"{t['filters']}: {named}")
    else:
        parts.append(t["no_filters"])
    as_of = results[0].get("data_as_of")
    if as_of:  # to the second: "2026-11-28T09:52:24Z", not its microseconds
        parts.append(f"{t['as_of']} {_FRACTION.sub('', as_of)}")
    return " · ".join(parts)
