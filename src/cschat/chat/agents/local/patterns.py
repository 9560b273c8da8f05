"""The words the local agent listens for, as regular expressions over folded text (no accents).

Spanish and English side by side; `intents.py` decides what they mean together.
"""

from __future__ import annotations

import re
from typing import Literal

from cschat.chat.agents.local.periods import NUMBER_WORDS


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])")


_BYE_WORDS = r"adios|bye|hasta\s+(?:luego|pronto|manana)|chao|chau|goodbye|see\s+you|nos\s+vemos"
_ACK_WORDS = r"ok(?:ay)?|vale|perfecto|genial|entendido|de\s+acuerdo|got\s+it|great|perfect|cool"
GREETING = _rx(
    r"hola|buenas|buenos\s+dias|buenas\s+(?:tardes|noches)|hi|hello|hey|good\s+(?:morning|"
    r"afternoon|evening)|muchas\s+gracias|gracias|thanks|thank\s+you|saludos|que\s+tal|"
    r"how\s+are\s+you|what'?s\s+up|como\s+estas|que\s+tal\s+estas|"
    rf"{_BYE_WORDS}|{_ACK_WORDS}"
)
THANKS = _rx(r"gracias|thanks|thank\s+you|thx|ty")
BYE = _rx(_BYE_WORDS)
# An acknowledgement alone ("ok", "vale", "perfecto"): no question in it.
ACK = _rx(_ACK_WORDS)
HELP = _rx(
    r"ayuda|help|que\s+puedes\s+hacer|what\s+can\s+you\s+do|que\s+sabes\s+hacer|como\s+funcionas?|"
    r"how\s+does\s+(?:this|it)\s+work|que\s+(?:te\s+)?puedo\s+preguntar(?:te)?|what\s+can\s+i\s+ask|"
    r"ejemplos|examples|what\s+do\s+you\s+do|me\s+ayudas|puedes\s+ayudarme|ayudame|"
    r"quien\s+eres|que\s+eres|who\s+are\s+you|what\s+are\s+you|what\s+is\s+this|"
    r"eres\s+(?:un\s+bot|una\s+ia|humano|una\s+persona)|are\s+you\s+(?:a\s+bot|an?\s+ai|human)"
)
TICKET_ID = _rx(
    r"(?:ticket|caso|case|incidencia)\s*(?:#|n[ou]m(?:ero)?\.?|id|number|no\.)?\s*#?\s*(\d+)|#(\d+)|"
    r"(?:similar(?:es)?|parecid[oa]s?)\s+(?:to|a|al)\s+(\d+)(?![\d.,:/-])|"
    # "Tickets como el 42", "tickets like 42": similar to ticket 42 (`SEARCH` reads them so).
    r"(?:tickets?|casos?)\s+(?:como\s+(?:el|la)|like)\s+(\d+)(?![\d.,:/-])"
)
# Several tickets by number ("tickets 42 y 43", "tickets #42, #43"): one is shown at a time.
_NOT_YEAR = r"(?!(?:19|20)\d{2}(?!\d))\d+"
TICKET_IDS = _rx(
    rf"(?:tickets|casos|cases|incidencias)\s*#?\s*{_NOT_YEAR}(?:\s*(?:,|y|e|and|&)\s*#?\s*\d+)+|"
    r"#\d+(?:\s*(?:,|y|e|and|&)\s*#\d+)+"
)
# A ticket number below 1 ("ticket -5"): no ticket has it.
NO_TICKET_ID = _rx(r"(?:ticket|caso|case|incidencia)\s*#?\s*-\s*\d+")
# External ids as the source writes them ("ticket TKT-000002"); matched on the original text.
EXTERNAL_ID = re.compile(
    r"\b(?:ticket|caso|case|incidencia)\s*#?\s*([A-Za-z]{2,10}-\d{2,})\b", re.IGNORECASE
)
# "¿Cómo se resolvió ...?", "how was ... solved?": how tickets about something were solved (a
# search), or how one was (the ticket itself: "how was ticket 42 solved?").
_HOW_SOLVED = (
    r"como\s+se\s+(?:resolvi\w*|soluciona\w*|arregl\w*)|"
    r"how\s+(?:was|were|did\s+we|do\s+we|to|can\s+we|have\s+we)\s+(?P<x>(?:\w+\s+){0,6}?)"
    r"(?:solved?|resolved?|fix(?:ed)?|handled?)|como\s+(?:solucionamos|resolvimos)"
)
HOW_SOLVED = _rx(_HOW_SOLVED)
# "¿Qué hicimos con los pedidos perdidos?", "¿cómo resolvemos normalmente ...?", "how do we
# usually handle password resets?", "¿hay algo sobre ...?": past tickets on a topic (these were
# a count of every ticket, or of a category the topic's words matched). The topic follows.
_HANDLED = (
    r"que\s+hicimos\s+(?:con|sobre|para|cuando|ante)|"
    r"como\s+(?:resolvemos|solucionamos|gestionamos|manejamos|tratamos|arreglamos|atendemos)"
    r"(?:\s+(?:normalmente|habitualmente|generalmente|usualmente|siempre))?|"
    r"hay\s+algo\s+(?:sobre|acerca\s+de|de|con)|"
    r"what\s+(?:did|do)\s+we\s+(?:usually\s+)?do\s+(?:about|with|for|when)|"
    r"how\s+do\s+we\s+(?:usually\s+|normally\s+|typically\s+|generally\s+)?"
    r"(?:handle|solve|resolve|fix|deal\s+with|treat|manage)|"
    r"anything\s+(?:about|on|regarding)"
)
SEARCH = _rx(
    rf"similar(?:es)?|parecid[oa]s?|{_HANDLED}|{_HOW_SOLVED}|busca\w*|search\w*|find|encuentra\w*|"
    r"(?:tickets?|casos?)\s+(?:como\s+(?:el|la)|like)(?=\s+(?:(?:ticket|caso)\s+)?#?\d)|"
    r"que\s+(?:mencionen|mencionan|contienen|contengan|hablan\s+de|hablen\s+de|dicen|digan)|"
    r"(?:tickets?|casos?)\s+(?:que\s+)?(?:(?:hablan|hablen|tratan|traten)\s+(?:de|sobre)|"
    r"mencionan|mencionen)|"
    r"mentioning|mentions?|containing|that\s+(?:mention|contain|say)|look(?:ing)?\s+for|"
    r"(?:show|list|muestra\w*|lista\w*|ensena\w*)\s+(?:me\s+)?(?:the\s+|los\s+|las\s+)?"
    r"(?:tickets?|casos?)\s+(?:about|sobre|regarding|acerca|related|relacionad\w*|que\s+mencionen)|"
    # A question that opens with "tickets sobre ..." / "tickets about ...": those tickets.
    r"^\W*(?:(?:los|las|the)\s+)?(?:tickets?|casos?)\s+(?:about|sobre|regarding|acerca|"
    r"related|relacionad\w*)|"
    # "¿Hay tickets sobre la app?", "are there tickets about ...": the tickets themselves.
    r"(?:hay|existen|tenemos|is\s+there|are\s+there)\s+(?:\w+\s+)?(?:tickets?|casos?)\s+"
    r"(?:about|sobre|regarding|acerca|related|relacionad\w*)|"
    # "¿Qué tickets hay sobre ...?", "which tickets are there about ...": the tickets themselves.
    r"(?:(?:hay|tenemos|hubo|is\s+there|are\s+there)\s+)?"
    r"(?:que|cuales|which|what|any|algun(?:os|a|as)?)\s+(?:tickets?|casos?|cases?)\s+(?:hay\s+|tenemos\s+|hubo\s+|"
    r"ha\s+habido\s+|are\s+there\s+|do\s+we\s+have\s+|have\s+we\s+had\s+)?"
    r"(?:about|sobre|regarding|acerca|related|relacionad\w*|que\s+mencionen)"
)
# Words at a query's end that led into a period ("devoluciones de (este mes)").
QUERY_LEAD_OUT = re.compile(r"(?:\s+(?:de|del|en|durante|desde|of|in|on|for|from|during|since))+$")
TOPIC = re.compile(
    r"(?:" + _HANDLED + "|"
    r"sobre|acerca\s+de|about|regarding|related\s+to|relacionad[oa]s?\s+con|que\s+mencionen|"
    r"que\s+(?:mencionan|contienen|contengan|hablan\s+de|dicen|digan)|containing|mentions?|"
    r"that\s+(?:mention|contain|say)|mentioning|que\s+hablen\s+de|con\s+el\s+(?:problema|asunto)|with\s+the\s+(?:issue|problem)|"
    r"(?:similar(?:es)?|parecid[oa]s?)(?:\s+tickets?)?\s+(?:a|al|to|como)|like)\s+"
)
SEARCH_VERB = re.compile(
    r"(?:busca\w*|search\w*|find|encuentra\w*|look\s+for)\s+(?:(?:me|los|las|el|la|tickets?|casos?|"
    r"incidencias?|de|del|con|for|with|on|past|anteriores|old)\s+)*"
)
QUERY_TAIL = re.compile(
    r"\s*(?:,\s*)?(?:\s(?:y|and)\s+)?(?:como\s+se\s+(?:resolvieron|solucionaron|resolvio|soluciono)|"
    r"and\s+how|how\s+(?:they|it)\s+|(?:were|was)\s+(?:solved|resolved|fixed|handled)|"
    r"\s(?:se\s+resolvieron|solved|resolved|fixed|handled)(?![\w]))"
)
QUOTED = re.compile(r"[\"“«'‘]([^\"”»'’]{2,})[\"”»'’]")
COMPARE = _rx(
    r"compar\w*|vs\.?|versus|frente\s+al?|contra|respecto\s+(?:a|al|de)|against|diferencia|"
    r"difference|cambio|change|subido|bajado|aumentado|disminuido|increase|decrease|"
    r"grew|dropped|than|crec\w+|growth|grow(?:ing|n)?|"
    # "Are we resolving tickets faster this month?": against the period before.
    r"faster|slower|quicker|more\s+(?:quickly|slowly)|"
    # "¿Subió el CSAT en noviembre?", "did CSAT go up in November?": that period against the one
    # before (they were the period's figure alone); "bajó" is matched with its accent
    # (`WENT_DOWN`), since "bajo" is also "low".
    r"subio|aumento|disminuyo|cayo|mejoro|empeoro|(?:go|went)\s+(?:up|down)|rose|fell|"
    r"did\s+(?:\w+\s+){1,3}?(?:improve|worsen|rise|fall|drop|increase|decrease|change)"
)
WENT_DOWN = re.compile(r"(?<![\w])bajó(?![\w])")
# Right before the one period written, it is what the question is compared against: "more tickets
# than last week", "¿más que la semana pasada?", "compare with last month" (with this week/month).
AGAINST = re.compile(
    r"(?<![\w])(?:than|que|con|with|to|vs\.?|versus|against|contra|frente\s+al?|"
    r"respecto\s+(?:a|al|de))\s+(?:(?:el|la|los|las|the|in|en)\s+)?$"
)
# "Más tickets que ...", "fewer tickets than ...": a comparison, even without a comparing verb.
MORE_THAN = re.compile(
    r"(?<![\w])(?:mas|menos|more|fewer|less|mejor|peor|better|worse|higher|lower|mayor|menor)\s+"
    r"(?:\w+\s+){0,4}?(?:que|than)\s+"
    r"(?:(?:el|la|los|las|the|in|en)\s+)?$"
)
# "How many do we get a week?" (at the end), not "older than a week", "in a week".
_A_UNIT = (
    r"(?<!than\s)(?<!in\s)(?<!within\s)(?<!over\s)(?<!under\s)(?<!for\s)(?<!about\s)"
    r"(?<!past\s)(?<!last\s)(?<!next\s)a\s+%s(?=\W*$)"
)
INTERVALS: tuple[tuple[Literal["day", "week", "month"], re.Pattern[str]], ...] = (
    # "¿Cuántos resolvemos al día?", "how many a week?": each day's (week's) count, the series
    # (it was every resolved ticket of all time).
    ("day", _rx(r"(?:por|x)\s+dias?|diari[oa]s?|diariamente|cada\s+dia|dia\s+a\s+dia|per\s+day|"
                r"by\s+day|daily|each\s+day|day\s+by\s+day|al\s+dia(?!\s+de(?!\w))|"
                + _A_UNIT % "day")),
    ("week", _rx(r"(?:por|x)\s+semanas?|semanal(?:es|mente)?|cada\s+semana|semana\s+a\s+semana|"
                 r"per\s+week|by\s+week|weekly|each\s+week|week\s+by\s+week|a\s+la\s+semana|"
                 + _A_UNIT % "week")),
    ("month", _rx(r"(?:por|x)\s+mes(?:es)?|mensual(?:es|mente)?|cada\s+mes|mes\s+a\s+mes|"
                  r"per\s+month|by\s+month|monthly|each\s+month|month\s+by\s+month|al\s+mes|"
                  + _A_UNIT % "month")),
)  # fmt: skip
# "El mes con más tickets", "the busiest day": which period of that unit, answered with the
# series by that unit over the window.
PEAK = _rx(
    r"(?:el|la|que|cual|what|which)\s+(dia|semana|mes)\s+(?:con\s+|de\s+|que\s+|en\s+que\s+|"
    r"hubo\s+|tuvo\s+)?(?:\w+\s+){0,4}?(?:mas|menos|peor|mejor)|"
    r"(?:busiest|quietest|peak|biggest)\s+(day|week|month)|"
    r"(?:which|what|the)\s+(day|week|month)\s+(?:had|has|got|saw|with|was)\s+(?:the\s+)?"
    r"(?:most|fewest|least|highest|lowest|best|worst)|"
    # "La peor semana en CSAT", "the best month for CSAT": the series, to find it in.
    r"(?:peor|mejor)\s+(dia|semana|mes)|(?:best|worst|slowest|fastest)\s+(day|week|month)"
)
# Which end of the series a PEAK question wants (the first that matches; else the highest).
PEAK_WAYS: tuple[tuple[Literal["low", "best", "worst"], re.Pattern[str]], ...] = (
    ("low", _rx(r"menos|fewest|least|lowest|quietest|tranquil\w*|flojos?|flojas?|mas\s+baj[oa]s?")),
    ("best", _rx(r"mejor|best|fastest")),
    ("worst", _rx(r"peor|worst|slowest")),
)
_TREND_NOUNS = (
    r"tendencias?|evoluci\w*|trend(?:s|ing)?|over\s+time|a\s+lo\s+largo\s+del\s+tiempo|"
    r"historico|evolv\w*"
)
# "¿Ha mejorado el tiempo de resolución?": its series answers, not one all-time figure; against
# a period ("respecto al año pasado") it is a comparison of two periods.
_TREND_VERBS = (
    r"(?:ha|han)\s+(?:mejorado|empeorado|cambiado)|(?:has|have)\s+(?:[\w·]+\s+){0,3}?"
    r"(?:improved|worsened|changed|gotten\s+(?:better|worse))|"
    r"mejorando|empeorando|improving|worsening|getting\s+(?:better|worse)"
)
TREND = _rx(f"{_TREND_NOUNS}|{_TREND_VERBS}")
TREND_NOUN = _rx(_TREND_NOUNS)
DIMENSIONS: tuple[tuple[str, str], ...] = (
    (
        "category",
        r"categorias?|categor(?:y|ies)|tipos?\s+de\s+tickets?|temas?|topics?|"
        # "What did customers complain about most?", "¿de qué se quejan más?": the categories.
        r"complain(?:ed|s)?\s+about|(?:de|sobre)\s+que\s+se\s+quej\w+",
    ),
    ("priority", r"prioridad(?:es)?|priorit(?:y|ies)"),
    ("channel", r"canal(?:es)?|channels?"),
    ("agent", r"agentes?|agents?|quien|who|personas?"),
    ("team", r"equipos?|teams?"),
    ("status", r"estados?|status(?:es)?"),
)
DIM = {name: _rx(p) for name, p in DIMENSIONS}
PER = (
    # "x" is "por" in a hurry ("tickets x canal").
    r"(?:por|x|by|per|segun|para\s+cada|cada|de\s+cada|each|every|across|split\s+by|"
    r"broken\s+down\s+by|"
    r"desglosad[oa]s?\s+por)\s+(?:la\s+|el\s+|los\s+|las\s+|the\s+)?"
)
PER_DIM = {name: _rx(PER + "(?:" + p + ")") for name, p in DIMENSIONS}
# "Closed by the team", "por nuestro equipo": the whole team, not a grouping by team; a team
# named after it ("por el equipo Alpha", blanked to "·") is a filter.
BY_THE_TEAM = _rx(
    r"(?:by|por)\s+(?:the\s+whole|the|our|todo\s+el|el|nuestro|my|mi)\s+(?:team|equipo)(?!\s*·)"
)
# One value against everyone ("my resolution time vs the team", "¿estoy por encima de la media del
# equipo?", "CSAT de billing comparado con el resto"): the figure without that filter. A team
# named after it (blanked to "·") is a filter instead.
AGAINST_ALL = _rx(
    r"(?:vs\.?|versus|frente\s+al?|frente\s+a\s+los|contra|con|with|to|than|against|over|above|"
    r"below|encima\s+de|debajo\s+de)\s+(?:the\s+(?:whole\s+)?|el\s+|al\s+|la\s+|our\s+|nuestro\s+|"
    r"todo\s+el\s+|mi\s+|my\s+)?(?:(?:media|promedio)\s+del\s+|(?:rest|average)\s+of\s+the\s+|resto\s+del\s+)?"
    r"(?:team|equipo)(?:\s+(?:average|avg|mean))?(?!\s*·)|"
    # "Más que el equipo" with its article: "¿qué equipo tiene más?" asks which team.
    r"que\s+(?:el|al|todo\s+el|nuestro)\s+(?:(?:media|promedio)\s+del\s+|resto\s+del\s+)?"
    r"equipo(?!\s*·)|"
    r"(?:team|everyone'?s?)\s+average|(?:media|promedio)\s+(?:del\s+equipo|general|global)|"
    r"(?:overall|global)\s+average|"
    r"(?:vs\.?|versus|than|que|frente\s+al?|against|con|with|to)\s+(?:everyone|everybody|todos|"
    r"todos\s+los\s+tickets|all\s+tickets|los\s+demas|las\s+demas|el\s+resto|the\s+rest|"
    r"the\s+others|all\s+the\s+others|(?:the\s+)?average|la\s+media|el\s+promedio)(?![\w])"
)
# Two groupings in a row: "status by channel", "categorías por agente".
DIM_BY_DIM = _rx(
    f"(?:{'|'.join(p for _, p in DIMENSIONS)})\\s+{PER}(?:{'|'.join(p for _, p in DIMENSIONS)})"
)
BREAKDOWN = _rx(
    r"desglose|desglosa\w*|breakdown|break\s+(?:(?:it|that|this|them|those)\s+)?down|"
    r"split\s+(?:it|that|this|them|those)|(?:separa|divide|agrupa)(?:lo|la|los|las)|"
    r"distribucion|distribution|reparto|ranking|ranked|top|"
    # "¿De qué se quejaron?": the categories they raised, each with its tickets.
    r"(?:de|sobre)\s+que\s+se\s+quej\w+|what\s+(?:\w+\s+){0,3}complain(?:ed|s)?\s+about"
)
SUPERLATIVE = _rx(
    r"mas|most|menos|least|fewest|mejor(?:es)?|peor(?:es)?|best|worst|highest|lowest|fastest|"
    r"better|worse|longest|shortest|"
    r"slowest|quickest|mayor|menor|top|mayoria|majority|most\s+common|mas\s+comun\w*|"
    r"mas\s+frecuente\w*|most\s+frequent"
)
ASC = _rx(
    r"menos|least|fewest|lowest|menor|fastest|quickest|shortest|mas\s+rapid[oa]s?|bottom|"
    # "El CSAT más bajo", "el tiempo más corto": the lowest first (it was the highest).
    r"mas\s+baj[oa]s?|mas\s+cort[oa]s?"
)
# Only an order, as a follow-up ("ordénalo de menor a mayor", "sort it ascending"): the previous
# ranking in that order. `SORT_ASC` says lowest first.
SORT = _rx(
    r"(?:ordena\w*|sort(?:ed)?|order(?:ed)?)(?:\s+(?:lo|la|los|las|it|them|eso|that))?|"
    r"(?:en\s+)?(?:forma|orden)\s+(?:ascendente|descendente)|in\s+(?:ascending|descending)\s+order|"
    r"de\s+menor\s+a\s+mayor|de\s+mayor\s+a\s+menor|(?:lowest|smallest|fewest|highest|largest|"
    r"most)\s+first|ascending|descending|ascendente|descendente"
)
SORT_ASC = _rx(r"menor\s+a\s+mayor|ascend\w*|(?:lowest|smallest|fewest)\s+first")
SORT_DESC = _rx(r"mayor\s+a\s+menor|descend\w*|(?:highest|largest|most)\s+first")
WORSE = _rx(r"worst|worse|peor(?:es)?")
BETTER = _rx(r"best|better|mejor(?:es)?")
_ONE_DIMENSION = r"agente|agent|categoria|category|canal|channel|equipo|team|prioridad|priority"
WHICH_ONE = _rx(rf"(?:que|cual|which|what)\s+(?:\w+\s+){{0,2}}(?:{_ONE_DIMENSION})|quien|who")
# "Which agents closed more than Diego?": the values of that dimension, each with its figure.
WHICH_MANY = _rx(r"(?:which|what)\s+(?:agents|categories|channels|teams|priorities)")
# "¿Cuál es la peor?", "which one has the most?": with a superlative and no grouping of its own,
# one value of the previous question's grouping.
PICK_ONE = _rx(r"which(?:\s+one)?|cual(?:es)?")
# One value asked for by a superlative next to the dimension in the singular: "top agent", "most
# common category", "la categoría más común", "el agente con más tickets", "agent with the most";
# not a grouping ("tickets por agente, más resueltos primero").
ONE_OF = _rx(
    r"(?:top|best|worst|busiest|biggest|slowest|fastest|quickest|lowest|highest|mejor|peor|"
    r"(?:most|least)\s+(?:common|frequent|active|used|popular))\s+(?:(?:csat|resolution|response|rated|"
    r"ticket|tickets|performing|rendimiento)\s+){0,2}"
    rf"(?:{_ONE_DIMENSION})|(?<!por\s)(?<!by\s)(?<!per\s)(?<!x\s)(?:{_ONE_DIMENSION})\s+"
    r"(?:(?:con|with|que\s+tiene|that\s+has|has|had)\s+)?(?:(?:el|la|los|las|the)\s+)?"
    r"(?:mas|most|menos|fewest|least|highest|lowest|mejor|peor)"
)
TOP_N = re.compile(
    # "Peores 3 categorías", "best 5 agents": a superlative right before the number too.
    r"(?:top\s*|bottom\s*|(?:los|las|the)\s+|(?<![\w])(?:mejores|peores|best|worst|primer[oa]s|"
    r"ultim[oa]s|first|last)\s+)(\d{1,3}(?:[.,]\d{3})+|\d+)(?![.,]?\d)"
    r"(?!\s*(?:dias|days|semanas|weeks|meses|months))"
)
SEARCH_LIMIT = re.compile(
    r"(\d+)\s+(?:\w+\s+)?(?:tickets|casos|resultados|results|ejemplos|examples)"
)

