"""Spanish or English: the language of the answer is the language of the question."""

from __future__ import annotations

from typing import Literal

from cschat.chat.agents.local.text import fold, words

Language = Literal["es", "en"]

_ES = frozenset(
    """y o de del la el los las en por para con sin que cual cuales cuantos cuantas cuanto como
    donde esta este estos semana mes ano hoy ayer resueltos resueltas resuelto resolvieron creados
    recibidos abiertos cerrados hola buenas buenos dias gracias ayuda muestrame dame
    mis mi yo se ha han hay tiempo medio media mediana promedio primera respuesta pasada pasado
    ultimos ultimas trimestre enero febrero marzo abril mayo junio julio agosto septiembre octubre
    noviembre diciembre compara comparado frente tendencia evolucion desglose categoria canal
    equipo agente prioridad estado parecidos similares sobre busca facturacion envios reembolsos
    cancelaciones urgentes puedes hacer al lo va tambien solo lunes martes miercoles jueves viernes
    sabado domingo navidad crecimiento crecido cambiado mejor peor mas menos comun rapido lento
    resumen informe agentes categorias equipos canales prioridades estados dias horas proximo
    manana fin problemas incidencias solicitudes llegaron hubo tardamos porfa favor adios vale
    perfecto genial entendido nuevos nuevas nuevo asignar asignados asignado reabiertos escalados
    pendientes pendiente progreso curso alta baja urgente criticos factura facturas envio
    reembolso valorados volumen cola porcentaje tasa""".split()  # noqa: SIM905
)
_EN = frozenset(
    """and or of the in by for with without what which how many much where this these week month
    year today yesterday resolved closed created opened received open hi hello hey thanks
    thank help show give me my mine i is are was were did do does time average median first
    response last past previous quarter january february march april june july august september
    october november december compare compared versus trend breakdown category channel team agent
    priority status similar about search find solved per daily weekly monthly between from to
    can you what's whats there any all agents categories teams channels priorities statuses days
    weeks months years hours minutes ago over since on at christmas friday monday tuesday wednesday
    thursday saturday sunday holidays summer winter spring autumn who when handled growth grew
    grown changed best worst most least fastest slowest highest lowest common busiest overview
    summary report next weekend tomorrow tonight yoy difference issues issue problems requests
    came got took containing mentioning mention avg pls please plz than faster slower better
    worse more less fewer bye goodbye great perfect cool new unassigned assigned reopened
    escalated pending progress urgent high low medium critical billing shipping refunds refund
    invoice invoices rated rating ratings handling backlog volume like trends trending as
    percentage percent rate share""".split()  # noqa: SIM905
)


def detect_language(text: str, default: Language = "es") -> Language:
    """The question's language by marker words and Spanish punctuation; `default` on a tie."""
    if "¿" in text or "¡" in text or "ñ" in text.lower():
        return "es"
    tokens = words(fold(text))
    # Accents count for Spanish, except in capitalised words: names ("Lucía") are in any language.
    lowered = " ".join(w for w in text.split() if not w[:1].isupper()).lower()
    es = sum(t in _ES for t in tokens) + sum(ch in "áéíóú" for ch in lowered)
    en = sum(t in _EN for t in tokens)
    if es == en:
        return default
    return "es" if es > en else "en"
