"""Text folding shared by the parsers: lower case, no accents, same length as the input."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+(?:[-.@][a-z0-9]+)*")


def fold_char(ch: str) -> str:
    """One character lower-cased without its accent ("Á" -> "a"); never changes the length."""
    base = unicodedata.normalize("NFD", ch.lower())[:1]
    return base if base.isascii() else ch.lower()[:1]


class _Folds(dict[int, str]):
    """`str.translate`'s table for `fold`, filled as characters come (a few hundred at most in
    real questions; past `_FOLDS_KEPT`, rare ones are folded each time instead of kept)."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < _FOLDS_KEPT:
            self[code] = folded
        return folded


_FOLDS_KEPT = 4096
_FOLDS = _Folds()


def fold(text: str) -> str:
    """The text lower-cased and without accents, position for position, so spans map back."""
    return text.lower() if text.isascii() else text.translate(_FOLDS)


def words(folded: str) -> list[str]:
    """Word tokens of folded text (dates, emails and "tier-2" stay whole)."""
    return _WORD.findall(folded)


def stem(word: str) -> str:
    """A crude singular for Spanish and English plurals ("cancelaciones" -> "cancelacion")."""
    if len(word) > 5 and word.endswith("es") and word[-3] in "rlndzj":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def key(text: str) -> str:
    """A comparison key for a phrase: folded, stemmed words joined by one space."""
    return " ".join(stem(w) for w in words(fold(text)))