P90 = _rx(r"p90|percentil\s*90|90\s*(?:th)?\s*percentile|percentile\s*90|pct\s*90")
MEDIAN = _rx(r"mediana|median|p50|percentil\s*50|50\s*(?:th)?\s*percentile|percentile\s*50")
# Percentiles the tools do not compute (only the median and p90 of resolution time exist).
OTHER_PERCENTILE = _rx(
    r"(?:p(?![0-5](?!\d))|pct\s*|percentil(?:e)?\s*)(?!(?:50|90)(?!\d))\d{1,2}|"
    r"(?!(?:50|90)(?!\d))\d{1,2}\s*(?:th|st|nd|rd|º)?\s*percentile|cuartil(?:es)?|quartiles?"
)
# Spanish has one word for "faster" and "fastest": with a period and no grouping, a comparison.
QUICKER_ES = _rx(r"mas\s+(?:rapid|lent)\w*|mas\s+deprisa|mas\s+despacio")
ARTICLE_BEFORE = re.compile(r"(?<![\w])(?:el|la|los|las|lo)\s+(?:\w+\s+)?$")
# The longest or shortest single value of a metric ("the longest resolution time"): no tool has it.
EXTREME = _rx(
    r"maxim[oa]s?|minim[oa]s?|maximum|minimum|longest|shortest|mas\s+larg[oa]s?|mas\s+cort[oa]s?|"
    r"(?:que|el\s+que)\s+(?:mas|menos)\s+tard\w+|fastest|slowest|quickest|highest|lowest|"
    r"mas\s+rapid[oa]s?|mas\s+lent[oa]s?|mas\s+baj[oa]s?|mas\s+alt[oa]s?|best|worst|mejor|peor"
)
# Metrics the tickets do not hold: never resolution time, CSAT or a count instead.
OTHER_METRICS = _rx(
    r"nps|net\s+promoter\w*|customer\s+effort|effort\s+score|aht|handl(?:e|ing)\s+time|"
    r"tiempo\s+(?:medio\s+)?de\s+gestion|fcr|first\s+contact\s+resolution|"
    r"resolucion\s+(?:en|al)\s+primer\s+contacto|tiempo\s+de\s+espera|wait(?:ing)?\s+time|"
    r"abandon\w*|abandono|occupancy|ocupacion|"
    # How long open tickets have been open: the tools measure closed ones.
    r"cuanto\s+tiempo\s+(?:llevan?|lleva)\s+abiert\w*|how\s+long\s+(?:have|has)\s+(?:\w+\s+){0,4}"
    r"been\s+open|edad\s+(?:media\s+)?del?\s+(?:backlog|(?:los\s+)?tickets\s+abiertos)|"
    r"backlog\s+age|age\s+of\s+(?:the\s+)?(?:open\s+tickets|backlog)|antiguedad"
)
AVG = _rx(r"(?<!por\s)medi[oa]s?|promedio|average|avg|mean")  # "por medio del chat" is "via"
FIRST_RESPONSE = _rx(r"primera\s+respuesta|first\s+response|tiempo\s+(?:\w+\s+)?de\s+respuesta|"
                      r"respuesta\s+(?:media|promedio)|y\s+(?:de\s+|la\s+)?respuesta|"
                      r"response\s+time|en\s+responder|to\s+respond|first\s+reply|"
                      r"por\s+primera\s+vez|respond\w*|reply|replies|contest\w*")  # fmt: skip
