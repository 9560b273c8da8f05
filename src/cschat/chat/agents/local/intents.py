"""What a question asks: intent, periods, filters, dimension, metric, interval, search, ticket.

Fields the question does not state stay None, so a follow-up ("¿y la semana pasada?") can be laid
over the previous question's context (`context.py`) and defaults are applied only by the planner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cschat.chat.agents.local.filters import Vocabulary, find_filters, in_dimension_order
from cschat.chat.agents.local.language import Language, detect_language
from cschat.chat.agents.local.periods import BadPeriod, Period, find_periods
from cschat.chat.agents.local.text import fold

Intent = Literal[
    "count", "breakdown", "stats", "trend", "compare", "search", "ticket", "greeting", "help",
    "unknown",
]  # fmt: skip
Stat = Literal["avg_hours", "median_hours", "p90_hours", "avg_first_response_minutes", "avg_csat"]
ALL_STATS: tuple[Stat, ...] = (
    "avg_hours", "median_hours", "p90_hours", "avg_first_response_minutes", "avg_csat",
)  # fmt: skip


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
    bad_period: str | None = None


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])")


_GREETING = _rx(
    r"hola|buenas|buenos\s+dias|buenas\s+(?:tardes|noches)|hi|hello|hey|good\s+(?:morning|"
    r"afternoon|evening)|muchas\s+gracias|gracias|thanks|thank\s+you|saludos|que\s+tal|adios|bye"
)
_HELP = _rx(
    r"ayuda|help|que\s+puedes\s+hacer|what\s+can\s+you\s+do|que\s+sabes\s+hacer|como\s+funcionas?|"
    r"how\s+does\s+(?:this|it)\s+work|que\s+(?:te\s+)?puedo\s+preguntar(?:te)?|what\s+can\s+i\s+ask|"
    r"ejemplos|examples|what\s+do\s+you\s+do"
)
_TICKET_ID = _rx(
    r"(?:ticket|caso|case|incidencia)\s*(?:#|n[ou]m(?:ero)?\.?|id|number|no\.)?\s*#?\s*(\d+)|#(\d+)"
)
_SEARCH = _rx(
    r"similar(?:es)?|parecid[oa]s?|como\s+se\s+(?:resolvi\w*|soluciona\w*|arregl\w*)|"
    r"how\s+(?:was|were|did\s+we|do\s+we|to|can\s+we|have\s+we)\s+(?P<x>(?:\w+\s+){0,6}?)"
    r"(?:solved?|resolved?|fix(?:ed)?|handled?)|busca\w*|search\w*|find|encuentra\w*|"
    r"que\s+mencionen|mentioning|look\s+for|como\s+(?:solucionamos|resolvimos)"
)
_TOPIC = re.compile(
    r"(?:sobre|acerca\s+de|about|regarding|related\s+to|relacionad[oa]s?\s+con|que\s+mencionen|"
    r"mentioning|que\s+hablen\s+de|con\s+el\s+(?:problema|asunto)|with\s+the\s+(?:issue|problem)|"
    r"(?:similar(?:es)?|parecid[oa]s?)(?:\s+tickets?)?\s+(?:a|al|to|como)|like)\s+"
)
_SEARCH_VERB = re.compile(
    r"(?:busca\w*|search\w*|find|encuentra\w*|look\s+for)\s+(?:(?:me|los|las|el|la|tickets?|casos?|"
    r"incidencias?|de|del|con|for|with|on|past|anteriores|old)\s+)*"
)
_QUERY_TAIL = re.compile(
    r"\s*(?:,\s*)?(?:\s(?:y|and)\s+)?(?:como\s+se\s+(?:resolvieron|solucionaron|resolvio|soluciono)|"
    r"and\s+how|how\s+(?:they|it)\s+|(?:were|was)\s+(?:solved|resolved|fixed|handled)|"
    r"\s(?:se\s+resolvieron|solved|resolved|fixed|handled)(?![\w]))"
)
_QUOTED = re.compile(r"[\"“«'‘]([^\"”»'’]{2,})[\"”»'’]")
_COMPARE = _rx(
    r"compar\w*|vs\.?|versus|frente\s+al?|contra|respecto\s+(?:a|al|de)|against|diferencia|"
    r"difference|cambio|change|subido|bajado|aumentado|disminuido|increase|decrease|"
    r"grew|dropped|than"
)
_INTERVALS: tuple[tuple[Literal["day", "week", "month"], re.Pattern[str]], ...] = (
    ("day", _rx(r"por\s+dias?|diari[oa]s?|diariamente|cada\s+dia|dia\s+a\s+dia|per\s+day|by\s+day|"
                r"daily|each\s+day|day\s+by\s+day")),
    ("week", _rx(r"por\s+semanas?|semanal(?:es|mente)?|cada\s+semana|semana\s+a\s+semana|"
                 r"per\s+week|by\s+week|weekly|each\s+week|week\s+by\s+week")),
    ("month", _rx(r"por\s+mes(?:es)?|mensual(?:es|mente)?|cada\s+mes|mes\s+a\s+mes|per\s+month|"
                  r"by\s+month|monthly|each\s+month|month\s+by\s+month")),
)  # fmt: skip
_TREND = _rx(
    r"tendencia|evolucion|trend|over\s+time|a\s+lo\s+largo\s+del\s+tiempo|historico|evolved"
)
_DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("category", r"categorias?|categor(?:y|ies)|tipos?\s+de\s+tickets?|temas?|topics?"),
    ("priority", r"prioridad(?:es)?|priorit(?:y|ies)"),
    ("channel", r"canal(?:es)?|channels?"),
    ("agent", r"agentes?|agents?|quien|who|personas?"),
    ("team", r"equipos?|teams?"),
    ("status", r"estados?|status(?:es)?"),
)
_DIM = {name: _rx(p) for name, p in _DIMENSIONS}
_PER = (
    r"(?:por|by|per|segun|para\s+cada|cada|de\s+cada|each|across|split\s+by|broken\s+down\s+by|"
    r"desglosad[oa]s?\s+por)\s+(?:la\s+|el\s+|los\s+|las\s+|the\s+)?"
)
_PER_DIM = {name: _rx(_PER + "(?:" + p + ")") for name, p in _DIMENSIONS}
_BREAKDOWN = _rx(
    r"desglose|desglosa\w*|breakdown|break\s+down|distribucion|distribution|reparto|ranking|top"
)
_SUPERLATIVE = _rx(
    r"mas|most|menos|least|fewest|mejor(?:es)?|peor(?:es)?|best|worst|highest|lowest|fastest|"
    r"slowest|quickest|mayor|menor|top|mayoria|majority|most\s+common|mas\s+comun\w*|"
    r"mas\s+frecuente\w*|most\s+frequent"
)
_ASC = _rx(r"menos|least|fewest|lowest|menor|fastest|quickest|mas\s+rapid[oa]s?")
_WORSE = _rx(r"worst|peor(?:es)?")
_BETTER = _rx(r"best|mejor(?:es)?")
_WHICH_ONE = _rx(
    r"(?:que|cual|which|what)\s+(?:\w+\s+){0,2}(?:agente|agent|categoria|category|canal|channel|"
    r"equipo|team|prioridad|priority)|quien|who"
)
_TOP_N = re.compile(
    r"(?:top\s*|(?:los|las|the)\s+)(\d+)(?!\s*(?:dias|days|semanas|weeks|meses|months))"
)
_SEARCH_LIMIT = re.compile(
    r"(\d+)\s+(?:\w+\s+)?(?:tickets|casos|resultados|results|ejemplos|examples)"
)

_P90 = _rx(r"p90|percentil\s*90|90\s*(?:th)?\s*percentile|percentile\s*90|pct\s*90")
_MEDIAN = _rx(r"mediana|median")
_AVG = _rx(r"medi[oa]s?|promedio|average|avg|mean")
_FIRST_RESPONSE = _rx(r"primera\s+respuesta|first\s+response|tiempo\s+de\s+respuesta|"
                      r"response\s+time|en\s+responder|to\s+respond|first\s+reply|"
                      r"por\s+primera\s+vez")  # fmt: skip
_CSAT = _rx(r"csat|satisfaccion|satisfaction|valoracion(?:es)?|puntuacion(?:es)?|ratings?|nota")
_RESOLUTION_TIME = _rx(
    r"(?:tiempo|time|horas|hours)\s+(?:\w+\s+){0,2}(?:resolucion|resolution|resolver|resolve|cierre|"
    r"close|closing)|resolution\s+times?|time\s+to\s+(?:resolve|close)|how\s+long|tard\w*|fastest|"
    r"slowest|quickest|mas\s+(?:rapid|lent)\w*|(?:media|mediana|promedio|average|median|mean|avg|p90)"
    r"\s+(?:\w+\s+){0,2}(?:resolucion|resolution)|resolucion\s+(?:media|mediana|promedio)"
)
_RESOLUTION_WORD = _rx(r"resolu\w*|resolv\w*|cierre|clos\w*|cerr\w*|solucion\w*")
_STATS = _rx(r"estadisticas?|stats|statistics|metricas|metrics|kpis?|rendimiento|performance")
_COUNT = _rx(r"cuant[oa]s|how\s+many|numero\s+de|number\s+of|total|count|cantidad|volumen|volume|"
             r"how\s+much")  # fmt: skip
_TICKETS = _rx(r"tickets?|casos?|incidencias?|solicitudes|requests?")
_OPEN = _rx(
    r"sin\s+resolver|no\s+resuelt\w+|sin\s+cerrar|pendientes?|(?:siguen?|sigue|todavia|aun|estan)\s+"
    r"abiert\w+|abiert\w+\s+hay|(?:hay|tenemos)\s+(?:\w+\s+){0,3}abiert\w+|still\s+open|"
    r"currently\s+open|unresolved|open\s+tickets?|tickets?\s+(?:that\s+are\s+)?(?:still\s+)?open|"
    r"backlog|en\s+curso|not\s+(?:yet\s+)?resolved|are\s+open"
)
_CREATED = _rx(
    r"recib\w*|receiv\w*|cread\w*|se\s+crearon|abiert\w*|se\s+abrieron|entrad\w*|entraron|llegad\w*|"
    r"llegaron|nuev[oa]s|opened|created|received|new\s+tickets?|came\s+in|submitted|raised|"
    r"ingresad\w*|abrieron|creaste|abri"
)
_RESOLVED = _rx(
    r"resuelt\w*|resolv\w*|cerrad\w*|cerr[eo]\w*|cerraron|solucionad\w*|closed|resolved|solved|"
    r"close|fixed"
)
# "I" only as the one who worked the tickets: "Can I see..." is not about the asker's own tickets.
_SELF = _rx(
    r"mis|mi(?!\s+equipo)|my(?!\s+team)|mine|yo|he\s+(?:resuelto|cerrado|atendido)|resolvi|"
    r"cerre|atendi|me\s+asignaron|assigned\s+to\s+me|(?:did|have|had)\s+i|"
    r"i\s+(?:have\s+|had\s+)?(?:resolv|clos|solv|handl|clear|fix|work)\w*"
)
_FOLLOWUP = re.compile(
    r"^\W*(?:y|e|and|what\s+about|how\s+about|and\s+for|tambien|also|solo|only|pero|but|"
    r"what\s+if|y\s+si|ahora|now)(?![\w])"
)


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
    folded = fold(text)
    ticket = _TICKET_ID.search(folded)
    if ticket:
        ticket_id = int(ticket[1] or ticket[2])
        if _SEARCH.search(folded):
            # "Tickets parecidos al ticket 42": search with that ticket's subject.
            found = _SEARCH_LIMIT.search(folded)
            limit = int(found[1]) if found else None
            return Question(language, "search", ticket_id=ticket_id, limit=limit)
        return Question(language, "ticket", ticket_id=ticket_id)
    try:
        period_matches = find_periods(folded, today)
    except BadPeriod as exc:
        written = re.sub(r"^(?:el|del|the|on)\s+", "", text[_span_of(folded, str(exc))], flags=re.I)
        return Question(language, "unknown", bad_period=written)
    periods = tuple(m.period for m in period_matches)
    period_spans = [m.span for m in period_matches]

    query, query_span = _search_query(text, folded, period_spans)
    skip = [*period_spans, *([query_span] if query_span else [])]
    filters = find_filters(folded, vocabulary, skip=skip)
    rest = _blank(folded, [*skip, *(f.span for f in filters)])

    intent: Intent | None = None
    if query is not None:
        intent = "search"
    followup = bool(_FOLLOWUP.search(folded))
    filter_pairs = tuple((f.dimension, f.value) for f in filters)
    if user_email and "agent" not in {d for d, _ in filter_pairs} and _SELF.search(rest):
        filter_pairs = (*filter_pairs, ("agent", user_email))
    date_field, status = _date_field_and_status(rest, bool(periods))
    stats = _stats(rest)
    interval = next((name for name, rx in _INTERVALS if rx.search(rest)), None)
    dimension = _dimension(rest)
    if intent is None:
        intent = _intent(rest, periods, interval, dimension, stats, bool(filter_pairs), followup)
    if intent in ("greeting", "help"):
        return Question(language, intent)
    limit, order = _limit_and_order(rest, intent, dimension, stats)
    if intent == "search":
        found = _SEARCH_LIMIT.search(rest)
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
    )


def _span_of(folded: str, fragment: str) -> slice:
    start = max(folded.find(fragment), 0)
    return slice(start, start + len(fragment))


def _blank(folded: str, spans: list[tuple[int, int]]) -> str:
    """The folded text with spans replaced by spaces (so their words trigger nothing else)."""
    chars = list(folded)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _search_query(
    text: str, folded: str, period_spans: list[tuple[int, int]]
) -> tuple[str | None, tuple[int, int] | None]:
    """The text to search for and where it is, when the question asks for similar tickets."""
    asked = _SEARCH.search(_blank(folded, period_spans))
    if not asked:
        return None, None
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted[1].strip(), quoted.span()
    colon = folded.find(":")
    marker = _TOPIC.search(folded) or _SEARCH_VERB.search(folded)
    start = colon + 1 if colon >= 0 else (marker.end() if marker else asked.end())
    if not (colon >= 0 or marker) and asked["x"] and asked["x"].strip():
        # "How were refund delays solved?": the topic sits between the verbs.
        start = asked.start("x")
    end = min([s for s, _ in period_spans if s >= start] + [len(folded)])
    tail = _QUERY_TAIL.search(folded, start, end)
    if tail and tail.start() > start:
        end = tail.start()
    query = re.sub(
        r"^(?:(?:el|la|los|las|un|una|the|a|an)\s+)+", "", text[start:end].strip(" ¿?¡!.,;:")
    )
    query = re.sub(r"\s+", " ", query).strip(" ¿?¡!.,;:").lower()
    return (query, (start, end)) if query else (None, None)


def _intent(
    rest: str,
    periods: tuple[Period, ...],
    interval: str | None,
    dimension: str | None,
    stats: tuple[Stat, ...],
    has_filters: bool,
    followup: bool,
) -> Intent | None:
    if _HELP.search(rest):
        return "help"
    if _COMPARE.search(rest) or len(periods) >= 2:
        return "compare"
    if interval or _TREND.search(rest):
        return "trend"
    if dimension:
        return "breakdown"
    if stats:
        return "stats"
    if (
        _COUNT.search(rest)
        or _TICKETS.search(rest)
        or _CREATED.search(rest)
        or _RESOLVED.search(rest)
    ):
        return "count"
    if _GREETING.search(rest) and not (periods or has_filters):
        return "greeting"
    if followup or periods or has_filters:
        return None
    return "unknown"


def _dimension(rest: str) -> str | None:
    for name, rx in _PER_DIM.items():
        if rx.search(rest):
            return name
    if _BREAKDOWN.search(rest) or _SUPERLATIVE.search(rest):
        hits = [(m.start(), name) for name, rx in _DIM.items() for m in rx.finditer(rest)]
        if hits:
            return min(hits)[1]
    return None


def _limit_and_order(
    rest: str, intent: Intent | None, dimension: str | None, stats: tuple[Stat, ...]
) -> tuple[int | None, Literal["asc", "desc"] | None]:
    if intent != "breakdown":
        return None, None
    # For times lower is better; for counts and CSAT higher is.
    lower_is_better = bool(stats) and stats[0] != "avg_csat"
    worse, better = bool(_WORSE.search(rest)), bool(_BETTER.search(rest))
    lowest_first = (
        _ASC.search(rest) or (worse and not lower_is_better) or (better and lower_is_better)
    )
    order: Literal["asc", "desc"] | None = "asc" if lowest_first else None
    top = _TOP_N.search(rest)
    if top:
        return int(top[1]), order
    if _SUPERLATIVE.search(rest) and _WHICH_ONE.search(rest) and dimension:
        plural = re.search(_DIMENSIONS_PLURAL[dimension], rest)
        return (None if plural else 1), order
    return None, order


_DIMENSIONS_PLURAL = {
    "category": r"categorias|categories",
    "priority": r"prioridades|priorities",
    "channel": r"canales|channels",
    "agent": r"agentes|agents",
    "team": r"equipos|teams",
    "status": r"estados|statuses",
}


def _stats(rest: str) -> tuple[Stat, ...]:
    found: list[Stat] = []
    csat = bool(_CSAT.search(rest))
    first = bool(_FIRST_RESPONSE.search(rest))
    # "¿Cuánto tardamos en responder?" is about the first response, not resolution.
    resolution = bool(_RESOLUTION_TIME.search(rest)) and (
        not first or bool(_RESOLUTION_WORD.search(rest))
    )
    p90, median, avg = bool(_P90.search(rest)), bool(_MEDIAN.search(rest)), bool(_AVG.search(rest))
    about_resolution = resolution or not (csat or first)
    if about_resolution and (resolution or p90 or median or avg):
        if avg and (resolution or not (p90 or median)):
            found.append("avg_hours")
        if median:
            found.append("median_hours")
        if p90:
            found.append("p90_hours")
        if not found:
            found.extend(("avg_hours", "median_hours", "p90_hours"))
    if first:
        found.append("avg_first_response_minutes")
    if csat:
        found.append("avg_csat")
    if not found and _STATS.search(rest):
        return ALL_STATS
    return tuple(found)


def _date_field_and_status(
    rest: str, has_period: bool
) -> tuple[Literal["resolved", "created"] | None, Literal["resolved", "open", "any"] | None]:
    open_match = _OPEN.search(rest)
    bare = _blank(rest, [open_match.span()]) if open_match else rest
    created = bool(_CREATED.search(bare))
    resolved = bool(_RESOLVED.search(bare))
    if open_match or (created and "abiert" in bare and not has_period):
        return "created", "open"
    if created and resolved:
        return "created", "resolved"
    if created:
        return "created", None
    if resolved:
        return "resolved", None
    return None, None
