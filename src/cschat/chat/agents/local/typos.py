"""Key words written with one slip ("esta semna", "craedos", "por cnaal"): read as meant.

A period word the rules cannot read leaves the question without its window, and its figure would
be every ticket's; a slipped "creados" or "abiertos" would count resolved tickets instead. One
letter missing, added, changed or two swapped, in a lower-case word of five letters or more that
nothing else reads, is taken for the key word it is one slip from; the answer says so, and its
window is printed as always.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cschat.chat.agents.local.language import Language
from cschat.chat.agents.local.text import fold

# The words the rules read that say which tickets and which figure ("creados", "abiertos", "por
# canal") and the period words: long enough that one slip cannot turn another word into them
# ("mes" is one from "mas"), and only those of the question's language ("todas" is one slip from
# "today").
KEY_WORDS: dict[Language, frozenset[str]] = {
    "es": frozenset(
        """semana semanas trimestre trimestres anterior anteayer enero febrero marzo abril junio
        agosto septiembre setiembre octubre noviembre diciembre lunes martes miercoles jueves
        viernes sabado domingo tickets creados creadas crearon abiertos abiertas abierto
        resueltos resueltas resuelto resolvieron cerrados cerradas cerraron recibidos recibidas
        pendientes categoria categorias prioridad prioridades canal canales equipo equipos agente
        agentes resolucion respuesta primera mediana promedio tendencia urgentes compara
        desglose pasada pasado ultimo ultima ultimos ultimas""".split()  # noqa: SIM905
    ),
    "en": frozenset(
        """today yesterday quarter quarters month months weeks previous january february march
        april june july august september october november december monday tuesday wednesday
        thursday friday saturday sunday tickets created opened resolved closed received pending
        category categories priority priorities channel channels agents teams resolution
        response average median trend compare breakdown urgent""".split()  # noqa: SIM905
    ),
}
# Tried in a fixed order, so the same slip always reads as the same word.
_IN_ORDER = {language: tuple(sorted(words)) for language, words in KEY_WORDS.items()}
# As the answer writes them back.
_ACCENTED = {
    "categoria": "categoría", "categorias": "categorías", "resolucion": "resolución",
    "miercoles": "miércoles", "sabado": "sábado", "ultimo": "último", "ultima": "última",
    "ultimos": "últimos", "ultimas": "últimas",
}  # fmt: skip
# Words of their own one slip from a key word: "match" is no "march", "entero" no "enero",
# "los domingos" (every Sunday) no "domingo".
_WORDS_OF_THEIR_OWN = frozenset(
    """match matches marca marcas marcha marsh abrir partes junior entero entera semanal
    sabados domingos mondays tuesdays wednesdays thursdays fridays saturdays sundays""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]{5,}")
# Shorter words are read as a unit of time only right after a word that leads one ("last wek",
# "past mnth"): alone, one slip from "week" or "year" is too many other words.
_SHORT_UNIT = re.compile(
    r"(?<![\w])(?P<lead>last|past|this|previous|next|every|per|each)\s+(?P<n>\d+\s+)?"
    r"(?P<word>[a-z]{2,4})(?![\w])"
)
_UNITS = ("day", "week", "month", "year")
# And the word that leads a unit, when it is the one slipped ("lsat week", "pst month").
_SLIPPED_LEAD = re.compile(
    r"(?<![\w])(?P<lead>[a-z]{3,4})(?=\s+(?:week|month|year|quarter)(?![\w]))"
)
_LEADS = ("last", "past", "this", "next")
# Units written short after such a word ("last wk", "past 3 mos"): read as the unit, said so.
_ABBREVIATED = {
    "wk": "week", "wks": "weeks", "mo": "month", "mos": "months", "mth": "month", "mths": "months",
    "yr": "year", "yrs": "years", "qtr": "quarter", "qtrs": "quarters",
}  # fmt: skip


def one_slip(word: str, target: str) -> bool:
    """True when `word` is `target` with one letter missing, added, changed, or two swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        swapped = (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
        return len(diff) == 1 or swapped
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _inflected(word: str, target: str) -> bool:
    return len(word) != len(target) and (word.startswith(target) or target.startswith(word))


def fix_key_words(
    text: str, language: Language, known: Callable[[str], bool]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`text` with each slipped key word replaced, and the (written, meant) pairs."""
    fixed: list[tuple[str, str]] = []
    targets = KEY_WORDS[language]

    def replace(found: re.Match[str]) -> str:
        written = found[0]
        folded = fold(written)
        # A capital is a name ("Marco" is no slipped "marzo"); an unknown name is declined.
        if not written.islower() or folded in targets or folded in _WORDS_OF_THEIR_OWN:
            return written
        if known(folded):  # a filter value, an agent's name, a word a rule reads
            return written
        # A letter more or less at the end is another form of the word ("primer" of "primera",
        # "tendencias" of "tendencia"), not a slip.
        meant = next(
            (w for w in _IN_ORDER[language] if one_slip(folded, w) and not _inflected(folded, w)),
            None,
        )
        if meant is None:
            return written
        meant = _ACCENTED.get(meant, meant)
        fixed.append((written, meant))
        return meant

    def unit(found: re.Match[str]) -> str:
        written = found["word"]
        meant = _ABBREVIATED.get(written)
        if meant is None and len(written) > 2 and not found["n"]:
            meant = next((u for u in _UNITS if written != u and one_slip(written, u)), None)
        if meant is None or known(written):
            return found[0]
        fixed.append((written, meant))
        return f"{found['lead']} {found['n'] or ''}{meant}"

    def lead(found: re.Match[str]) -> str:
        written = found["lead"]
        meant = next((w for w in _LEADS if written != w and one_slip(written, w)), None)
        if meant is None or written in _LEADS or known(written):
            return written
        fixed.append((written, meant))
        return meant

    if language == "en":
        text = _SHORT_UNIT.sub(unit, _SLIPPED_LEAD.sub(lead, text))
    return _WORD.sub(replace, text), tuple(fixed)