CSAT = _rx(
    r"csat|satisfaccion|satisfaction|valoracion(?:es)?|puntuacion(?:es)?|ratings?|nota|scores?|"
    r"valorad[oa]s?|puntuad[oa]s?|rated|"
    # "Are customers happier?", "¿están más contentos los clientes?": their rating.
    r"happ(?:y|ier|iest)|satisfied|unhappy|content[oa]s?|satisfech[oa]s?"
)
RESOLUTION_TIME = _rx(
    r"(?:tiempo|time|horas|hours)\s+(?:\w+\s+){0,2}(?:resolucion|resolution|resolver|resolve|cierre|"
    r"close|closing)|resolution\s+times?|time\s+to\s+(?:resolve|close)|how\s+long|tard\w*|fastest|"
    r"how\s+many\s+(?:days|hours|minutes)\s+(?:\w+\s+){0,3}(?:take|takes|took|needed)|"
    r"how\s+fast|how\s+quickly|que\s+tan\s+rapid\w*|"
    r"slowest|quickest|faster|slower|quicker|more\s+(?:quickly|slowly)|mas\s+(?:rapid|lent)\w*|"
    # "Which priority takes longest to resolve?" (it was every resolved ticket's count).
    r"(?:takes?|took|taking)\s+(?:the\s+)?(?:longest|shortest|most\s+time|least\s+time)|"
    r"(?:media|mediana|promedio|average|median|mean|avg|p90)"
    r"\s+(?:\w+\s+){0,2}(?:resolucion|resolution)|resolucion\s+(?:media|mediana|promedio)"
)
# The unit times are asked in: "in days", "en horas", "¿cuántos días tarda?".
TIME_UNIT = _rx(
    r"(?:in|en|expressed\s+in|expresad[oa]\s+en|how\s+many|cuant[oa]s)\s+"
    r"(?P<unit>dias|days|horas|hours|minutos|minutes)"
)
RESOLUTION_WORD = _rx(r"resolu\w*|resolv\w*|cierre|clos\w*|cerr\w*|solucion\w*")
# What a figure is of, when it is a time or a score: without one, "la media de tickets por día" is
# an average of counts, which no tool computes.
METRIC_WORDS = _rx(
    r"tiempos?|times?|horas?|hours?|minutos?|minutes?|duracion|duration|tard\w*|how\s+long|"
    r"resolucion|resolution|cierre|rapid\w*|lent\w*|fast\w*|slow\w*|quick\w*|longest|shortest"
)
STATS = _rx(
    r"estadisticas?|stats|statistics|metricas|metrics|kpis?|rendimiento|performance|resumen|"
    r"summari[sz]e|resume(?:me|nos)?|resumir|"
    r"summary|overview|informes?|reportes?|reports?|(?:los|las|the)\s+(?:numeros|cifras|numbers)"
)
# "How are we doing this week?": the summary, unless it asks about tickets ("¿cómo vamos en
# tickets resueltos respecto al mes pasado?" compares counts).
# Also "how is the team doing?", "how did Diego do?", "what happened yesterday?", "¿cómo le va a
# Diego?", "¿cómo ha ido la semana?", "¿qué pasó ayer?" (a name is a filter, blanked to "·").
_SOMEONE = r"(?:[\w·'@.-]+\s+){0,3}?"
HOW_WE_DO = _rx(
    rf"how(?:\s+(?:are|is|am)|'s)\s+{_SOMEONE}doing|how\s+did\s+{_SOMEONE}(?:do|go)|"
    r"what\s+(?:happened|went\s+on)|"
    r"(?:como|que\s+tal)\s+(?:vamos|voy|fue|nos\s+fue|me\s+fue|(?:le|les|nos|me)\s+(?:va|fue)|"
    r"(?:(?:nos|me|le|les)\s+)?(?:ha|han|hemos|he)\s+ido|estuvo)|"
    r"que\s+(?:paso|ha\s+pasado|tal\s+fue)|"
    # "¿Qué tal lo está haciendo el equipo Norte?", "how is the team performing?"
    r"(?:como|que\s+tal)\s+(?:lo\s+)?(?:esta|estan|estamos|estoy)\s+(?:haciendo|rindiendo)|"
    r"(?:como|que\s+tal)\s+(?:le|les|nos|me)\s+esta\s+yendo|"
    rf"how(?:\s+well)?(?:\s+(?:are|is|am)|'s)\s+{_SOMEONE}(?:performing|getting\s+on)"
)
# "How was last week?", "¿qué tal el Equipo Norte este mes?", "¿cómo va el equipo?": the
# summary, when nothing but a period, a filter or the team follows (`intents._how_was`; alone,
# "¿qué tal?" greets).
HOW_WAS = _rx(
    r"how(?:'s|\s+(?:is|are|was|were))(?:\s+it\s+going)?|que\s+tal|"
    r"como\s+(?:fue|va|van|anda|estuvo)"
)
# "Resumen semanal", "monthly report": the summary of the current week or month, not a series.
SUMMARY_OF_PERIOD = _rx(r"semanal|mensual|diari[oa]|weekly|monthly|daily")
BY_INTERVAL = _rx(r"(?:por|by|per|cada|each)\s+(?:dias?|days?|semanas?|weeks?|mes(?:es)?|months?)")
COUNT = _rx(r"cuant[oa]s|how\s+many|numero\s+de|number\s+of|total|count|cantidad|volumen|volume|"
             r"how\s+much")  # fmt: skip
