"""Period words written with one slip ("esta semna", "yesterdya"): read as the word meant.

A period word the rules cannot read leaves the question without its window, and its figure would
be every ticket's. One letter missing, added, changed or two swapped, in a lower-case word of five
letters or more that nothing else reads, is taken for the period word it is one slip from; the
answer says so, and its window is printed as always.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cschat.chat.agents.local.language import Language
from cschat.chat.agents.local.text import fold

# Long enough that one slip cannot turn another word into them ("mes" is one from "mas"), and
# only those of the question's language ("todas" is one slip from "today").
TIME_WORDS: dict[Language, frozenset[str]] = {
    "es": frozenset(
        """semana semanas trimestre trimestres anterior anteayer enero febrero marzo abril junio
        agosto septiembre setiembre octubre noviembre diciembre lunes martes miercoles jueves
        viernes sabado domingo""".split()  # noqa: SIM905
    ),
    "en": frozenset(
        """today yesterday quarter quarters month months weeks previous january february march
        april june july august september october november december monday tuesday wednesday
        thursday friday saturday sunday""".split()  # noqa: SIM905
    ),
}
# Words of their own one slip from a period word: "match" is no "march", "entero" no "enero",
# "los domingos" (every Sunday) no "domingo".
_WORDS_OF_THEIR_OWN = frozenset(
    """match matches marca marcas marcha marsh abrir partes junior entero entera semanal
    sabados domingos mondays tuesdays wednesdays thursdays fridays saturdays sundays""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]{5,}")


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


def fix_time_words(
    text: str, language: Language, known: Callable[[str], bool]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """`text` with each slipped period word replaced, and the (written, meant) pairs."""
    fixed: list[tuple[str, str]] = []
    targets = sorted(TIME_WORDS[language])

    def replace(found: re.Match[str]) -> str:
        written = found[0]
        folded = fold(written)
        # A capital is a name ("Marco" is no slipped "marzo"); an unknown name is declined.
        if not written.islower() or folded in targets or folded in _WORDS_OF_THEIR_OWN:
            return written
        if known(folded):  # a filter value, an agent's name, a word a rule reads
            return written
        meant = next((w for w in targets if one_slip(folded, w)), None)
        if meant is None:
            return written
        fixed.append((written, meant))
        return meant

    return _WORD.sub(replace, text), tuple(fixed)
