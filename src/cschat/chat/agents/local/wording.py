"""What the local agent says, in Spanish and English: labels, notes, canned replies, examples.

`render.py` puts tool results into these words; nothing here computes a figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from cschat.chat.agents.local.language import Language

DIMENSION = {
    "es": {"category": "categoría", "priority": "prioridad", "channel": "canal",
           "agent": "agente", "team": "equipo", "status": "estado"},
    "en": {"category": "category", "priority": "priority", "channel": "channel",
           "agent": "agent", "team": "team", "status": "status"},
}  # fmt: skip
GROUPS = {
    "es": {"category": "Categorías", "priority": "Prioridades", "channel": "Canales",
           "agent": "Agentes", "team": "Equipos"},
    "en": {"category": "Categories", "priority": "Priorities", "channel": "Channels",
           "agent": "Agents", "team": "Teams"},
}  # fmt: skip
INTERVAL = {
    "es": {"day": "día", "week": "semana", "month": "mes"},
    "en": {"day": "day", "week": "week", "month": "month"},
}
METRIC = {
    "es": {"avg_resolution_hours": "Tiempo medio de resolución",
           "median_resolution_hours": "Mediana del tiempo de resolución",
           "avg_first_response_minutes": "Primera respuesta media", "avg_csat": "CSAT medio"},
    "en": {"avg_resolution_hours": "Average resolution time",
           "median_resolution_hours": "Median resolution time",
           "avg_first_response_minutes": "Average first response time", "avg_csat": "Average CSAT"},
}  # fmt: skip
STAT = {
    "es": {"avg_hours": "Tiempo medio de resolución", "median_hours": "Mediana del tiempo de "
           "resolución", "p90_hours": "P90 del tiempo de resolución",
           "avg_first_response_minutes": "Primera respuesta media", "avg_csat": "CSAT medio"},
    "en": {"avg_hours": "Average resolution time", "median_hours": "Median resolution time",
           "p90_hours": "P90 resolution time",
           "avg_first_response_minutes": "Average first response time", "avg_csat": "Average CSAT"},
}  # fmt: skip
TEXT = {
    "es": {
        "resolved": "Tickets resueltos", "created": "Tickets creados", "open": "Tickets abiertos",
        "created_resolved": "Tickets creados y ya resueltos", "any": "Tickets",
        "scope_resolved": "Resueltos", "scope_created": "Creados", "all_time": "todo el historial",
        "status": "estado", "status_open": "abiertos", "status_resolved": "resueltos",
        "status_any": "todos", "filters": "filtros", "no_filters": "sin filtros",
        "as_of": "datos a", "by": "por", "no_rows": "No hay tickets que "
        "cumplan la consulta.", "no_data": "sin datos", "counted": "Tickets considerados",
        "vs": "frente a", "in": "en", "for": "de",
        "no_base": "sin porcentaje: el segundo periodo es 0",
        "similar": "Tickets parecidos a «{q}»",
        "no_similar": "No encontré tickets parecidos a «{q}».",
        "solution": "Solución", "and": "y",
        "no_subject": "El ticket #{id} no tiene asunto con el que buscar parecidos.",
        "tied": "Se muestran también los empatados con el último pedido.",
        "resolution_count": "(de {n} tickets con tiempo de resolución)",
        "first_response_count": "(de {n} tickets con primera respuesta)",
        "csat_count": "(de {n} tickets valorados)",
        "own_only": "(con el rol de agente, solo lo tuyo)",
        "own_ranking": "Con el rol de agente solo ves tus propias cifras, así que no puedo decir "
        "qué agente va primero. Estas son las tuyas:",
        "first_of": "Son los {shown} primeros de {total}; pide «top {total}» para verlos todos.",
        "peak_high": "Valor más alto: {periods} ({value}).",
        "peak_low": "Valor más bajo: {periods} ({value}).",
        "week_of": "semana del {day}",
        "cut_short": "Ojo: la ventana solo cubre parte de ese periodo.",
        "since": "desde {day}",
        "until": "hasta {day}",
        "everyone": "todo el equipo", "all_tickets": "todos los tickets",
        "groups": "{groups} con tickets: {n}",
        "typo": "Leo «{meant}» donde pone «{written}».",
        "better": "mejor", "worse": "peor", "slower": "más lento", "faster": "más rápido",
        "unequal": "Ojo: los periodos no duran lo mismo ({first} días frente a {second}).",
        "of_whole": "De los periodos completos: {periods} ({value}).",
    },
    "en": {
        "resolved": "Resolved tickets", "created": "Created tickets", "open": "Open tickets",
        "created_resolved": "Created tickets already resolved", "any": "Tickets",
        "scope_resolved": "Resolved", "scope_created": "Created", "all_time": "all time",
        "status": "status", "status_open": "open", "status_resolved": "resolved",
        "status_any": "any", "filters": "filters", "no_filters": "no filters",
        "as_of": "data as of", "by": "by", "no_rows": "No tickets match the "
        "question.", "no_data": "no data", "counted": "Tickets counted",
        "vs": "vs", "in": "in", "for": "for",
        "no_base": "no percent change: the second period is 0",
        "similar": "Tickets similar to “{q}”", "no_similar": "I found no tickets similar to “{q}”.",
        "solution": "Solution", "and": "and",
        "no_subject": "Ticket #{id} has no subject to search for similar ones.",
        "tied": "Those tied with the last one asked for are shown too.",
        "resolution_count": "(from {n} tickets with a resolution time)",
        "first_response_count": "(from {n} tickets with a first response)",
        "csat_count": "(from {n} rated tickets)",
        "own_only": "(as an Agent, only your own)",
        "own_ranking": "As an Agent you see only your own figures, so I cannot say which agent "
        "ranks first. These are yours:",
        "first_of": "These are the first {shown} of {total}; ask for “top {total}” to see them "
        "all.",
        "peak_high": "Highest: {periods} ({value}).",
        "peak_low": "Lowest: {periods} ({value}).",
        "week_of": "week of {day}",
        "cut_short": "Note: the window covers only part of that period.",
        "since": "from {day}",
        "until": "to {day}",
        "everyone": "the whole team", "all_tickets": "all tickets",
        "groups": "{groups} with tickets: {n}",
        "typo": "Reading “{meant}” for “{written}”.",
        "better": "better", "worse": "worse", "slower": "slower", "faster": "faster",
        "unequal": "Note: the periods differ in length ({first} days vs {second}).",
        "of_whole": "Of the whole periods: {periods} ({value}).",
    },
}  # fmt: skip
# Our own status values (DESIGN §6); category, channel and the like are the data's own words.
STATUS = {
    "es": {"new": "nuevo", "open": "abierto", "in_progress": "en curso", "pending": "pendiente",
           "escalated": "escalado", "resolved": "resuelto", "closed": "cerrado"},
    "en": {"in_progress": "in progress"},
}  # fmt: skip
# Said before an answer that gives the average where another statistic was asked for.
NOTE = {
    "es": {
        "first_response": "Aviso: para la primera respuesta solo tengo la media, no «{text}». "
        "Esta es la media:",
        "csat": "Aviso: para el CSAT solo tengo la media, no «{text}». Esta es la media:",
        "resolution": "Aviso: para el tiempo de resolución solo tengo la media, la mediana y el "
        "P90, no «{text}».",
        "p90_grouped": "Aviso: el P90 del tiempo de resolución no está disponible por grupos ni "
        "por periodos; solo la media y la mediana.",
        "listed": "No listo tickets uno a uno («{text}»): te digo cuántos son. Para ver uno, "
        "pídelo por su número; para los de un tema, búscalo («tickets sobre reembolsos»).",
        "ungrouped": "Aviso: la tendencia no se divide por {text}; esta es la de todos los "
        "tickets. Para ver la de un valor, nómbralo en la pregunta.",
    },
    "en": {
        "first_response": "Note: for first response time only the average is available, not "
        "“{text}”. Here is the average:",
        "csat": "Note: for CSAT only the average is available, not “{text}”. Here is the average:",
        "resolution": "Note: for resolution time only the average, median and P90 are available, "
        "not “{text}”.",
        "p90_grouped": "Note: the P90 of resolution time is not available by group or by period; "
        "only the average and the median.",
        "listed": "I do not list tickets one by one (“{text}”): here is how many there are. To "
        "see one, ask for it by number; for those about a topic, search (“tickets about refunds”).",
        "ungrouped": "Note: the trend is not split by {text}; this is every ticket's. To see one "
        "value's, name it in the question.",
    },
}
TICKET_FIELDS = {
    "es": (("status", "Estado"), ("category", "Categoría"), ("priority", "Prioridad"),
           ("channel", "Canal"), ("agent", "Agente"), ("team", "Equipo"), ("customer", "Cliente"),
           ("created_at", "Creado"), ("resolved_at", "Resuelto"), ("csat", "CSAT")),
    "en": (("status", "Status"), ("category", "Category"), ("priority", "Priority"),
           ("channel", "Channel"), ("agent", "Agent"), ("team", "Team"), ("customer", "Customer"),
           ("created_at", "Created"), ("resolved_at", "Resolved"), ("csat", "CSAT")),
}  # fmt: skip
EXAMPLES = {
    "es": ("¿Cuántos tickets se resolvieron esta semana?", "Tickets por categoría el mes pasado",
           "Tiempo medio de resolución de facturación en marzo de 2024",
           "Tendencia semanal de tickets creados", "Compara esta semana con la semana pasada",
           "¿Cómo se resolvieron los tickets sobre cobro duplicado?", "Muéstrame el ticket 42"),
    "en": ("How many tickets were resolved this week?", "Tickets by category last month",
           "Average resolution time for billing in March 2024", "Weekly trend of created tickets",
           "Compare this week with last week", "How were tickets about double charges solved?",
           "Show ticket 42"),
}  # fmt: skip
CANNED = {
    "es": {
        "thanks": "¡De nada! Pregúntame lo que quieras sobre tus tickets; escribe «ayuda» para ver "
        "ejemplos.",
        "bye": "¡Hasta luego! Aquí estaré cuando quieras consultar tus tickets.",
        "ack": "De acuerdo. Pregúntame lo que quieras sobre tus tickets; escribe «ayuda» para ver "
        "ejemplos.",
        "greeting": "¡Hola! Pregúntame por tus tickets: cuántos hay, tiempos de resolución y de "
        "primera respuesta, CSAT, tendencias, comparaciones entre periodos o tickets parecidos y "
        "cómo se resolvieron. Escribe «ayuda» para ver ejemplos.",
        "help": "Respondo con datos exactos de tus tickets (nunca estimo). Puedo contar, desglosar "
        "por categoría, prioridad, canal, agente o equipo, dar medias, medianas y p90 de "
        "resolución, primera respuesta y CSAT, tendencias por día, semana o mes, comparar dos "
        "periodos, buscar tickets parecidos y mostrar un ticket. Por ejemplo:",
        "unknown": "No he entendido la pregunta. Prueba con frases como:",
        "bad_period": "La fecha «{text}» no existe. Revisa el día y el mes, por ejemplo:",
        "long_trend": "Una tendencia por {interval} de un periodo tan largo tendría demasiados "
        "puntos. Acota las fechas o usa un intervalo más largo.",
        "no_grouping": "No puedo responder a eso con un dato exacto: no sé separar los tickets "
        "por «{text}». Puedo agruparlos por día, semana o mes, y por categoría, prioridad, canal, "
        "agente, equipo o estado. Prueba con frases como:",
        "ambiguous_date": "«{text}» se lee día/mes en unos países y mes/día en otros, así que no "
        "doy una cifra que podría ser de otra fecha. Escribe el mes con su nombre («5 de marzo de "
        "2024») o la fecha como 2024-03-05. Prueba con frases como:",
        "unread_period": "No sé a qué fechas se refiere «{text}», así que no doy una cifra que "
        "podría ser de otro periodo. Entiendo periodos como hoy, ayer, esta semana, la semana "
        "pasada, hace 2 semanas, los últimos 30 días, marzo de 2024 o del 1 al 15 de marzo. "
        "Prueba con frases como:",
        "no_statistic": "No puedo calcular «{text}» de eso con exactitud: tengo la media, la "
        "mediana y el P90 del tiempo de resolución, y la media de la primera respuesta y del "
        "CSAT, pero no medias ni medianas de número de tickets. Prueba con frases como:",
        "p90_grouped": "No puedo dar el P90 por grupos ni por periodos: tengo la media, la mediana "
        "y el P90 del tiempo de resolución, pero por categoría, prioridad, canal, agente, equipo, "
        "día, semana o mes solo la media y la mediana. Prueba con frases como:",
        "no_csat_share": "El CSAT lo doy como la media de las valoraciones, de 1 a 5, no en "
        "porcentaje («{text}»): la parte de clientes satisfechos depende de qué valoración cuenta "
        "como satisfecha, y no doy una cifra que podría responder a otra pregunta. Puedo darte el "
        "CSAT medio de un periodo, por grupo o su evolución. Prueba con frases como:",
        "no_ratio": "No calculo porcentajes ni tasas («{text}»): «tasa de resolución» no tiene "
        "una única definición (¿resueltos de entre los creados en el periodo, o resueltos en el "
        "periodo frente a creados en él?), y no doy una cifra que podría responder a otra "
        "pregunta. Sí puedo darte por separado cuántos tickets se crearon, cuántos se resolvieron "
        "y cuántos siguen abiertos en un periodo, y comparar periodos en porcentaje. "
        "Prueba con frases como:",
        "no_cause": "No sé explicar causas («{text}»): doy cifras exactas de tus tickets. Para "
        "ver qué cambió, compara dos periodos o desglosa por categoría, canal o prioridad. Prueba "
        "con frases como:",
        "no_forecast": "No hago previsiones («{text}»): solo doy cifras exactas de tickets que ya "
        "existen. Puedo mostrar la tendencia por día, semana o mes hasta hoy. Prueba con frases "
        "como:",
        "no_distinct": "No cuento agentes, equipos, categorías, canales ni clientes («{text}»): "
        "cuento tickets. Un desglose (por ejemplo, tickets por agente este mes) muestra cada "
        "agente, equipo, categoría o canal con sus tickets. Prueba con frases como:",
        "no_backlog_history": "No sé cuántos tickets había abiertos en una fecha pasada "
        "(«{text}»): los tickets no guardan el historial de su estado. Puedo darte los abiertos "
        "hoy, o los creados y los resueltos de un periodo, que muestran si entraron más de los que "
        "se resolvieron. Prueba con frases como:",
        "count_threshold": "No filtro por un número de tickets («{text}»): el desglose (por "
        "ejemplo, tickets por agente este mes) muestra cuántos tiene cada uno. Prueba con frases "
        "como:",
        "no_day_count": "No cuento días, semanas ni meses («{text}»): cuento tickets. La "
        "tendencia por día, semana o mes muestra los tickets de cada uno. Prueba con frases como:",
        "unknown_metric": "No tengo «{text}»: mido el tiempo de resolución (media, mediana y "
        "P90), el de primera respuesta (media) y el CSAT (media), y no doy otra de esas cifras en "
        "su lugar. Prueba con frases como:",
        "one_ticket": "Muestro un ticket cada vez («{text}»): pregunta por cada número por "
        "separado, por ejemplo «ticket 42».",
        "no_share": "No calculo porcentajes («{text}»): doy cuentas exactas. Pide el desglose "
        "(por ejemplo, tickets por prioridad de este mes) y verás cuántos tiene cada valor y el "
        "total del mismo periodo. Prueba con frases como:",
        "no_threshold": "No cuento tickets por un umbral de tiempo o de CSAT («{text}»): tengo "
        "la media, la mediana y el P90 del tiempo de resolución y la media de la primera respuesta "
        "y del CSAT, y no doy una cifra que respondería a otra pregunta. Prueba con frases como:",
        "unknown_value": "No encuentro «{text}» entre las categorías, prioridades, canales, "
        "agentes, equipos ni estados de tus tickets, así que no doy la cifra de todos en su lugar. "
        "Prueba con frases como:",
        "no_listing": "No listo tickets por antigüedad ni por orden («{text}»): puedo contar los "
        "abiertos, mostrar un ticket por su número o buscar tickets sobre un tema. Prueba con "
        "frases como:",
        "two_groupings": "Agrupo por una sola dimensión a la vez («{text}»): pregunta por cada una "
        "por separado, como «tickets por canal» y luego «por prioridad». Prueba con frases como:",
        "too_many_periods": "Comparo dos periodos a la vez, y la pregunta nombra {text} "
        "periodos: no respondo por una parte de ellos. Pregunta por dos periodos, o pide una "
        "tendencia por mes para verlos todos. Prueba con frases como:",
        "compare_grouped": "Comparo dos periodos (o dos valores) por su total, su media o su "
        "mediana, pero no desgloses ni tendencias de cada uno, y no doy los totales en su lugar. "
        "Pregunta por cada uno por separado, como «tickets por categoría en octubre». Prueba con "
        "frases como:",
        "negated_filter": "No puedo excluir un valor («{text}»): filtro por una categoría, "
        "prioridad, canal, agente o equipo, no por todos menos uno, y no doy la cifra de ese valor "
        "en su lugar. Pide un desglose, como «tickets por prioridad», para ver cada valor por "
        "separado. Prueba con frases como:",
        "unknown_agent": "No conozco a ningún agente llamado «{text}», así que no doy la cifra de "
        "todo el equipo en su lugar.{names} Pregunta por un agente con su nombre o su correo, o "
        "pide «tickets por agente» para verlos todos. Prueba con frases como:",
        "not_found": "No encuentro el ticket «{id}» o no tienes permiso para verlo.",
        "forbidden": "No tienes permiso para ver esos datos: con el rol de agente solo puedes ver "
        "tus propias cifras por agente y tus propios tickets.",
        "dates_out_of_range": "No pude obtener los datos: las fechas deben estar entre el {first} "
        "y el {last}.",
        "tool_error": "No pude obtener los datos: las herramientas de análisis no aceptaron la "
        "consulta.",
    },
    "en": {
        "thanks": "You're welcome! Ask me anything else about your tickets; type “help” for "
        "examples.",
        "bye": "Goodbye! I'm here whenever you want to ask about your tickets.",
        "ack": "All right. Ask me anything about your tickets; type “help” for examples.",
        "greeting": "Hi! Ask me about your tickets: how many, resolution and first response "
        "times, CSAT, trends, comparisons between periods, or similar past tickets and how they "
        "were solved. Type “help” for examples.",
        "help": "I answer with exact figures from your tickets (I never estimate). I can count, "
        "break down by category, priority, channel, agent or team, give averages, medians and p90 "
        "of resolution time, first response time and CSAT, trends by day, week or month, compare "
        "two periods, find similar tickets and show one ticket. For example:",
        "unknown": "I did not understand the question. Try phrasings like:",
        "bad_period": "The date “{text}” does not exist. Check the day and month, for example:",
        "long_trend": "A trend by {interval} over so long a period would have too many points. "
        "Narrow the dates or use a longer interval.",
        "no_grouping": "I cannot answer that with an exact figure: I cannot split tickets by "
        "“{text}”. I can group them by day, week or month, and by category, priority, channel, "
        "agent, team or status. Try phrasings like:",
        "ambiguous_date": "“{text}” reads day/month in some countries and month/day in others, "
        "so I give no figure that could be for another date. Write the month's name (“March 5, "
        "2024”) or the date as 2024-03-05. Try phrasings like:",
        "unread_period": "I do not know which dates “{text}” means, so I give no figure that "
        "could be for another period. I understand periods such as today, yesterday, this week, "
        "last week, 2 weeks ago, the last 30 days, March 2024 or March 1-15. Try phrasings like:",
        "no_statistic": "I cannot compute “{text}” of that exactly: I have the average, median "
        "and P90 of resolution time, and the average of first response time and CSAT, but no "
        "averages or medians of ticket counts. Try phrasings like:",
        "p90_grouped": "I cannot give the P90 by group or by period: I have the average, median "
        "and P90 of resolution time, but by category, priority, channel, agent, team, day, week or "
        "month only the average and the median. Try phrasings like:",
        "no_csat_share": "I give CSAT as the average rating, from 1 to 5, not as a percentage "
        "(“{text}”): the share of satisfied customers depends on which rating counts as "
        "satisfied, and I give no figure that could answer another question. I can give the "
        "average CSAT of a period, by group or over time. Try phrasings like:",
        "no_ratio": "I do not compute percentages or rates (“{text}”): a “resolution rate” has "
        "no single definition (resolved among the tickets created in the period, or resolved in "
        "the period against created in it?), and I give no figure that could answer another "
        "question. I can give, separately, how many tickets were created, resolved and are still "
        "open in a period, and compare periods in percent. Try phrasings like:",
        "no_cause": "I cannot explain causes (“{text}”): I give exact figures from your tickets. "
        "To see what changed, compare two periods or break down by category, channel or "
        "priority. Try phrasings like:",
        "no_forecast": "I do not forecast (“{text}”): I only give exact figures of tickets that "
        "exist. I can show the trend by day, week or month up to today. Try phrasings like:",
        "no_distinct": "I do not count agents, teams, categories, channels or customers "
        "(“{text}”): I count tickets. A breakdown (for example, tickets by agent this month) "
        "shows each agent, team, category or channel with its tickets. Try phrasings like:",
        "no_backlog_history": "I do not know how many tickets were open on a past date "
        "(“{text}”): tickets keep no history of their status. I can give the tickets open now, "
        "or those created and those resolved in a period, which show whether more came in than "
        "were resolved. Try phrasings like:",
        "count_threshold": "I do not filter by a number of tickets (“{text}”): the breakdown "
        "(for example, tickets by agent this month) shows how many each has. Try phrasings like:",
        "no_day_count": "I do not count days, weeks or months (“{text}”): I count tickets. The "
        "trend by day, week or month shows the tickets of each. Try phrasings like:",
        "unknown_metric": "I do not have “{text}”: I measure resolution time (average, median "
        "and P90), first response time (average) and CSAT (average), and I do not give one of "
        "those instead. Try phrasings like:",
        "one_ticket": "I show one ticket at a time (“{text}”): ask for each number separately, "
        "for example “ticket 42”.",
        "no_share": "I do not compute percentages (“{text}”): I give exact counts. Ask for the "
        "breakdown (for example, tickets by priority this month) to see how many each value has "
        "and the total of the same period. Try phrasings like:",
        "no_threshold": "I do not count tickets by a threshold of time or CSAT (“{text}”): I have "
        "the average, median and P90 of resolution time and the average first response time and "
        "CSAT, and I give no figure that would answer another question. Try phrasings like:",
        "unknown_value": "I do not find “{text}” among the categories, priorities, channels, "
        "agents, teams or statuses of your tickets, so I do not give everyone's figure instead. "
        "Try phrasings like:",
        "no_listing": "I do not list tickets by age or order (“{text}”): I can count the open "
        "ones, show one ticket by its number or find tickets about a topic. Try phrasings like:",
        "two_groupings": "I group by one dimension at a time (“{text}”): ask about each "
        "separately, such as “tickets by channel” and then “by priority”. Try phrasings like:",
        "too_many_periods": "I compare two periods at a time, and the question names {text} "
        "periods: I do not answer for some of them only. Ask about two periods, or ask for a "
        "monthly trend to see them all. Try phrasings like:",
        "compare_grouped": "I compare two periods (or two values) by their total, average or "
        "median, but not a breakdown or a trend of each, and I do not give the totals instead. "
        "Ask about each separately, such as “tickets by category in October”. Try phrasings "
        "like:",
        "negated_filter": "I cannot exclude a value (“{text}”): I filter by one category, "
        "priority, channel, agent or team, not by all but one, and I do not give that value's "
        "figure instead. Ask for a breakdown, such as “tickets by priority”, to see each value "
        "separately. Try phrasings like:",
        "unknown_agent": "I know no agent called “{text}”, so I do not give the whole team's "
        "figure instead.{names} Ask about an agent by name or email, or ask for “tickets by "
        "agent” to see them all. Try phrasings like:",
        "not_found": "I cannot find that: {detail}",
        "forbidden": "You are not allowed to see that data: {detail}",
        "dates_out_of_range": "I could not get the data: dates must be between {first} and {last}.",
        "tool_error": "I could not get the data: {detail}",
    },
}
# Replies that end with example questions.
WITH_EXAMPLES = frozenset(
    {"help", "unknown", "bad_period", "no_grouping", "unread_period", "ambiguous_date",
     "no_statistic",
     "p90_grouped", "no_ratio", "no_share", "no_csat_share", "no_cause", "no_forecast",
     "no_distinct",
     "no_day_count", "no_backlog_history", "count_threshold", "unknown_metric", "negated_filter",
     "compare_grouped", "too_many_periods", "no_threshold", "two_groupings", "no_listing",
     "unknown_value", "unknown_agent"}
)  # fmt: skip


def canned(kind: str, language: Language, suggestions: Sequence[str] = (), **values: str) -> str:
    """Greeting, help, not-understood, declined and error texts; some end with examples.

    `suggestions` are the known agent names closest to an unknown one."""
    if suggestions:
        lead = " ¿Quizá te refieres a " if language == "es" else " Did you mean "
        values["names"] = lead + listed(suggestions, language) + "?"
    text = CANNED[language][kind].format(**{"names": "", **values})
    if kind in WITH_EXAMPLES:
        text += "".join(f"\n- {example}" for example in EXAMPLES[language])
    return text


def listed(names: Sequence[str], language: Language, word: str = "or") -> str:
    """ "a, b or c"; `word` is "or" or "and", said in `language`."""
    said = {"es": {"or": " o ", "and": " y "}, "en": {"or": " or ", "and": " and "}}[language][word]
    return ", ".join(names[:-1]) + said + names[-1] if len(names) > 1 else names[0]