TICKETS = _rx(r"tickets?|casos?|incidencias?|solicitudes|requests?|backlog")
OPEN = _rx(
    r"(?:sin|por|falta\w*\s+por|quedan\s+por)\s+(?:resolver|cerrar)|no\s+resuelt\w+|pendientes?|(?:siguen?|sigue|todavia|aun|estan)\s+"
    r"abiert\w+|abiert\w+\s+hay|(?:hay|tenemos|tengo|tiene|tienen)\s+(?:\w+\s+){0,3}abiert\w+|"
    r"still\s+open|have\s+(?:\w+\s+){0,2}open|open\s+(?:right\s+)?now|"
    r"currently\s+open|unresolved|open\s+tickets?|tickets?\s+(?:that\s+are\s+)?(?:still\s+)?open|"
    r"backlog|en\s+curso|are\s+open|pending|"
    # "Open vs closed tickets": the open ones against the resolved ones.
    r"open(?=\s+(?:vs\.?|versus|and|or)\s+(?:closed|resolved|solved)\b)|"
    # A negated "resolved" ("no se han resuelto", "haven't been closed"), with only auxiliaries
    # between: "no urgentes se resolvieron" is about resolved tickets.
    r"(?:no|not|never|sin|\w+n't)\s+(?:(?:se|han|ha|hayan|haya|sido|estan|esta|fueron|fue|"
    r"been|yet|be|are|is|were|was|have|has|had|todavia|aun|get|got|gotten)\s+){0,3}"
    r"(?:resuelt\w*|resolv\w*|cerrad\w*|cerr[eo]\w*|solucionad\w*|resolved|closed|solved)"
)
# "¿Qué agente mejoró más?", "which team improved the most?": the change of each value, a
# comparison of two breakdowns the tools do not give.
MOST_IMPROVED = _rx(
    r"(?:mejor|empeor)(?:o|aron|ado)\s+(?:\w+\s+){0,2}?mas|(?:improved|worsened)\s+(?:\w+\s+){0,2}?"
    r"most|"
    r"(?:mas|most)\s+(?:improv|mejorad|empeorad|wors)\w*|got\s+(?:better|worse)\s+the\s+most"
)
# The backlog over time: no ticket keeps its status history, so past backlogs are unknown.
BACKLOG = _rx(r"backlog")
CHANGE = _rx(
    r"crec\w*|grow\w*|grew|chang\w*|cambi\w*|aument\w*|increas\w*|decreas\w*|disminu\w*|reduc\w*|"
    r"shr[iu]nk\w*|evoluc\w*|evolv\w*|over\s+time"
)
CREATED = _rx(
    r"recib\w*|receiv\w*|cread\w*|se\s+crearon|abiert\w*|se\s+abrieron|entrad\w*|entraron|llegad\w*|"
    r"llegaron|nuev[oa]s|opened|created|received|new\s+tickets?|came\s+(?:in|through|via)|"
    r"submitted|raised|"
    r"ingresad\w*|abrieron|creaste|abri(?:mos|o)?|abren|crea(?:mos|ron)|"
    r"(?:did|do|does)\s+(?:we|you|they|customers?|clients?)\s+open|"
    r"did\s+we\s+get|we\s+got|have\s+we\s+got|"
    r"do\s+we\s+(?:usually\s+|normally\s+|typically\s+)?(?:get|receive)|we\s+(?:get|receive)|"
    r"recibimos|nos\s+llegan|llegan|entran|nos\s+contact\w+|contact(?:ed|s)?\s+us|"
    # What customers complained about: the tickets they raised.
    r"complain(?:ed|s)?|se\s+quej\w+"
)
# Tickets keep no time of assignment: "¿cuántos me asignaron esta semana?" are the week's new
# tickets that are mine, unless resolved ones are named ("asignados a Diego resueltos este mes").
ASSIGNED = _rx(r"asignaron|asignad[oa]s?|assigned")
VOLUME = _rx(r"volumen|volume|incoming|inflow|entrantes|demanda|demand")
RESOLVED = _rx(
    r"resuelt\w*|resolv\w*|cerrad\w*|cerr[eo]\w*|cerraron|cerramos|solucion\w*|closed|resolved|"
    r"solved|"
    r"close|fixed"
)
# "I" only as the one who worked the tickets: "Can I see..." is not about the asker's own tickets.
SELF = _rx(
    r"mis|mi(?!\s+equipo)|my(?!\s+team)|mine|yo|he\s+(?:resuelto|cerrado|atendido)|resolvi|"
    r"(?:from|for|by)\s+me|"
    r"cerre|atendi|me\s+asignaron|assigned\s+to\s+me|(?:do|did|have|had|am|was)\s+i|"
    r"i\s+(?:have\s+|had\s+)?(?:resolv|clos|solv|handl|clear|fix|work)\w*|"
    # First-person verbs: "¿Cuántos tickets tengo abiertos?", "llevo resueltos", "¿cómo voy?",
    # "compárame con el mes pasado".
    r"tengo(?!\s+que)|llevo|voy|compar[ae]me|i\s+(?:have|had|did)(?!\s+to)|i'?ve|"
    # "¿Cuántos resuelvo?", "¿cuántos cierro al día?" (see also SELF_UNACCENTED).
    r"resuelvo|cierro|atiendo|respondo|"
    # "¿Estoy por encima de la media?" (not "estoy buscando tickets...").
    r"estoy\s+(?:por\s+)?(?:encima|debajo|mejor|peor|mas|menos)"
)
# "¿En qué categoría tardo más?": first person only without the accent of "¿cuánto tardó?",
# which folding removes; matched on the lower-cased text, not the folded one.
SELF_UNACCENTED = re.compile(r"(?<![\w])(?:tardo|contesto|gestiono)(?![\w])")
_COUNT = r"(?:\d+|" + "|".join(NUMBER_WORDS) + ")"
# "¿y el mes anterior?" after a question about October means September, not "last month".
BEFORE_THAT = _rx(
    r"(?:el|la)\s+(?:dia|semana|mes|trimestre|ano)\s+(?:anterior|de\s+antes)|la\s+anterior|"
    r"el\s+anterior|the\s+(?:day|week|month|quarter|year)\s+before(?!\s+last)|the\s+one\s+before|"
    r"the\s+previous\s+(?:day|week|month|quarter|year|one)|"
    # "¿Y los 30 días anteriores?" after "los últimos 30 días": the 30 days before those.
    rf"(?:los|las)\s+{_COUNT}\s+(?:dias|semanas|meses)\s+(?:anteriores|previos|previas)|"
    rf"(?:the\s+)?(?:previous|prior|preceding)\s+{_COUNT}\s+(?:days|weeks|months)|"
    rf"(?:the\s+)?{_COUNT}\s+(?:days|weeks|months)\s+(?:before|prior)(?!\s+last)"
)
# Written right before a filter value, it asks for every value but that one ("no urgentes",
# "non-billing", "excepto facturación"): the tools filter by one value only.
NEGATED_VALUE = re.compile(
    r"(?<![\w-])(?:no|not|non|sin|except|excepto|salvo|excluding|excluyendo|other\s+than|"
    r"distint[oa]s?\s+(?:de|a)|apart\s+from|que\s+no)"
    r"(?:\s+(?:son|sean|es|sea|de|del|la|el|los|las|por|en|con|via|the|are|is|in|for|of|a|an|"
    r"from|by|on|with|through|tickets?))*[\s-]*$"
)
# "non-urgent": the value as a word of its own (same length, so spans stay), to be seen negated.
NON_PREFIX = re.compile(r"(?<![\w-])(non|no)-(?=\w)")
# "¿Cuántos tickets hay?", "how many tickets do we have": every ticket, whatever its status.
TOTAL = _rx(
    r"hay|tenemos|existen|en\s+total|in\s+total|do\s+we\s+have|are\s+there|all\s+tickets|"
    r"total\s+(?:de\s+|number\s+of\s+)?tickets|tickets\s+totales"
)
# "¿Cuántos nuevos y cuántos resueltos?": two counts asked at once, not "created and resolved".
TWO_COUNTS = _rx(
    r"cuant[oa]s\s+(?:\S+\s+){0,8}?(?:y|e)\s+cuant[oa]s|"
    r"how\s+many\s+(?:\S+\s+){0,8}?and\s+how\s+many|"
    # Created against resolved: "created vs resolved", "¿entraron más de los que cerramos?", "did
    # we close more than we received?" are the two counts, not a comparison of periods.
    r"vs\.?|versus|frente\s+a|than|de\s+l[oa]s\s+que|que\s+l[oa]s\s+que"
)
# A count over a threshold of a metric ("resueltos en menos de una hora", "CSAT below 3"): the
# tools give averages, medians and P90, and filter by no metric's value.
# The periods' number words, and the tens a duration threshold also uses ("veinte minutos").
_AMOUNT = (
    r"(?:an?|\d+(?:[.,]\d+)?|"
    + "|".join([*NUMBER_WORDS, "veinte", "cuarenta", "sesenta", "twenty", "forty", "sixty"])
    + ")"
)
# "24h", "48 h", "30min": an amount of time with its unit written short.
_SHORT_UNIT = r"\s*(?:h|hs|hrs?|min|mins|d)"
THRESHOLD = _rx(
    r"(?:en\s+|in\s+)?(?:menos|mas)\s+de\s+" + _AMOUNT + r"\s+(?:horas?|minutos?|dias?|semanas?)|"
    r"(?:en\s+|in\s+)?(?:menos|mas)\s+de\s+\d+" + _SHORT_UNIT + "|"
    r"(?:in\s+)?(?:under|less\s+than|more\s+than|over|within|longer\s+than|faster\s+than|"
    r"older\s+than|newer\s+than)\s+" + _AMOUNT + r"\s+(?:hours?|minutes?|mins?|days?|weeks?)|"
    r"(?:in\s+)?(?:under|less\s+than|more\s+than|over|within|longer\s+than|faster\s+than|"
    r"older\s+than|newer\s+than)\s+\d+" + _SHORT_UNIT + "|"
    r"csat\s+(?:\w+\s+)?(?:below|under|above|over|menor\s+(?:de|que|a)|mayor\s+(?:de|que|a)|"
    r"por\s+(?:debajo|encima)\s+de|"
    r"inferior\s+a|superior\s+a|(?:less|more|greater)\s+than|de|of|=|<|>|<=|>=)\s*[1-5](?![\d.,:])|"
    # Resolved the day they came in: a threshold on the resolution time, not every ticket.
    r"(?:el\s+|on\s+the\s+|the\s+)?(?:mismo\s+dia|same\s+day)(?:\s+(?:que|en\s+que|as|they|it|de)"
    r"(?:\s+\w+){0,3})?|same-day|"
    # A CSAT value: "tickets con CSAT 5", "valoración 1", "5 estrellas", "rated 5".
    r"(?:csat|valoracion|puntuacion|nota|rating|score|rated)\s+(?:de\s+|of\s+)?[1-5](?![\d.,:])|"
    r"[1-5]\s+(?:estrellas?|stars?)|"
    r"csat\s+(?:bajo|alto|malo|bueno|baja|alta|low|high|poor|bad|good)|"
    r"(?:bajo|alto|malo|bueno|low|high|poor|bad|good)\s+csat|"
    r"(?:sin|no|without(?:\s+an?)?|missing)\s+csat|"
    # Against the average: "resueltos en menos tiempo que la media", "slower than average".
    r"(?:(?:en\s+)?(?:menos|mas)\s+tiempo\s+(?:que|de\s+lo\s+que)|(?:faster|slower|quicker|longer)"
    r"\s+than|above|below|por\s+(?:encima|debajo)\s+de)\s+(?:the\s+|la\s+|el\s+|lo\s+)?"
    r"(?:average|median|media|mediana|promedio|usual|normal|habitual)"
)
# A threshold on a count ("agents with more than 20 tickets"): the breakdown shows each count.
# Also of ratings: "top 3 agents by CSAT with at least 10 ratings" read "least" as lowest first.
_COUNTED = (
    r"(?:tickets?|casos?|cases?|ratings?|reviews?|surveys?|valoraciones|valoracion|encuestas?|"
    r"respuestas?|responses?)"
)
COUNT_THRESHOLD = _rx(
    rf"(?:more|less|fewer)\s+than\s+\d+\s+(?:\w+\s+)?{_COUNTED}|"
    rf"(?:over|under|at\s+least|at\s+most|minimum(?:\s+of)?|min\.?)\s+\d+\s+(?:\w+\s+)?{_COUNTED}|"
    rf"(?:mas|menos)\s+de\s+\d+\s+(?:\w+\s+)?{_COUNTED}|"
    rf"(?:al\s+menos|como\s+minimo|como\s+maximo|minimo(?:\s+de)?)\s+\d+\s+(?:\w+\s+)?{_COUNTED}"
)
# "01/11/2026", "11/01": day and month in an order that depends on the country ("15/03/2024"
# is read: `periods._numeric_date`).
AMBIGUOUS_DATE = _rx(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?![\d])")
# Two groupings at once ("por canal y prioridad"): the tools group by one.
_GROUPS = "(?:" + "|".join(p for _, p in DIMENSIONS) + ")"
_UNITS = r"(?:dias?|days?|semanas?|weeks?|mes(?:es)?|months?)"
# "Por canal y prioridad", "por categoría y mes", "by week and channel": two groupings at once.
_GROUPING = "(?:" + _GROUPS + "|" + _UNITS + ")"
TWO_GROUPINGS = _rx(f"{PER}{_GROUPING}(?:\\s+(?:y|e|and|&|,)\\s+(?:{PER})?|\\s+{PER}){_GROUPING}")
# "Cerrados vs resueltos": two status values set against each other, from the status breakdown
# (not two periods compared); "resolved and closed" is every finished ticket.
_VERSUS = (
    r"\s+(?:vs\.?|versus|frente\s+a|contra|against|compared\s+(?:to|with)|comparad\w+\s+con)\s+"
)
STATUS_PAIR = _rx(
    rf"(?:cerrad\w*|closed){_VERSUS}(?:resuelt\w*|resolved)|"
    rf"(?:resuelt\w*|resolved){_VERSUS}(?:cerrad\w*|closed)"
)
# count_tickets knows resolved/open/any only; other statuses come from the status breakdown.
STATUS_VALUE = _rx(
    r"escal(?:ad|ar|aron|o|e|ation)\w*|escalated|en\s+espera|on\s+hold|in\s+progress|"
    r"en\s+(?:progreso|curso|proceso)|"
    r"(?:estado|status)\s*(?:[:=]\s*|de\s+)?(?:nuevos?|nuevas?|new)"
)
# "¿Cuántos tickets nuevos hay?", "new tickets" with no period: those in status new (from the
# status breakdown), not every ticket ever created; with a period they are the created ones.
NEW_TICKETS = _rx(r"(?:tickets?|casos?)\s+nuev[oa]s|nuev[oa]s\s+(?:tickets?|casos?)|new\s+tickets?")
# A status named by its value ("in status waiting on customer", "con estado bloqueado"): a value
# no rule reads is none the tools know (`intents._is_name` decides).
STATUS_NAMED = _rx(
    r"(?:status|estado|state)\s*(?:[:=]\s*|is\s+|es\s+|of\s+|de\s+)?"
    r"(?P<value>(?!(?:by|por|per|segun|x|and|y|or|o)(?![\w]))[a-z][\w-]*)"
)
# Tickets listed by age or order: no tool lists them so ("the oldest open tickets").
LISTING = _rx(
    r"mas\s+antigu\w+|mas\s+viej\w+|oldest|newest|latest\s+(?:\d+\s+)?tickets?|"
    r"ultim[oa]s?\s+(?:\d+\s+)?tickets?|(?:last|first)\s+(?:\d+\s+)?tickets?|"
    r"primer(?:[oa]s?)?\s+(?:\d+\s+)?tickets?|"
    r"mas\s+recientes?|most\s+recent|longest\s+open|lleva\w*\s+mas\s+tiempo"
)
# Asked to list tickets ("list open tickets for Diego", "muéstrame los tickets abiertos"): no tool
# lists them, so a count answers, saying so.
LIST_VERB = _rx(
    r"list(?:s|ed|ing)?|lista(?:r|me|do|dos)?|enumera\w*|(?:show|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?tickets|"
    r"(?:muestra|muestrame|ensename|dame)\s+(?:todos\s+)?(?:los\s+)?tickets|"
    # "¿Qué tickets siguen abiertos?", "which billing tickets...?": which ones, not how many.
    r"(?:que|which|what)\s+(?:(?!cantidad|numero|number|amount|volumen|volume|total)\w+\s+|"
    r"·+\s+)?tickets"
)
FILLER_WORDS = frozenset(
    """y e o de del la las el los en por para con sin a al un una que cual cuales como se es son fue
    hay me mi lo le les su sus solo tambien pero ahora eso esos esas esto este esta and or of the in
    on for with an to what whats s is are was were how about also only but now that this those
    these my it its there as show me muestra muestrame muestramelo muestralo
    ensename ensenamelo dame damelo tiene tienen tuvo has have had""".split()  # noqa: SIM905
)
# "Compáralo con agosto", "compare that with August": the previous answer is the first period.
_REFERS_BACK = (
    r"compar[ae]l[oa]s?|compara\s+(?:eso|esto|esos|estos)|compare\s+(?:it|that|this|them|those)"
)
# "Ok, ¿y por canal?", "perfecto, ahora por prioridad": an acknowledgement before a follow-up.
_ACK = (
    rf"^\W*(?:(?:{_ACK_WORDS}|gracias|muchas\s+gracias|thanks|thank\s+you|bien|muy\s+bien|bueno|"
    r"nice|sure|claro)\W+)*"
)
REFERS_BACK = re.compile(_ACK + r"(?:" + _REFERS_BACK + r")(?![\w])")
# One ticket referred to ("¿quién lo resolvió?", "¿cuánto tardó?", "who handled it?"): after a
# ticket, that ticket again, whose answer holds its agent, times and rating.
TICKET_REF = _rx(
    r"(?:lo|la|le)\s+(?:resolvi\w*|cerr\w*|atendi\w*|gestion\w*|solucion\w*|llev\w*|tuvo|tien\w*|"
    r"hizo|valor\w*|puntu\w*)|tardo|se\s+resolvio|it|its|this\s+(?:one|ticket)|that\s+(?:one|ticket)|"
    r"(?:este|ese)\s+(?:ticket|caso)|took"
)
# Only a number, as a follow-up ("¿y el 46?", "what about 13?", "#7"): another ticket after one.
BARE_NUMBER = re.compile(
    r"^\W*(?:(?:y|e|and|what\s+about|how\s+about|and\s+for|now|ahora)\s+)?"
    r"(?:(?:el|la|the)\s+)?(?:(?:number|numero|no|n)\W*)?#?\s*(\d{1,12})\W*$"
)
FOLLOWUP = re.compile(
    _ACK + r"(?:y|e|and|what\s+about|how\s+about|and\s+for|tambien|also|solo|only|pero|but|"
    r"what\s+if|y\s+si|ahora|now|" + _REFERS_BACK + r")(?![\w])"
)

