"""A period word written with one slip is read as the word meant, and the answer says so."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local.typos import fix_key_words, one_slip
from tests.chat.agents.local.test_agent import ask


@pytest.mark.parametrize(
    ("word", "target", "slip"),
    [
        ("semna", "semana", True),  # a letter missing
        ("semanna", "semana", True),  # one added
        ("semena", "semana", True),  # one changed
        ("smeana", "semana", True),  # two swapped
        ("smena", "semana", False),  # two slips
        ("semana", "semana", False),  # no slip
    ],
)
def test_one_slip(word: str, target: str, slip: bool) -> None:
    assert one_slip(word, target) is slip


@pytest.mark.parametrize(
    ("text", "language", "fixed"),
    [
        ("tickets de octbure", "es", "tickets de octubre"),
        ("resolved yesterdya", "en", "resolved yesterday"),
        # Left alone: a capital (a name), a word of its own, the other language, a known word,
        # a short word ("mas" is one slip from "mes").
        ("tickets de Marco", "es", "tickets de Marco"),
        ("tickets that match billing", "en", "tickets that match billing"),
        ("el mes entero", "es", "el mes entero"),
        ("de todas las categorías", "es", "de todas las categorías"),
        ("los domingos", "es", "los domingos"),
        ("tickets de más", "es", "tickets de más"),
        # After "last", "this", "per"...: a unit written short or with one slip (each was every
        # ticket of all time); other short words stay.
        ("tickets last wek", "en", "tickets last week"),
        ("tickets past 3 mos", "en", "tickets past 3 months"),
        ("CSAT this yr", "en", "CSAT this year"),
        ("the agent from this team", "en", "the agent from this team"),
        ("the last one", "en", "the last one"),
        ("tickets lsat week", "en", "tickets last week"),  # the word that leads the unit
        ("tickets that week", "en", "tickets that week"),
        ("tickets all week", "en", "tickets all week"),
    ],
)
def test_only_slipped_period_words_are_fixed(text: str, language: str, fixed: str) -> None:
    fixed_text, _ = fix_key_words(text, language, lambda word: word == "billing")  # type: ignore[arg-type]
    assert fixed_text == fixed


@pytest.mark.parametrize(
    ("question", "note", "window"),
    [
        # Each was every ticket of all time: the period word was not read.
        ("cuantos tickets se resolvieron esta semna", "Leo «semana» donde pone «semna».",
         ("2026-11-23", "2026-11-27")),
        ("how many tickets were resolved yesterdya", "Reading “yesterday” for “yesterdya”.",
         ("2026-11-26", "2026-11-26")),
        ("how many tickets were closed last wek", "Reading “week” for “wek”.",
         ("2026-11-16", "2026-11-22")),
        # This week's (or this month's): "la semana" was read and "pasda" was not.
        ("tickets de la semana pasda", "Leo «pasada» donde pone «pasda».",
         ("2026-11-16", "2026-11-22")),
        ("tickets del ultmo mes", "Leo «último» donde pone «ultmo».",
         ("2026-10-01", "2026-10-31")),
    ],
)  # fmt: skip
async def test_the_answer_says_which_word_it_read(
    question: str, note: str, window: tuple[str, str]
) -> None:
    text, _, tools = await ask(question)
    params = tools.calls[0][1]
    assert (params["start_date"], params["end_date"]) == window
    assert text.startswith(note + "\n")


@pytest.mark.parametrize(
    ("question", "first_call"),
    [
        # Each counted resolved tickets of all time.
        ("tickets craedos esta semana", ("count_tickets", "created")),
        ("tickets abeirtos", ("count_tickets", "created")),
        ("tickets por cnaal", ("breakdown_tickets", "resolved")),
    ],
)
async def test_slipped_words_that_choose_the_tickets_are_read(
    question: str, first_call: tuple[str, str]
) -> None:
    text, _, tools = await ask(question)
    name, params = tools.calls[0]
    assert (name, params["date_field"]) == first_call
    assert text.startswith("Leo «")


def test_the_word_read_is_written_with_its_accents() -> None:
    assert fix_key_words("por categroia", "es", lambda _: False) == (
        "por categoría",
        (("categroia", "categoría"),),
    )
