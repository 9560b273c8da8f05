"""Folding keeps every position, so spans found in the folded text map back to the question."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local.text import fold, key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How MANY tickets?", "how many tickets?"),
        ("¿Cuántos TICKETS resolvió Lucía?", "¿cuantos tickets resolvio lucia?"),
        ("Ñandú, pingüino", "nandu, pinguino"),
        ("İstanbul", "istanbul"),  # lower() makes two characters of "İ": one is kept
        ("straße ﬁ 日本", "straße ﬁ 日本"),  # no accent to take away: unchanged but for case
        ("", ""),
    ],
)
def test_fold_lowers_and_strips_accents_position_for_position(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(fold(text)) == len(text)


def test_fold_handles_more_distinct_characters_than_it_keeps() -> None:
    text = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 5000)) + "É"
    assert fold(text) == text[:-1] + "e"
    assert fold(text) == fold(text)


def test_key_is_folded_stemmed_words() -> None:
    assert key("Cancelaciones  de FACTURACIÓN") == "cancelacion de facturacion"