# Groupings the tools do not have (DESIGN §7: dimensions, and days, ISO weeks or months).
# Fields the tools neither filter nor group by (DESIGN §7), by them or with a value after them:
# "by customer", "cliente Aperture Science", "región norte". "Customer support" is the service.
_NO_FIELD_WORDS = (
    r"customers?|clients?|clientes?|compan(?:y|ies)|empresas?|organi[sz]ations?|organizacion(?:es)?|"
    r"regions?|region(?:es)?|countr(?:y|ies)|pais(?:es)?|cit(?:y|ies)|ciudad(?:es)?|products?|"
    r"productos?|tags?|etiquetas?|idiomas?|languages?|marcas?|brands?"
)
# "¿De dónde vienen los tickets?", "where do tickets come from?": the breakdown by channel.
_WHERE_FROM = (
    r"donde\s+(?:vienen|llegan|entran)|where\s+(?:do|does|did)\s+(?:\w+\s+){0,3}come\s+from"
)
WHERE_FROM = _rx(_WHERE_FROM)
NO_FIELD = _rx(
    # Any other "where": the tickets hold no place.
    r"(?!" + _WHERE_FROM + r")(?:donde|where)|"
    r"(?:by|per|por|each|cada|segun)\s+(?:the\s+|el\s+|la\s+)?(?:" + _NO_FIELD_WORDS + ")|"
    r"(?:customer|client|cliente|company|empresa|region|country|pais|city|ciudad|product|"
    r"producto|tag|etiqueta)\s+(?!(?:support|service|servicio|satisfaction|satisfaccion|experience|"
    r"care|atencion|en|de|del|la|las|el|los|y|e|o|que|por|con|a|al|este|esta|in|on|of|for|the|"
    r"this|that|last|and|or|by|per|with|to|is|are|was|were)(?!\w))[a-z0-9]\w*|"
    r"sin\s+asignar|unassigned|no\s+asignad\w*|without\s+(?:an?\s+)?agent|sin\s+agente|"
    r"(?:with\s+)?no\s+(?:agent|assignee|owner)|ningun\s+agente|sin\s+responsable|"
    r"no\s+(?:tienen?|tenian|tuvieron)\s+(?:un\s+|ningun\s+)?(?:agente|responsable)|"
    r"(?:have|has|had)\s+no\s+(?:agent|assignee|owner)|"
    r"(?:pendientes?\s+de|por)\s+asignar|sin\s+asignacion|(?:awaiting|pending)\s+assignment|"
    r"not\s+(?:yet\s+)?assigned|"
    # Customer segments: the tickets hold a customer's name, not their tier.
    r"clientes?\s+(?:vip|premium|gold|platinum|importantes|grandes|clave)|"
    r"(?:vip|premium|gold|platinum|key|top|important|big)\s+(?:customers?|clients?|clientes?|accounts?)|"
    r"reabiert\w*|reabr\w*|reopen\w*|re-opened|slas?|breach\w*|incumpl\w*|"
    # Reassignments and whether a ticket was answered: no field holds them.
    r"reasign\w*|reassign\w*|transferid\w*|transferred|"
    r"(?:sin|no|without(?:\s+an?)?|never\s+got\s+an?)\s+(?:primera\s+)?(?:respuesta|responder|"
    r"response|reply|first\s+response|contestar)|(?:tienen|tiene|con|with|have|has|had)\s+(?:una\s+|an?\s+)?"
    r"(?:primera\s+)?(?:respuesta|response|reply|first\s+response)(?!\s+(?:time|media|medio))|"
    r"(?:sin|no|without(?:\s+an?)?)\s+(?:categor\w+|prioridad\w*|priorit\w+|canal\w*|channels?|"
    r"equipos?|teams?)"
)
NO_GROUPING = _rx(
    r"(?:por\s+)?dias?\s+de\s+(?:la\s+)?semana|(?:by\s+|per\s+)?days?\s+of\s+(?:the\s+)?week|"
    r"(?:que\s+)?dias?\s+del\s+mes|days?\s+of\s+(?:the\s+)?month|"
    r"weekdays?|dias?\s+laborables?|laborables|entre\s+semana|fin(?:es)?\s+de\s+semana|weekends?|"
    r"los\s+(?:lunes|martes|miercoles|jueves|viernes)|sabados|domingos|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days|"
    r"(?:por|cada)\s+horas?|a\s+que\s+horas?|(?:que|cual(?:es)?)\s+horas?|horas?\s+del\s+dia|"
    r"franjas?\s+horarias?|horarios?|(?:by|per|each)\s+(?:the\s+)?hour|hourly|"
    r"after[\s-]hours|out[\s-]of[\s-]hours|(?:business|office|working)\s+hours|overnight|"
    r"during\s+the\s+night|de\s+madrugada|nocturn\w*|"
    r"hours?\s+of\s+(?:the\s+)?day|time\s+of\s+(?:the\s+)?day|(?:at\s+)?what\s+time|"
    r"which\s+hours?|(?:por|en)\s+la\s+(?:manana|tarde|noche)|in\s+the\s+(?:morning|afternoon|"
    r"evening)|at\s+night|"
    r"(?:por|cada)\s+anos?|anual(?:es|mente)?|ano\s+a\s+ano|interanual|(?:by|per|each)\s+year|"
    r"yearly|annual(?:ly)?|year\s+(?:over|on|by)\s+year|yoy|"
    r"(?:por|cada)\s+trimestres?|trimestral(?:es|mente)?|trimestre\s+a\s+trimestre|"
    r"(?:by|per|each)\s+quarter|quarterly|quarter\s+(?:over|on|by)\s+quarter|"
    # Tickets per CSAT value ("tickets by CSAT score", "distribución del CSAT"); "canales por
    # CSAT" ranks channels by it.
    r"(?:tickets?|casos?)\s+(?:por|by|per)\s+(?:csat|valoracion|puntuacion|nota|rating|score)\w*|"
    r"(?:distribution|distribucion|desglose|breakdown|reparto|histogram\w*)\s+(?:of|de|del)\s+"
    r"(?:la\s+|el\s+|the\s+)?(?:csat|valoracion\w*|puntuacion\w*|ratings?|scores?)"
)
# Time words no period rule read (a period found is blanked before this looks): "hace 3 horas",
# "a few weeks ago", "los 3 últimos meses", "next month", "in 1850".
# Right before a period, a bound with no other end ("hasta octubre", "before March"): that period
# alone is another question's window (after a period that has not ended either).
OPEN_BOUND = re.compile(
    r"(?<![\w-])(?:hasta|until|till|before|antes\s+del?|up\s+to|prior\s+to|through|after|"
    r"despues\s+del?|tras)\s+(?:el\s+|la\s+|los\s+|las\s+|the\s+)?$"
)
UNREAD_PERIOD = _rx(
    r"hace\s+(?:[\w.,]+\s+){0,3}?(?:segundos?|minutos?|horas?|dias?|semanas?|mes(?:es)?|"
    r"trimestres?|semestres?|anos?|tiempo|rato|mucho|poco|cuanto)|"
    r"(?:(?:a\s+)?[\w.,]+\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|"
    r"while)\s+ago|ago|antepasad[oa]s?|before\s+last|"
    r"(?:\d[\d.,]*|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|two|three|four|five|six|"
    r"seven|eight|nine|ten)\s+(?:\w+\s+)?(?:dias|semanas|meses|trimestres|anos|horas|"
    r"days|weeks|months|quarters|years|hours)|"
    r"(?:proxim[oa]s?|siguientes?)\s+(?:\w+\s+)?(?:dias?|semanas?|mes(?:es)?|trimestres?|anos?)|"
    r"(?:next|coming|following)\s+(?:\w+\s+)?(?:days?|weeks?|months?|quarters?|years?)|"
    r"(?:semana|mes|ano)\s+que\s+viene|pasado\s+manana|manana|tomorrow|tonight|anoche|"
    r"(?:este|this|next|el\s+proximo|proximo)\s+(?:fin\s+de\s+semana|finde|weekend)|"
    r"(?:esta|la)\s+(?:manana|tarde|noche)|(?:this|last)\s+(?:morning|afternoon|evening|night)|"
    r"(?:del?|from|between|entre)\s+(?:el\s+|the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:al?|to|and|y|-|hasta|until)(?:\s+(?:el\s+|the\s+)?\d{1,2}(?![\d.,:]))?(?![\w-])|"
    r"(?:semana\s+del?|week\s+of)(?!\s*\w)|"
    r"semestres?|half[\s-]years?|halves|y\s+medio|and\s+a\s+half|"
    # "En lo que llevamos de año" no rule read: never every ticket instead.
    r"(?:llevamos|vamos|va)\s+(?:de|del)\s+(?:semana|mes|trimestre|ano|quincena|curso|ejercicio)|"
    r"(?:en|in|durante|during|desde|since)\s+(?:(?:el\s+)?ano\s+|(?:the\s+)?year\s+)?\d{1,4}"
    r"(?![\d.,:])|"
    # A part of a period ("a finales de octubre", "early November", "the end of last month"):
    # the whole period would be another question's figure. "Desde principios de mes" is a period.
    r"(?:principios|inicios?|comienzos?|finales|final|mediados|mitad)\s+(?:de|del)(?!\w)|"
    r"(?:primeros|ultimos|primeras|ultimas)\s+(?:dias|semanas)\s+(?:de|del)(?!\w)|"
    r"(?:beginning|start|end|middle)\s+of|early|late|mid(?:-\w+)?|"
    # Holidays and seasons: their dates change with the year, the country or the hemisphere.
    r"navidad(?:es)?|christmas|xmas|nochebuena|nochevieja|ano\s+nuevo|new\s+years?(?:\s+eve)?|"
    r"semana\s+santa|easter|pascua|black\s+friday|cyber\s+monday|thanksgiving|halloween|"
    r"accion\s+de\s+gracias|san\s+valentin|valentines?|verano|summer|invierno|winter|"
    r"primavera|spring|otono|autumn|holidays?|vacaciones|festivos?|puentes?|"
    r"fin(?:ales)?\s+de\s+(?:mes|ano|trimestre)|quincenas?|fortnight|"
    # Fiscal years and halves start where each company says.
    r"fiscal|h[12]|primera\s+mitad|segunda\s+mitad"
)


