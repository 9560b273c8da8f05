"""Periods relative to a given today, in both languages, including year boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from cschat.chat.agents.local.periods import BadPeriod, Period, find_periods
from cschat.chat.agents.local.text import fold

FRI = date(2026, 11, 27)
JAN2 = date(2027, 1, 2)  # a Saturday in ISO week 2026-W53
LEAP = date(2024, 3, 10)


def windows(text: str, today: date) -> list[str]:
    return [m.period.label() for m in find_periods(fold(text), today)]


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("hoy", FRI, ["2026-11-27..2026-11-27"]),
        ("today", JAN2, ["2027-01-02..2027-01-02"]),
        ("ayer", JAN2, ["2027-01-01..2027-01-01"]),
        ("anteayer", date(2027, 1, 1), ["2026-12-30..2026-12-30"]),
        ("esta semana", JAN2, ["2026-12-28..2027-01-02"]),
        ("la semana pasada", JAN2, ["2026-12-21..2026-12-27"]),
        ("this week", date(2026, 11, 23), ["2026-11-23..2026-11-23"]),
        ("last week", date(2026, 11, 29), ["2026-11-16..2026-11-22"]),
        ("este mes", JAN2, ["2027-01-01..2027-01-02"]),
        ("el mes pasado", JAN2, ["2026-12-01..2026-12-31"]),
        ("last month", LEAP, ["2024-02-01..2024-02-29"]),
        ("este año", JAN2, ["2027-01-01..2027-01-02"]),
        ("last year", JAN2, ["2026-01-01..2026-12-31"]),
        ("últimos 7 días", FRI, ["2026-11-21..2026-11-27"]),
        ("last 1 days", FRI, ["2026-11-27..2026-11-27"]),
        ("past two weeks", FRI, ["2026-11-14..2026-11-27"]),
        ("últimos tres meses", FRI, ["2026-08-28..2026-11-27"]),
        ("last 3 months", date(2026, 5, 31), ["2026-03-01..2026-05-31"]),
        ("en marzo", FRI, ["2026-03-01..2026-03-31"]),
        ("en marzo", date(2026, 2, 10), ["2025-03-01..2025-03-31"]),
        ("in November", FRI, ["2026-11-01..2026-11-27"]),
        ("febrero de 2024", FRI, ["2024-02-01..2024-02-29"]),
        ("February 2023", FRI, ["2023-02-01..2023-02-28"]),
        ("marzo del 2024", FRI, ["2024-03-01..2024-03-31"]),
        ("in may", FRI, ["2026-05-01..2026-05-31"]),
        ("may I ask", FRI, []),
        ("Q1 2024", FRI, ["2024-01-01..2024-03-31"]),
        ("q4", FRI, ["2026-10-01..2026-11-27"]),
        ("q4", date(2026, 6, 1), ["2025-10-01..2025-12-31"]),
        ("2024-Q3", FRI, ["2024-07-01..2024-09-30"]),
        ("primer trimestre de 2024", FRI, ["2024-01-01..2024-03-31"]),
        ("tercer trimestre", FRI, ["2026-07-01..2026-09-30"]),
        ("fourth quarter of 2025", FRI, ["2025-10-01..2025-12-31"]),
        ("this quarter", FRI, ["2026-10-01..2026-11-27"]),
        ("el trimestre pasado", date(2026, 2, 1), ["2025-10-01..2025-12-31"]),
        ("del 1 al 15 de marzo", FRI, ["2026-03-01..2026-03-15"]),
        ("del 1 al 15 de diciembre", FRI, ["2025-12-01..2025-12-15"]),
        ("del 28 de diciembre al 3 de enero", date(2027, 1, 5), ["2026-12-28..2027-01-03"]),
        ("entre el 1 y el 15 de marzo de 2024", FRI, ["2024-03-01..2024-03-15"]),
        ("between 2024-03-01 and 2024-03-15", FRI, ["2024-03-01..2024-03-15"]),
        ("2024-03-15..2024-03-01", FRI, ["2024-03-01..2024-03-15"]),
        ("from March 1 to March 15, 2024", FRI, ["2024-03-01..2024-03-15"]),
        ("between March 1 and 15", FRI, ["2026-03-01..2026-03-15"]),
        ("March 1-15, 2024", FRI, ["2024-03-01..2024-03-15"]),
        ("el 5 de marzo", FRI, ["2026-03-05..2026-03-05"]),
        ("on March 5th, 2024", FRI, ["2024-03-05..2024-03-05"]),
        ("on 5 March 2024", FRI, ["2024-03-05..2024-03-05"]),
        ("el 2024-02-29", FRI, ["2024-02-29..2024-02-29"]),
        ("en 2024", FRI, ["2024-01-01..2024-12-31"]),
        ("in 2026", FRI, ["2026-01-01..2026-11-27"]),
        ("desde septiembre", FRI, ["2026-09-01..2026-11-27"]),
        ("since 2026-11-01", FRI, ["2026-11-01..2026-11-27"]),
        ("esta semana frente a la semana pasada", FRI,
         ["2026-11-23..2026-11-27", "2026-11-16..2026-11-22"]),
        ("Q1 2025 vs Q1 2024", FRI, ["2025-01-01..2025-03-31", "2024-01-01..2024-03-31"]),
        ("el lunes", FRI, ["2026-11-23..2026-11-23"]),
        ("el viernes", FRI, ["2026-11-27..2026-11-27"]),
        ("el viernes pasado", FRI, ["2026-11-20..2026-11-20"]),
        ("last Friday", FRI, ["2026-11-20..2026-11-20"]),
        ("on Sunday", FRI, ["2026-11-22..2026-11-22"]),
        ("del 1 al 15 de este mes", FRI, ["2026-11-01..2026-11-15"]),
        ("del 10 al 31 del mes pasado", JAN2, ["2026-12-10..2026-12-31"]),
        ("la primera quincena de marzo", FRI, ["2026-03-01..2026-03-15"]),
        ("second half of February 2024", FRI, ["2024-02-16..2024-02-29"]),
        ("la segunda quincena de noviembre", FRI, ["2026-11-16..2026-11-27"]),
        ("entre el lunes y el miércoles", FRI, ["2026-11-23..2026-11-25"]),
        ("between yesterday and today", FRI, ["2026-11-26..2026-11-27"]),
        ("desde el 1 de marzo hasta el 15 de abril", FRI, ["2026-03-01..2026-04-15"]),
        ("ayer y hoy", FRI, ["2026-11-26..2026-11-26", "2026-11-27..2026-11-27"]),
        ("en lo que va de semana", FRI, ["2026-11-23..2026-11-27"]),
        ("la semana del 9 de noviembre", FRI, ["2026-11-09..2026-11-15"]),
        ("from 1 to 15 November", FRI, ["2026-11-01..2026-11-15"]),
        ("el resumen de la semana", FRI, ["2026-11-23..2026-11-27"]),
        ("tickets del mes", FRI, ["2026-11-01..2026-11-27"]),
        ("los días de la semana", FRI, []),
        # Weekends: the last one; on a Saturday or Sunday the one running; never the coming one.
        ("el fin de semana", FRI, ["2026-11-21..2026-11-22"]),
        ("last weekend", FRI, ["2026-11-21..2026-11-22"]),
        ("el fin de semana pasado", FRI, ["2026-11-21..2026-11-22"]),
        ("this weekend", FRI, []),
        ("este fin de semana", JAN2, ["2027-01-02..2027-01-02"]),
        ("last weekend", JAN2, ["2026-12-26..2026-12-27"]),
        ("los fines de semana", FRI, []),
        ("tickets de la semana 45 a la 47", FRI, ["2026-11-02..2026-11-22"]),  # was week 45
        # A difference between two periods compares them (was one range from the first to the
        # second, compared with the same length before it).
        ("diferencia de tickets entre octubre y noviembre", FRI,
         ["2026-10-01..2026-10-31", "2026-11-01..2026-11-27"]),
        ("the difference between this week and last week", FRI,
         ["2026-11-23..2026-11-27", "2026-11-16..2026-11-22"]),
        ("tickets entre octubre y noviembre", FRI, ["2026-10-01..2026-11-27"]),
        ("la peor semana del año", FRI, ["2026-01-01..2026-11-27"]),  # "del año" was no period
        ("tickets del año 2024", FRI, ["2024-01-01..2024-12-31"]),
        ("el primer día del mes", FRI, []),
        ("between the 3rd and the 9th of Dec 2025", FRI, ["2025-12-03..2025-12-09"]),
        ("the week of Nov 11, 2026", FRI, ["2026-11-09..2026-11-15"]),
        ("semana del 2024-12-31", FRI, ["2024-12-30..2025-01-05"]),
        ("la semana del 25 de noviembre", FRI, ["2026-11-23..2026-11-27"]),
        ("lo que va de trimestre", FRI, ["2026-10-01..2026-11-27"]),
        ("month to date", FRI, ["2026-11-01..2026-11-27"]),
        ("tickets YTD", FRI, ["2026-01-01..2026-11-27"]),
        # Was no period, so every ticket of all time.
        ("en lo que llevamos de año", FRI, ["2026-01-01..2026-11-27"]),
        ("lo que llevamos del mes", FRI, ["2026-11-01..2026-11-27"]),
        ("the past fortnight", FRI, ["2026-11-14..2026-11-27"]),  # was declined
        # The same window twice: the second is the one before (was the same window twice).
        ("the last 7 days compared to the previous 7 days", FRI,
         ["2026-11-21..2026-11-27", "2026-11-14..2026-11-20"]),
        ("los últimos 7 días frente a los 7 días anteriores", FRI,
         ["2026-11-21..2026-11-27", "2026-11-14..2026-11-20"]),
        # A month or quarter, then a year alone: that month or quarter of the year (was all of
        # it), unless the whole year is said.
        ("noviembre de este año y del año pasado", FRI,
         ["2026-11-01..2026-11-27", "2025-11-01..2025-11-30"]),
        ("Q3 de este año vs el del año pasado", FRI,
         ["2026-07-01..2026-09-30", "2025-07-01..2025-09-30"]),
        ("octubre y todo 2025", FRI, ["2026-10-01..2026-10-31", "2025-01-01..2025-12-31"]),
        ("resumen de mi semana", FRI, ["2026-11-23..2026-11-27"]),  # was all time
        # A day of the month alone: the latest such day (was all time).
        ("tickets del día 15", FRI, ["2026-11-15..2026-11-15"]),
        ("tickets created on the 30th", FRI, ["2026-10-30..2026-10-30"]),
        ("el día 15 de octubre", FRI, ["2026-10-15..2026-10-15"]),
        ("how was my month?", FRI, ["2026-11-01..2026-11-27"]),
        ("ticket 1234", FRI, []),
        # A year written once holds for both months or quarters (the first was this year's).
        ("Q1 and Q2 2024", FRI, ["2024-01-01..2024-03-31", "2024-04-01..2024-06-30"]),
        ("enero y febrero de 2024", FRI, ["2024-01-01..2024-01-31", "2024-02-01..2024-02-29"]),
        ("Q1 2024 vs Q2", FRI, ["2024-01-01..2024-03-31", "2024-04-01..2024-06-30"]),
        ("de octubre a noviembre de 2025", FRI, ["2025-10-01..2025-11-30"]),  # was to 2026-10-31
        ("from October to November 2025", FRI, ["2025-10-01..2025-11-30"]),
        # "Primer" alone was no period: only the second quarter was read.
        ("primer y segundo trimestre de 2024", FRI,
         ["2024-01-01..2024-03-31", "2024-04-01..2024-06-30"]),
        ("the first and second quarters of 2024", FRI,
         ["2024-01-01..2024-03-31", "2024-04-01..2024-06-30"]),
        # Not a month named alone: as written.
        ("October vs the same month last year", FRI,
         ["2026-10-01..2026-10-31", "2025-10-01..2025-10-31"]),
        ("enero vs febrero", FRI, ["2026-01-01..2026-01-31", "2026-02-01..2026-02-28"]),
        # Calendar halves (each was declined, or "primer" was dropped).
        ("primer semestre de 2024", FRI, ["2024-01-01..2024-06-30"]),
        ("the second half of 2024", FRI, ["2024-07-01..2024-12-31"]),
        ("el primer y el segundo semestre de 2024", FRI,
         ["2024-01-01..2024-06-30", "2024-07-01..2024-12-31"]),
        ("segundo semestre", date(2026, 3, 10), ["2025-07-01..2025-12-31"]),
        ("este semestre", FRI, ["2026-07-01..2026-11-27"]),
        ("el semestre pasado", FRI, ["2026-01-01..2026-06-30"]),
        ("last half", date(2026, 3, 10), ["2025-07-01..2025-12-31"]),
        # Day and month when only one order makes a date.
        ("15/03/2024", FRI, ["2024-03-15..2024-03-15"]),
        ("del 15/03/2024 al 20/03/2024", FRI, ["2024-03-15..2024-03-20"]),
        ("el finde pasado", FRI, ["2026-11-21..2026-11-22"]),
    ],
)  # fmt: skip
def test_windows(text: str, today: date, expected: list[str]) -> None:
    assert windows(text, today) == expected


# "hace N <unidad>" / "N <units> ago": the whole calendar unit N units before the current one.
@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("hace 2 años", FRI, ["2024-01-01..2024-12-31"]),
        # A year's first or last month or quarter: they were last month (last quarter) set
        # against the same one of that year.
        ("the last quarter of 2025", FRI, ["2025-10-01..2025-12-31"]),
        ("el último mes de 2025", FRI, ["2025-12-01..2025-12-31"]),
        ("the first month of 2025", FRI, ["2025-01-01..2025-01-31"]),
        ("two years ago", JAN2, ["2025-01-01..2025-12-31"]),
        ("hace dos semanas", FRI, ["2026-11-09..2026-11-15"]),
        ("2 weeks ago", JAN2, ["2026-12-14..2026-12-20"]),
        ("hace una semana", FRI, ["2026-11-16..2026-11-22"]),
        ("a week ago", date(2026, 11, 23), ["2026-11-16..2026-11-22"]),
        ("hace 3 días", FRI, ["2026-11-24..2026-11-24"]),
        ("three days ago", date(2027, 1, 1), ["2026-12-29..2026-12-29"]),
        ("hace un mes", FRI, ["2026-10-01..2026-10-31"]),
        ("hace 1 mes", LEAP, ["2024-02-01..2024-02-29"]),
        ("a month ago", JAN2, ["2026-12-01..2026-12-31"]),
        ("hace 2 meses", JAN2, ["2026-11-01..2026-11-30"]),
        ("14 months ago", FRI, ["2025-09-01..2025-09-30"]),
        ("hace 2 trimestres", FRI, ["2026-04-01..2026-06-30"]),
        ("one quarter ago", date(2026, 2, 1), ["2025-10-01..2025-12-31"]),
        ("la semana antepasada", FRI, ["2026-11-09..2026-11-15"]),
        ("the week before last", JAN2, ["2026-12-14..2026-12-20"]),
        ("el mes antepasado", FRI, ["2026-09-01..2026-09-30"]),
        ("the month before last", date(2026, 2, 10), ["2025-12-01..2025-12-31"]),
        ("el año antepasado", FRI, ["2024-01-01..2024-12-31"]),
        ("hace 2 semanas frente a la semana pasada", FRI,
         ["2026-11-09..2026-11-15", "2026-11-16..2026-11-22"]),
        ("entre hace 3 semanas y hace 2 semanas", FRI, ["2026-11-02..2026-11-15"]),
    ],
)  # fmt: skip
def test_units_ago(text: str, today: date, expected: list[str]) -> None:
    assert windows(text, today) == expected


# "desde <periodo>" / "since <period>": from the start of that period up to today.
@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("desde hace 2 semanas", FRI, ["2026-11-09..2026-11-27"]),
        ("since two months ago", FRI, ["2026-09-01..2026-11-27"]),
        ("desde el lunes", FRI, ["2026-11-23..2026-11-27"]),
        ("since yesterday", FRI, ["2026-11-26..2026-11-27"]),
        ("desde el mes pasado", FRI, ["2026-10-01..2026-11-27"]),
        ("a partir de 2025", FRI, ["2025-01-01..2026-11-27"]),
        # The start of the current week, month, quarter or year, up to today.
        ("desde principios de mes", FRI, ["2026-11-01..2026-11-27"]),
        ("desde el inicio de la semana", FRI, ["2026-11-23..2026-11-27"]),
        ("desde que empezó el año", FRI, ["2026-01-01..2026-11-27"]),
        ("since the beginning of the month", FRI, ["2026-11-01..2026-11-27"]),
        ("from the start of this quarter", FRI, ["2026-10-01..2026-11-27"]),
        ("from start of year", FRI, ["2026-01-01..2026-11-27"]),
        ("since the month started", FRI, ["2026-11-01..2026-11-27"]),
        ("a principios de mes", FRI, []),  # the first days of some month: no period
        # It ran from October 1.
        ("since October 15", FRI, ["2026-10-15..2026-11-27"]),
        ("since October", FRI, ["2026-10-01..2026-11-27"]),
    ],
)  # fmt: skip
def test_since_a_period_runs_to_today(text: str, today: date, expected: list[str]) -> None:
    assert windows(text, today) == expected


# Month abbreviations count beside a day or a year only: alone, "mar" is the sea, "ago" is "ago".
@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("closed on Nov 3?", FRI, ["2026-11-03..2026-11-03"]),
        ("el 3 de dic de 2025", FRI, ["2025-12-03..2025-12-03"]),
        ("3 ago", FRI, ["2026-08-03..2026-08-03"]),
        ("sep 2026", FRI, ["2026-09-01..2026-09-30"]),
        ("Dec. 24, 2025", FRI, ["2025-12-24..2025-12-24"]),
        ("3 days ago", FRI, ["2026-11-24..2026-11-24"]),
        ("a few weeks ago", FRI, []),
        ("tickets del mar", FRI, []),
    ],
)  # fmt: skip
def test_month_abbreviations(text: str, today: date, expected: list[str]) -> None:
    assert windows(text, today) == expected


# "the same <unit> last year" and "and the one before" take the period written before them.
@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("este mes y el mismo mes del año pasado", FRI,
         ["2026-11-01..2026-11-27", "2025-11-01..2025-11-30"]),
        ("October vs the same month last year", FRI,
         ["2026-10-01..2026-10-31", "2025-10-01..2025-10-31"]),
        ("the same month last year", FRI, ["2025-11-01..2025-11-30"]),
        ("this quarter vs the same quarter a year ago", FRI,
         ["2026-10-01..2026-11-27", "2025-10-01..2025-12-31"]),
        ("esta semana frente a la misma semana del año anterior", FRI,
         ["2026-11-23..2026-11-27", "2025-11-24..2025-11-30"]),
        # ISO week 2026-W53 has no match in 2025, which ended with W52.
        ("this week and the same week last year", JAN2,
         ["2026-12-28..2027-01-02", "2025-12-22..2025-12-28"]),
        ("this year and the same period last year", FRI,
         ["2026-01-01..2026-11-27", "2025-01-01..2025-11-27"]),
        ("el 29 de febrero de 2024 y el mismo día del año pasado", FRI,
         ["2024-02-29..2024-02-29", "2023-02-28..2023-02-28"]),
        ("el mismo periodo del año pasado", FRI, ["2025-01-01..2025-11-27"]),
        ("el mes pasado y el anterior", FRI, ["2026-10-01..2026-10-31", "2026-09-01..2026-09-30"]),
        # "Esta" alone after a period: the one of that kind running today (it was the one before).
        ("la semana pasada frente a esta", FRI,
         ["2026-11-16..2026-11-22", "2026-11-23..2026-11-27"]),
        ("last month vs this one", FRI, ["2026-10-01..2026-10-31", "2026-11-01..2026-11-27"]),
        ("last week and the week before", JAN2,
         ["2026-12-21..2026-12-27", "2026-12-14..2026-12-20"]),
        ("Q1 2024 and the one before", FRI, ["2024-01-01..2024-03-31", "2023-10-01..2023-12-31"]),
        ("octubre y el mes anterior", FRI, ["2026-10-01..2026-10-31", "2026-09-01..2026-09-30"]),
        ("los últimos 7 días y los anteriores", FRI,
         ["2026-11-21..2026-11-27", "2026-11-14..2026-11-20"]),
        ("and the one before", FRI, []),
        ("este mes y el pasado", FRI, ["2026-11-01..2026-11-27", "2026-10-01..2026-10-31"]),
        ("yesterday vs the same day last week", FRI,
         ["2026-11-26..2026-11-26", "2026-11-19..2026-11-19"]),
        ("hoy y el mismo día de la semana pasada", FRI,
         ["2026-11-27..2026-11-27", "2026-11-20..2026-11-20"]),
        ("el 31 de marzo de 2025 y el mismo día del mes pasado", FRI,
         ["2025-03-31..2025-03-31", "2025-02-28..2025-02-28"]),
        ("this week vs the same week last month", FRI,
         ["2026-11-23..2026-11-27", "2026-10-19..2026-10-25"]),
        ("the same day last week", FRI, ["2026-11-20..2026-11-20"]),
        ("the week before last", FRI, ["2026-11-09..2026-11-15"]),
    ],
)  # fmt: skip
def test_periods_relative_to_the_one_before(text: str, today: date, expected: list[str]) -> None:
    assert windows(text, today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "el 31 de febrero", "2023-02-29", "February 30, 2024", "del 1 al 31 de este mes",
        "hace 5000 años", "100000000 weeks ago", "hace 999999 meses",
    ],
)  # fmt: skip
def test_dates_that_do_not_exist_are_refused(text: str) -> None:
    with pytest.raises(BadPeriod):
        find_periods(fold(text), FRI)


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period(date(2026, 11, 23), date(2026, 11, 27), "week"), "2026-11-16..2026-11-22"),
        (Period(date(2026, 1, 1), date(2026, 1, 20), "month"), "2025-12-01..2025-12-31"),
        (Period(date(2024, 3, 1), date(2024, 3, 31), "month"), "2024-02-01..2024-02-29"),
        (Period(date(2026, 1, 1), date(2026, 3, 31), "quarter"), "2025-10-01..2025-12-31"),
        (Period(date(2026, 1, 1), date(2026, 11, 27), "year"), "2025-01-01..2025-12-31"),
        (Period(date(2026, 11, 21), date(2026, 11, 27), "days"), "2026-11-14..2026-11-20"),
        (Period(date(2026, 11, 27), date(2026, 11, 27), "day"), "2026-11-26..2026-11-26"),
        # The weekend before a Saturday so far is a whole one, not the Friday before it.
        (Period(date(2027, 1, 2), date(2027, 1, 2), "weekend"), "2026-12-26..2026-12-27"),
    ],
)
def test_previous_period(period: Period, previous: str) -> None:
    assert period.previous().label() == previous


# ISO week numbers: of the year given, else of the most recent year in which that week started.
@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("semana 47", FRI, ["2026-11-16..2026-11-22"]),
        ("tickets in week 48", FRI, ["2026-11-23..2026-11-27"]),
        ("week 52", FRI, ["2025-12-22..2025-12-28"]),  # week 52 of 2026 has not started
        ("the 47th week", FRI, ["2026-11-16..2026-11-22"]),
        ("la semana 10 de 2025", FRI, ["2025-03-03..2025-03-09"]),
        ("week 1 of 2026", FRI, ["2025-12-29..2026-01-04"]),
        ("2026-W47", FRI, ["2026-11-16..2026-11-22"]),
        ("compara la semana 46 con la 47", FRI,
         ["2026-11-09..2026-11-15", "2026-11-16..2026-11-22"]),
        ("week 46 vs 47", FRI, ["2026-11-09..2026-11-15", "2026-11-16..2026-11-22"]),
        ("las últimas 3 semanas", FRI, ["2026-11-07..2026-11-27"]),  # a count, not a week number
    ],
)  # fmt: skip
def test_week_numbers(text: str, today: date, expected: list[str]) -> None:
    assert windows(text, today) == expected


@pytest.mark.parametrize("text", ["week 60", "semana 53 de 2025"])
def test_a_week_number_the_year_lacks_is_refused(text: str) -> None:
    with pytest.raises(BadPeriod):
        find_periods(fold(text), FRI)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # A month or quarter of last year or this year: that one, not a comparison with the year.
        ("tickets in november last year", FRI, ["2025-11-01..2025-11-30"]),
        ("noviembre del año pasado", FRI, ["2025-11-01..2025-11-30"]),
        ("octubre de este año", FRI, ["2026-10-01..2026-10-31"]),
        ("Q4 del año pasado", FRI, ["2025-10-01..2025-12-31"]),
        ("the first quarter of last year", FRI, ["2025-01-01..2025-03-31"]),
        ("el tercer trimestre del año pasado", FRI, ["2025-07-01..2025-09-30"]),
        # After a period: from the day after it ends, to today.
        ("tickets after october 15", FRI, ["2026-10-16..2026-11-27"]),
        ("después del 15 de octubre", FRI, ["2026-10-16..2026-11-27"]),
        # "Desde X hasta Y" is one range.
        ("desde septiembre hasta octubre", FRI, ["2026-09-01..2026-10-31"]),
        ("since september until october", FRI, ["2026-09-01..2026-10-31"]),
        # Half-months and the Latin American "antier" (each was all time).
        ("esta quincena", FRI, ["2026-11-16..2026-11-27"]),
        ("la quincena pasada", FRI, ["2026-11-01..2026-11-15"]),
        ("la quincena pasada", date(2026, 11, 10), ["2026-10-16..2026-10-31"]),
        ("tickets de antier", FRI, ["2026-11-25..2026-11-25"]),
        # A month (or its abbreviation) with two days: was all time, or the first day alone.
        ("tickets Nov 1-15", FRI, ["2026-11-01..2026-11-15"]),
        ("November 1st through 15th", FRI, ["2026-11-01..2026-11-15"]),
        ("Nov 1 to 15, 2025", FRI, ["2025-11-01..2025-11-15"]),
        # Days of another week: were this week's days compared with that week.
        ("el lunes de la semana pasada", FRI, ["2026-11-16..2026-11-16"]),
        ("el viernes de hace dos semanas", FRI, ["2026-11-13..2026-11-13"]),
        ("from Monday to Wednesday last week", FRI, ["2026-11-16..2026-11-18"]),
        ("compara el lunes con la semana pasada", FRI,
         ["2026-11-23..2026-11-23", "2026-11-16..2026-11-22"]),
    ],
)  # fmt: skip
def test_relative_years_after_since_until_half_months_and_day_ranges(
    text: str, today: date, expected: list[str]
) -> None:
    assert windows(text, today) == expected