DIMENSIONS_PLURAL = {
    "category": r"categorias|categories",
    "priority": r"prioridades|priorities",
    "channel": r"canales|channels",
    "agent": r"agentes|agents",
    "team": r"equipos|teams",
    "status": r"estados|statuses",
}
# The groups named first: "categories by resolution time", "canales por CSAT".
DIM_PER = {name: _rx(f"(?:{p})\\s+(?:por|by|per|segun)") for name, p in DIMENSIONS_PLURAL.items()}
# The question opens with the groups of a value, or is only them: "agentes del equipo Norte",
# "categories for Diego", "¿y canales?".
DIM_OF = {
    name: re.compile(
        rf"^\W*(?:(?:y|and)\s+)?(?:(?:los|las|the)\s+)?(?:{p})"
        r"(?:\s+(?:de|del|de\s+la|for|of|in|en)\s|\W*$)"
    )
    for name, p in DIMENSIONS_PLURAL.items()
}

# SQL, markup or template code: a message built of it is not a question, even with "tickets" in it.
CODE = re.compile(
    r"(?<![\w])(?:(?:drop|truncate|alter)\s+(?:table|database|schema)|delete\s+from|"
    r"insert\s+into|update\s+\w+\s+set|select\s+(?:\*|count\s*\(|distinct\s)|"
    r"union\s+(?:all\s+)?select)(?![\w])|;\s*--|--\s*$|/\*|\*/|<\s*/?\s*(?:script|img|iframe|svg)|"
    r"\{\{|\}\}|\$\{|'\s*or\s*'|=\s*'"
)
# Symbols of code rather than of a question; three or more of them make it code.
CODE_CHARS = frozenset("{}[]<>=*|`$^~;&\\")
# A share of tickets: no tool computes one, and "resolution rate" has no single definition.
# A follow-up naming a priority level alone: "¿y de alta?", "and low?". Elsewhere "alta" alone is
# too common a word to be a priority, and "¿y la media?" asks for the average.
BARE_LEVEL = re.compile(
    r"^\W*(?:(?:y|e|and|what\s+about|how\s+about|solo|only|pero|but)\s+)?"
    r"(?:(?:de|los|las|el|la|the|con|with|en)\s+)*(?:(?:prioridad|priority)\s+)?"
    r"(?P<level>alt[oa]s?|baj[oa]s?|high|low|medium)(?:\s+(?:prioridad|priority))?\W*$"
)
# A level right after another priority: "urgentes y altos", "urgent or high".
NEXT_LEVEL = re.compile(
    r"\s*(?:,|y|e|o|u|and|or|&|vs\.?|versus|frente\s+a|contra|against|compared\s+(?:to|with)|"
    r"(?:y|and)\s+(?:cuant[oa]s|how\s+many)(?:\s+tickets)?)\s+(?:(?:los|las|the)\s+)?(?:de\s+)?"
    r"(?:(?:prioridad|priority)\s+)?(?P<level>alt[oa]s?|baj[oa]s?|high|low)(?![\w])"
)
LEVELS = {"alt": "high priority", "baj": "low priority", "med": "medium priority",
          "hig": "high priority", "low": "low priority"}  # fmt: skip
# A follow-up that drops the previous filters ("¿y sin filtros?", "and overall?", "¿y del equipo?")
# or those of one dimension ("¿y todos los canales?", "for all categories").
NO_FILTERS = _rx(
    r"sin\s+filtros?|quita\w*\s+(?:el\s+|los\s+)?filtros?|remove\s+(?:the\s+)?filters?|"
    r"without\s+(?:the\s+|any\s+)?filters?|no\s+filters?|overall|en\s+general|in\s+general|"
    r"en\s+total|in\s+total|(?:del|de\s+todo\s+el)\s+equipo(?=[\s?!.]*$)|(?:the\s+)?whole\s+team|"
    r"(?:de\s+)?todo\s+el\s+equipo|everyone|todo\s+el\s+mundo"
)
ALL_OF_DIMENSION = _rx(
    r"tod[oa]s\s+(?:l[oa]s\s+)?(?P<es>categorias|canales|prioridades|equipos|agentes)|"
    r"all\s+(?:the\s+)?(?P<en>categories|channels|priorities|teams|agents)"
)
ALL_DIMENSIONS = {
    "categorias": "category",
    "categories": "category",
    "canales": "channel",
    "channels": "channel",
    "prioridades": "priority",
    "priorities": "priority",
    "equipos": "team",
    "teams": "team",
    "agentes": "agent",
    "agents": "agent",
}
# A past tense or "of those" in a question on a metric refers to the previous question's tickets:
# "¿Cuál fue el tiempo medio?" after "¿Cuántos tickets resolvimos ayer?".
REFERENCE = _rx(
    r"fue|fueron|was|were|de\s+esos|de\s+ellos|de\s+estos|of\s+those|of\s+them|for\s+those|"
    r"para\s+esos|their|its|su|sus"
)
# Right before a filter value: "más que Diego", "more than chat", "mejor CSAT que la alta".
THAN_BEFORE = re.compile(r"(?<![\w])(?:que|than)\s+(?:(?:el|la|los|las|the)\s+)?$")
# "¿Y el segundo?", "and the third?" after a quarter: an ordinal with no unit of its own.
ORDINAL_ALONE = _rx(
    r"(?:el|la|the)\s+(?P<n>primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|first|second|third|"
    r"fourth)(?!\s+\w)"
)
OF_THOSE = _rx(r"de\s+(?:esos|ellos|estos|esas|ellas|estas)|of\s+(?:those|them|these)")
# Questions no count answers: why something happened, what will happen, how many people there are.
CAUSE = _rx(
    r"por\s*que(?!\s+(?:categorias?|canal(?:es)?|prioridad(?:es)?|agentes?|equipos?|estados?|"
    r"dias?|semanas?|mes(?:es)?|via|medio))|why|a\s+que\s+se\s+debe|what\s+caused|cause[sd]?|causas?|"
    r"motivos?|reasons?"
)
FORECAST = _rx(
    r"predic\w*|prevision\w*|pronostic\w*|proyeccion\w*|forecast\w*|project(?:ed|ion)s?|"
    r"tendremos|recibiremos|habra|will\s+(?:we\s+)?(?:get|have|receive)"
)
# Channels and apps a question may name that the data lacks (a value the data has is read as a
# filter first): never every channel's figure instead.
OTHER_CHANNELS = _rx(
    r"whats\s?app|telegram|sms|slack|messenger|facebook|linkedin|tiktok|wechat|imessage|fax|youtube|"
    # Priority codes the data does not use ("P1", "sev 2"): a value, never a percentile or all.
    r"p[0-5]|sev(?:erity)?\s*[0-5]|severidad\s*[0-5]|(?:prioridad|priority)\s+[0-5]"
)
DISTINCT = _rx(
    r"(?:cuant[oa]s|how\s+many|numero\s+de|number\s+of)\s+(?:\w+\s+)?(?:agentes|agents|equipos|"
    r"teams|categorias|categories|canales|channels|prioridades|priorities|clientes|customers|"
    r"clients|usuarios|users|"
    r"personas|people|empresas|companies)"
)
# The values there are: "¿qué canales hay?", "which categories do we have?", "what agents are
# there?" (a breakdown lists them).
WHICH_VALUES = _rx(
    r"(?:que|cuales|which|what)\s+(?:agentes|equipos|categorias|canales|prioridades|agents|teams|"
    r"categories|channels|priorities)\s+(?:hay|tenemos|existen|are\s+there|exist|do\s+we\s+have|"
    r"we\s+have|usa|usan|utiliza|utilizan|atiende|atienden|"
    r"(?:does|do)\s+(?:[\w·]+\s+){1,3}(?:use|handle|cover))|(?:lista|list)\s+(?:de\s+|of\s+)?(?:los\s+|las\s+|the\s+)?(?:agentes|equipos|"
    r"categorias|canales|prioridades|agents|teams|categories|channels|priorities)|"
    # "¿Quiénes son los agentes del equipo Sur?", "who are the agents in Equipo Norte?"
    r"(?:quienes|cuales)\s+son\s+(?:los\s+|las\s+)?(?:agentes|equipos|categorias|canales|"
    r"prioridades)|who\s+are\s+the\s+agents|"
    # "¿En qué equipo está Diego?", "which team is Diego in?": the values his tickets have.
    r"(?:en\s+)?que\s+(?:equipo|equipos)\s+(?:esta|estan|trabaja|trabajan)|"
    r"(?:which|what)\s+teams?\s+(?:is|are|does|do)\s+(?:[\w·]+\s+){1,2}(?:in|on|belong|work)"
)
# "¿Cuántos días hubo tickets urgentes?": a count of days, not of tickets; "¿cuántos días
# tardamos?" is a time (`RESOLUTION_TIME`).
DAY_COUNT = _rx(
    r"(?:cuant[oa]s|how\s+many|numero\s+de|number\s+of)\s+(?:dias|days|semanas|weeks|meses|months)"
    r"(?!\s+(?:\w+\s+){0,3}(?:tard\w*|take|takes|took|needed|lleva\w*|toma\w*))"
)
RATIO = re.compile(
    r"(?<![\w])(?:porcentajes?|percentages?|percent|por\s+ciento|tasas?|ratios?|"
    r"proporcion(?:es)?|proportions?|rates?|share\s+of|fraccion|fraction)(?![\w])|%"
)
# Where a question names the person who worked the tickets (matched on the original text, so the
# name keeps its capital): "resolvió Carlos", "de Carlos", "by Carlos", "did Carlos", "agente
# Carlos"; `POSSESSIVE` is "Carlos's tickets".
_NAME = r"[A-ZÁÉÍÓÚÑÜ][\wÁÉÍÓÚÑÜáéíóúñü-]*"
_NAME_RUN = rf"(?P<name>{_NAME}(?:\s+{_NAME}){{0,3}})"
PERSON = re.compile(
    r"(?<![\w])(?i:resolvi[oó]|resolvieron|cerr[oó]|atendi[oó]|gestion[oó]|solucion[oó]|"
    r"(?:resuelt|cerrad|atendid|gestionad|solucionad|asignad)[oa]s?\s+(?:por|a)|"
    r"del?|agentes?|agents?|by|assigned\s+to|did|does|has|have|had)\s+"
    rf"(?:(?i:el|la|the)\s+)?(?:(?i:agente|agent)\s+)?{_NAME_RUN}(?![\w])"
)
# The same after a verb of working a ticket, in lower case ("resolved by john", "cerrados por
# juan"): one word that no rule reads (`intents._is_name`), so "by email" is no name.
PERSON_LOWER = re.compile(
    r"(?<![\w])(?i:resolvi[oó]|resolvieron|cerr[oó]|atendi[oó]|gestion[oó]|solucion[oó]|"
    r"(?:resuelt|cerrad|atendid|gestionad|solucionad|asignad)[oa]s?\s+(?:por|a)|"
    r"(?:resolved|closed|handled|solved|worked)\s+by|assigned\s+to|del?\s+(?:la\s+)?agente|"
    r"(?:by\s+)?(?:the\s+)?agent)\s+(?P<name>[a-záéíóúñü][\wáéíóúñü-]*)(?![\w])"
)
# Common first names, written in lower case after "de", "by", "for" ("tickets de juan"): a person
# even where no capital says so. Names that are also words ("Rosa", "Mark", "April") are left out.
FIRST_NAMES = frozenset(
    """juan jose luis carlos javier miguel antonio manuel francisco david daniel pablo alejandro
    sergio jorge alberto fernando raul ruben adrian alvaro diego mario ivan oscar andres enrique
    ramon roberto ricardo eduardo rafael pedro santiago mateo hugo martin lucas marcos marco nicolas
    gonzalo ignacio joaquin emilio julian cristian felipe guillermo maria carmen ana laura marta
    lucia paula sara elena cristina isabel raquel patricia silvia beatriz sonia monica rocio nuria
    alba irene andrea claudia julia sofia valentina camila natalia alicia ines teresa lorena
    veronica carolina gabriela daniela mariana fernanda jimena ximena john james robert michael
    william richard joseph thomas charles christopher matthew anthony steven paul andrew joshua
    kevin brian george edward ronald timothy jason jeffrey ryan jacob gary nicholas eric jonathan
    stephen larry justin scott brandon benjamin samuel gregory alexander patrick jack dennis jerry
    tyler aaron henry peter noah liam oliver ethan mason logan emily olivia emma ava isabella mia
    amelia harper evelyn abigail elizabeth ella madison scarlett chloe lily hannah sarah
    jessica jennifer linda barbara susan karen nancy lisa betty sandra ashley kimberly donna
    michelle carol amanda melissa deborah stephanie rebecca sharon cynthia kathleen amy
    angela anna brenda pamela nicole samantha katherine christine rachel catherine heather diane
    julie olga""".split()  # noqa: SIM905
)
NAME_AFTER = re.compile(r"(?<![\w])(?:de|del|by|from|of|para|for|a)\s+(?P<name>[a-z]+)(?![\w])")
# "Agente 3", "agent 12" where no agent is stored by that number.
AGENT_NUMBER = _rx(r"agentes?\s+(?:n[ºo.]?\s*)?\d+|agents?\s+(?:no\.?\s*|#\s*)?\d+")
# A place or other value after "from", "in", "for" ("tickets from Spain"): capitalised words no
# filter, period or rule reads are a value the data does not have.
PLACE = re.compile(
    rf"(?<![\w])(?i:from|in|for|en|desde|para)\s+(?:(?i:the|el|la)\s+)?{_NAME_RUN}(?![\w])"
)
# "Tickets de la categoría Marketing", "tickets del equipo Omega", "team Zeta": a name after the
# word for a category, team or channel that no filter read (each was every resolved ticket).
DIMENSION_NAMED = re.compile(
    r"(?<![\w])(?i:categor[ií]as?|categor(?:y|ies)|equipos?|teams?|canal(?:es)?|channels?)\s+"
    rf"(?:(?i:de|del|the|called|llamad[oa])\s+)?{_NAME_RUN}(?![\w])"
)
# The same in lower case, as the question's last word only ("tickets del equipo omega",
# "tickets de prioridad máxima"): elsewhere a lower-case word after "canal" is often a verb.
DIMENSION_NAMED_LOWER = re.compile(
    r"(?<![\w])(?i:de\s+la|del|de|for\s+the|for|in\s+the)\s+(?i:categor[ií]a|category|equipo|"
    r"team|canal|channel|prioridad|priority)\s+(?P<name>[a-záéíóúñü][\wáéíóúñü-]*)(?=\W*$)"
)
# "Tickets de la app móvil", "tickets en inglés", "tickets con adjuntos", "tickets de iOS": what
# the tickets are of, when no filter, period or rule reads it (`intents._unread_topic`; each was
# every resolved ticket, or every one of the period).
TICKETS_OF = re.compile(
    r"(?<![\w])(?:tickets?|casos?|incidencias?)\s+(?:de\s+(?:la|el|los|las)|del|de|con|en|"
    r"with|in)\s+(?P<name>[^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*)?)(?![\w])"
)
# Phrases whose words alone are no rule's ("en espera", "in progress"): never an unread topic.
TOPIC_PHRASES = (STATUS_VALUE, TOTAL, OPEN, THRESHOLD, COUNT_THRESHOLD, NO_FIELD, NO_GROUPING)
# "tickets from spain", "desde méxico": a lower-case word after a preposition of place that no
# filter, period or rule reads (`intents._is_name` decides which words are read).
PLACE_LOWER = re.compile(
    r"(?<![\w])(?i:from|desde)\s+(?:(?i:the|el|la|los|las)\s+)?"
    r"(?P<name>[a-záéíóúñü][\wáéíóúñü-]*)(?![\w])"
)
POSSESSIVE = re.compile(
    rf"(?<![\w]){_NAME_RUN}(?:'s?|’s?)\s+(?:\w+\s+){{0,2}}?(?i:tickets?|casos?|cases?)(?![\w])"
)
