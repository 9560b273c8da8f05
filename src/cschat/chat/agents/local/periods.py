"""Periods in Spanish and English ("la semana pasada", "Q1 2024", "del 1 al 15 de marzo") as dates.

Everything is relative to `today` in the app's time zone. Weeks are ISO weeks (Monday first). Named
periods that are still running ("this month", "2026", "Q4") end today: there is no data after now.
A month, day or quarter named without a year is the most recent one that has started.
"Hace N <unidad>" / "N <units> ago" is the whole calendar unit N units before the current one (see
`_units_ago`), and "desde <periodo>" / "since <period>" runs from that period's start to today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["day", "week", "month", "quarter", "half", "year", "days", "range", "weekend"]

MONTHS: dict[str, int] = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "sept": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {
    "un": 1, "una": 1, "uno": 1, "one": 1, "dos": 2, "two": 2, "tres": 3, "three": 3,
    "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7,
    "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10, "once": 11, "eleven": 11,
    "doce": 12, "twelve": 12, "catorce": 14,
    "fourteen": 14, "quince": 15, "fifteen": 15, "treinta": 30, "thirty": 30, "noventa": 90,
    "ninety": 90,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
# Ordinal words: of quarters ("el tercer trimestre") and alone after one ("¿y la segunda?").
ORDINALS: dict[str, int] = {
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3,
    "tercero": 3, "tercera": 3, "cuarto": 4, "cuarta": 4, "first": 1, "second": 2, "third": 3,
    "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip

# Abbreviations count only beside a day or a year ("Nov 3", "3 dic", "sep 2025"): alone, "mar" is
# the sea and "ago" is "ago".
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "ene": 1, "feb": 2, "mar": 3, "apr": 4, "abr": 4, "jun": 6, "jul": 7, "aug": 8,
    "ago": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12, "dic": 12,
}  # fmt: skip
_MONTH_NUMBERS = {**MONTHS, **MONTH_ABBREVIATIONS}
_M = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_MA = "(" + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True)) + r")\.?"
_D = r"(\d{1,2})(?:st|nd|rd|th|º)?"
_Y = r"((?:19|20)\d{2})"
_ISO = r"(\d{4}-\d{2}-\d{2})"
_DE_Y = r"(?:,?\s+(?:de(?:l)?\s+|of\s+)?" + _Y + ")?"
# "del año pasado", "de este año", "last year", "of this year" after a month or a quarter.
_OF_RELATIVE_YEAR = (
    r",?\s+(?:del?\s+|of\s+)?(?:(?P<last>(?:el\s+)?ano\s+(?:pasado|anterior)|last\s+year|"
    r"the\s+(?:previous|last)\s+year|the\s+year\s+before)|(?:(?:este|el\s+presente)\s+ano|"
    r"this\s+year|the\s+current\s+year))"
)
# "Black Friday" and "Cyber Monday" are no weekdays (`patterns.UNREAD_PERIOD` declines them).
_WD = "(?<!black )(?<!cyber )(" + "|".join(WEEKDAYS) + ")"
# "1.000" and "1,000" are a thousand in either language: groups of three digits only.
_N = r"(\d{1,3}(?:[.,]\d{3})+|\d+|" + "|".join(NUMBER_WORDS) + ")"
_N_AGO = _N[:-1] + "|an?)"  # "a week ago"
# Calendar units as written, folded: "años" is "anos".
_UNIT_ES = r"(dias?|semanas?|mes(?:es)?|trimestres?|anos?)"
_UNIT_EN = r"(days?|weeks?|months?|quarters?|years?)"
_TO_DATE_UNIT = r"(semana|mes|trimestre|ano|week|month|quarter|year)"


class BadPeriod(ValueError):
    """The question names a date that does not exist ("31 de febrero")."""


class AmbiguousDate(BadPeriod):
    """The question names a date whose day and month could be either way ("05/03/2024")."""


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date window and what kind of period it is (for "the one before")."""

    start: date
    end: date
    kind: PeriodKind

    def previous(self) -> Period:
        """The period of the same kind just before this one (a full one for weeks and months)."""
        try:
            return self._previous()
        except (OverflowError, ValueError):
            # Before 0001-01-01: the calendar has no year 0.
            raise BadPeriod("0000-12-31") from None

    def _previous(self) -> Period:
        if self.kind == "week":
            start = self.start - timedelta(days=7)
            return Period(start, start + timedelta(days=6), "week")
        if self.kind == "weekend":  # Saturday and Sunday a week earlier
            start = self.start - timedelta(days=7)
            return Period(start, start + timedelta(days=1), "weekend")
        if self.kind == "month":
            end = self.start - timedelta(days=1)
            return Period(end.replace(day=1), end, "month")
        if self.kind == "quarter":
            end = self.start - timedelta(days=1)
            return Period(date(end.year, end.month - 2, 1), end, "quarter")
        if self.kind == "half":  # the other half: H1 before H2, H2 of the year before H1
            if self.start.month == 7:
                return Period(date(self.start.year, 1, 1), date(self.start.year, 6, 30), "half")
            year = self.start.year - 1
            return Period(date(year, 7, 1), date(year, 12, 31), "half")
        if self.kind == "year":
            return Period(
                date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31), "year"
            )
        length = (self.end - self.start).days + 1
        return replace(
            self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1)
        )

    def label(self) -> str:
        """The window as the answers print it: `2026-11-23..2026-11-27`."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    """A period found in the (folded) question and where it was written."""

    period: Period
    span: tuple[int, int]


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadPeriod(text) from None


def _month(year: int, month: int, today: date) -> Period:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return _clipped(start, nxt - timedelta(days=1), "month", today)


def _clipped(start: date, end: date, kind: PeriodKind, today: date) -> Period:
    return Period(start, min(end, today) if start <= today else end, kind)


def _recent_year(month: int, day: int, today: date) -> int:
    """The year of the most recent (month, day) that is not in the future."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _quarter(year: int | None, q: int, today: date) -> Period:
    if year is None:
        year = today.year if 3 * q - 2 <= today.month else today.year - 1
    start = date(year, 3 * q - 2, 1)
    end = _month(year, 3 * q, today).end if q < 4 else date(year, 12, 31)
    return _clipped(start, end, "quarter", today)


def _week(monday: date, today: date) -> Period:
    return _clipped(monday, monday + timedelta(days=6), "week", today)


def _year(year: int, today: date) -> Period:
    return _clipped(date(year, 1, 1), date(year, 12, 31), "year", today)


def _number(word: str) -> int:
    digits = word.replace(".", "").replace(",", "")
    return int(digits) if digits.isdigit() else NUMBER_WORDS[word]


def _units_ago(n: int, unit: str, today: date) -> Period:
    """ "Hace N <unidad>" / "N <units> ago": the whole calendar unit N units before the current one.

    A product decision: "hace 2 semanas" is the ISO week two weeks before this one, "hace 2 años"
    the calendar year two before this one, "hace 3 días" that single day and "hace 1 mes" last
    calendar month (not "the 30 days ending 30 days ago"), so the window is one the answer can
    name and a later "¿y la anterior?" steps by whole units.
    """
    if unit.startswith(("dia", "day")):
        return _one_day(today - timedelta(days=n))
    if unit.startswith(("sem", "week")):
        return _week(_monday(today) - timedelta(weeks=n), today)
    if unit.startswith(("mes", "month")):
        month0 = today.year * 12 + today.month - 1 - n
        return _month(month0 // 12, month0 % 12 + 1, today)
    if unit.startswith(("trim", "quarter")):
        quarter0 = today.year * 4 + (today.month - 1) // 3 - n
        return _quarter(quarter0 // 4, quarter0 % 4 + 1, today)
    return _year(today.year - n, today)


def _units_ago_match(m: re.Match[str], today: date) -> Period:
    return _units_ago(1 if m[1] in ("a", "an") else _number(m[1]), m[2], today)


def _before_last(m: re.Match[str], today: date) -> Period:
    """ "La semana antepasada" / "the week before last": two whole units back."""
    return _units_ago(2, m[1] or m[2], today)


def _last_n(n: int, unit: str, today: date) -> Period:
    if unit.startswith(("sem", "week")):
        n *= 7
    elif unit.startswith(("mes", "month")):
        month0 = today.month - 1 - n
        year, month = today.year + month0 // 12, month0 % 12 + 1
        day = min(today.day, _month(year, month, date.max).end.day)
        return Period(date(year, month, day) + timedelta(days=1), today, "days")
    return Period(today - timedelta(days=max(n, 1) - 1), today, "days")


# None: the words name no period that has begun ("this weekend" on a Thursday).
Handler = Callable[[re.Match[str], date], Period | None]


def _iso_range(m: re.Match[str], today: date) -> Period:
    a, b = date.fromisoformat(m[1]), date.fromisoformat(m[2])
    return Period(min(a, b), max(a, b), "range")


def _es_day_range(m: re.Match[str], today: date) -> Period:
    d1, m1, y1, d2, m2, y2 = m.groups()
    month2 = _MONTH_NUMBERS[m2]
    month1 = _MONTH_NUMBERS[m1] if m1 else month2
    d1n, d2n = int(d1), int(d2)
    year2 = int(y2) if y2 else (int(y1) if y1 else _recent_year(month2, d2n, today))
    year1 = int(y1) if y1 else (year2 if month1 <= month2 else year2 - 1)
    return Period(_day(year1, month1, d1n, m[0]), _day(year2, month2, d2n, m[0]), "range")


def _en_day_range(m: re.Match[str], today: date) -> Period:
    m1, d1, y1, m2, d2, y2 = m.groups()
    month1 = _MONTH_NUMBERS[m1]
    month2 = _MONTH_NUMBERS[m2] if m2 else month1
    d1n, d2n = int(d1), int(d2)
    year2 = int(y2) if y2 else (int(y1) if y1 else _recent_year(month2, d2n, today))
    year1 = int(y1) if y1 else (year2 if month1 <= month2 else year2 - 1)
    return Period(_day(year1, month1, d1n, m[0]), _day(year2, month2, d2n, m[0]), "range")


def _en_day_range_dm(m: re.Match[str], today: date) -> Period:
    """ "From 1 to 15 November (2026)": both days in the month named after them."""
    d1, d2, month, year = int(m[1]), int(m[2]), _MONTH_NUMBERS[m[3]], m[4]
    y = int(year) if year else _recent_year(month, d2, today)
    return Period(_day(y, month, d1, m[0]), _day(y, month, d2, m[0]), "range")


def _en_dash_range(m: re.Match[str], today: date) -> Period:
    month, d1, d2 = _MONTH_NUMBERS[m[1]], int(m[2]), int(m[3])
    year = int(m[4]) if m[4] else _recent_year(month, d2, today)
    return Period(_day(year, month, d1, m[0]), _day(year, month, d2, m[0]), "range")


def _one_day(day: date) -> Period:
    return Period(day, day, "day")


def _es_date(m: re.Match[str], today: date) -> Period:
    d, mon, y = int(m[1]), _MONTH_NUMBERS[m[2]], m[3]
    return _one_day(_day(int(y) if y else _recent_year(mon, d, today), mon, d, m[0]))


def _en_date(m: re.Match[str], today: date) -> Period:
    mon, d, y = _MONTH_NUMBERS[m[1]], int(m[2]), m[3]
    return _one_day(_day(int(y) if y else _recent_year(mon, d, today), mon, d, m[0]))


def _en_date_dm(m: re.Match[str], today: date) -> Period:
    d, mon, y = int(m[1]), _MONTH_NUMBERS[m[2]], m[3]
    return _one_day(_day(int(y) if y else _recent_year(mon, d, today), mon, d, m[0]))


def _week_of(m: re.Match[str], today: date) -> Period:
    """ "La semana del 9 de noviembre" / "the week of November 9": the ISO week holding that day."""
    day = find_periods(m["day"], today)[0].period.start
    return _week(_monday(day), today)


_WEEK_GROUPS = (("n", "y"), ("n2", "y2"), ("n3", "y3"))


def _week_number(m: re.Match[str], today: date) -> Period:
    """ "Semana 47", "week 47 of 2025", "2026-W47": that ISO week, of the given year or else of
    the most recent one in which it has started."""
    number, year = next((int(m[n]), m[y]) for n, y in _WEEK_GROUPS if m[n])
    try:
        if year:
            return _week(date.fromisocalendar(int(year), number, 1), today)
        iso_year = today.isocalendar().year
        monday = date.fromisocalendar(iso_year, number, 1)
        if monday > today:
            monday = date.fromisocalendar(iso_year - 1, number, 1)
        return _week(monday, today)
    except ValueError:
        raise BadPeriod(m[0]) from None


def _numeric_date(m: re.Match[str], today: date) -> Period:
    """ "15/03/2024", "03/15/2024", "15-03-2024": the day and the month, when only one order
    makes a date. "05/03/2024" is 5 March in Spain and May 3 in the United States: declined
    (AmbiguousDate) rather than one country's figure."""
    first, second, year = int(m[1]), int(m[3]), int(m[4])
    if first <= 12 and second <= 12 and first != second:
        raise AmbiguousDate(m[0])
    day, month = (second, first) if second > 12 else (first, second)
    return _one_day(_day(year, month, day, m[0]))


def _half(m: re.Match[str], today: date) -> Period:
    """ "Primer semestre de 2024", "the second half of 2024": calendar halves; without a year,
    the latest such half that has begun. ("H1", "H2" stay declined, as fiscal years are: they
    start where each company says.)"""
    first = m[1] in ("primer", "primero", "first")
    return _half_year(
        int(m[2]) if m[2] else today.year - (not first and today.month < 7), first, today
    )


def _half_year(year: int, first: bool, today: date) -> Period:
    """The first (January-June) or second (July-December) half of `year`, up to today."""
    if first:
        return _clipped(date(year, 1, 1), date(year, 6, 30), "half", today)
    return _clipped(date(year, 7, 1), date(year, 12, 31), "half", today)


def nth_of_year(period: Period, n: int, today: date) -> Period | None:
    """ "¿Y el segundo?" after a quarter or a half: the `n`th of that kind in its year; None
    after any other period, or past the fourth quarter or the second half."""
    if period.kind == "quarter" and 1 <= n <= 4:
        return _quarter(period.start.year, n, today)
    if period.kind == "half" and n in (1, 2):
        return _half_year(period.start.year, n == 1, today)
    return None


def _this_half_year(today: date) -> Period:
    start = date(today.year, 1 if today.month < 7 else 7, 1)
    return Period(start, today, "half")


def _iso_day(m: re.Match[str], today: date) -> Period:
    try:
        return _one_day(date.fromisoformat(m[1]))
    except ValueError:
        raise BadPeriod(m[1]) from None


def _month_year(m: re.Match[str], today: date) -> Period:
    return _month(int(m[2]), _MONTH_NUMBERS[m[1]], today)


def _bare_month(m: re.Match[str], today: date) -> Period:
    month = _MONTH_NUMBERS[m[1]]
    return _month(today.year if month <= today.month else today.year - 1, month, today)


def _since(m: re.Match[str], today: date) -> Period:
    if m[1]:
        start = date.fromisoformat(m[1])
    else:
        month = _MONTH_NUMBERS[m[2]]
        year = int(m[3]) if m[3] else (today.year if month <= today.month else today.year - 1)
        start = date(year, month, 1)
    return Period(start, today, "range")


def _this_half(today: date) -> Period:
    """ "Esta quincena": days 1-15 of this month, or from the 16th, up to today."""
    return Period(today.replace(day=1 if today.day <= 15 else 16), today, "range")


def _last_half(today: date) -> Period:
    """ "La quincena pasada": the half-month before the one running today."""
    if today.day > 15:
        return Period(today.replace(day=1), today.replace(day=15), "range")
    end = today.replace(day=1) - timedelta(days=1)
    return Period(end.replace(day=16), end, "range")


def _half_month(m: re.Match[str], today: date) -> Period:
    """ "La primera quincena de marzo": days 1-15; the second half runs to the month's end."""
    number = _MONTH_NUMBERS[m[2]]
    year = int(m[3]) if m[3] else _recent_year(number, 1, today)
    whole = _month(year, number, date.max)
    if m[1] in ("primera", "first"):
        return _clipped(whole.start, whole.start.replace(day=15), "range", today)
    return _clipped(whole.start.replace(day=16), whole.end, "range", today)


def _relative_year(m: re.Match[str], today: date) -> int:
    return today.year - 1 if m["last"] else today.year


def _month_of_year(m: re.Match[str], today: date) -> Period:
    """ "Noviembre del año pasado", "October this year": that month of the year named."""
    return _month(_relative_year(m, today), _MONTH_NUMBERS[m[1]], today)


def _quarter_of_year(m: re.Match[str], today: date) -> Period:
    """ "Q4 del año pasado", "el tercer trimestre de este año", "the first quarter last year"."""
    number = int(m["q"]) if m["q"] else ORDINALS[m["qw"]]
    return _quarter(_relative_year(m, today), number, today)


def _quarter_num(m: re.Match[str], today: date) -> Period:
    return _quarter(int(m[2]) if m[2] else None, int(m[1]), today)


def _year_quarter(m: re.Match[str], today: date) -> Period:
    return _quarter(int(m[1]), int(m[2]), today)


def _quarter_word(m: re.Match[str], today: date) -> Period:
    return _quarter(int(m[2]) if m[2] else None, ORDINALS[m[1]], today)


def _first_or_last_of_year(m: re.Match[str], today: date) -> Period:
    """ "El último trimestre de 2025", "the first month of 2025": that year's last or first."""
    year, last = int(m[3]), m[1] in ("ultimo", "last", "final")
    if m[2] in ("trimestre", "quarter"):
        return _quarter(year, 4 if last else 1, today)
    return _month(year, 12 if last else 1, today)


def _this_quarter(m: re.Match[str], today: date) -> Period:
    return _running("quarter", today)


def _last_quarter(m: re.Match[str], today: date) -> Period:
    return _this_quarter(m, today).previous()


def _last_n_match(m: re.Match[str], today: date) -> Period:
    return _last_n(_number(m[1]), m[2], today)


def _year_match(m: re.Match[str], today: date) -> Period:
    return _year(int(m[1]), today)


def _weekday(m: re.Match[str], today: date) -> Period:
    """The most recent such day; "last"/"pasado" means strictly before today."""
    back = (today.weekday() - WEEKDAYS[m[2] or m[4]]) % 7
    if back == 0 and (m[1] or m[3] or m[5]):
        back = 7
    return _one_day(today - timedelta(days=back))


def _days_of_month(m: re.Match[str], today: date) -> Period:
    month = _month(today.year, today.month, today)
    if not m[3].startswith("este"):
        month = month.previous()
    year, number = month.start.year, month.start.month
    return Period(_day(year, number, int(m[1]), m[0]), _day(year, number, int(m[2]), m[0]), "range")


Unit = Literal["day", "week", "month", "quarter", "year"]
_UNITS: tuple[Unit, ...] = ("day", "week", "month", "quarter", "year")


def _running(unit: Unit, today: date) -> Period:
    """The day, week, month, quarter or year running today, up to today."""
    if unit == "day":
        return _one_day(today)
    if unit == "week":
        return _week(_monday(today), today)
    if unit == "month":
        return _month(today.year, today.month, today)
    if unit == "quarter":
        return _quarter(today.year, (today.month - 1) // 3 + 1, today)
    return _year(today.year, today)


def current(kind: PeriodKind, today: date) -> Period | None:
    """The period of `kind` running today, up to today; None for kinds that are no calendar unit
    ("the last 7 days", a range)."""
    if kind == "half":
        return _this_half_year(today)
    return next((_running(unit, today) for unit in _UNITS if unit == kind), None)


_UNIT_KINDS: dict[str, Unit] = {
    "semana": "week", "week": "week", "mes": "month", "month": "month", "trimestre": "quarter",
    "quarter": "quarter", "ano": "year", "year": "year",
}  # fmt: skip


def _to_date(m: re.Match[str], today: date) -> Period:
    """ "Desde principios de mes", "since the start of the year": the current one up to today."""
    return _running(_UNIT_KINDS[next(g for g in m.groups() if g)], today)


def _fixed(fn: Callable[[date], Period]) -> Handler:
    return lambda m, today: fn(today)


def _last_weekend(today: date) -> Period:
    """Saturday and Sunday of the ISO week before this one."""
    saturday = _monday(today) - timedelta(days=2)
    return Period(saturday, saturday + timedelta(days=1), "weekend")


def _this_weekend(m: re.Match[str], today: date) -> Period | None:
    """On a Saturday or Sunday, this weekend up to today; on other days "the weekend" is the last
    one and "this weekend" the coming one, which has no tickets yet (`UNREAD_PERIOD`)."""
    if today.weekday() >= 5:
        saturday = _monday(today) + timedelta(days=5)
        return Period(saturday, today, "weekend")
    return None if m[0].startswith(("este", "this")) else _last_weekend(today)


def _monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _day_of_month(m: re.Match[str], today: date) -> Period | None:
    day = int(m[1] or m[2])
    if not 1 <= day <= 31:
        return None
    month_start = (
        today.replace(day=1) if day <= today.day else _running("month", today).previous().start
    )
    return _one_day(month_start.replace(day=day))  # a day the month lacks ("el día 31") is refused


_RULES: tuple[tuple[str, Handler], ...] = (
    (
        r"(?:(?:between|entre|from|desde|del?)\s+(?:el\s+)?)?" + _ISO
        + r"\s*(?:and|y|to|a|al|hasta|until|through|-|\.\.)\s*(?:el\s+)?" + _ISO,
        _iso_range,
    ),
    (
        r"(?:del?|entre(?:\s+el)?|desde(?:\s+el)?)\s+" + _D + r"(?:\s+de\s+" + _M + r")?" + _DE_Y
        + r"\s+(?:al?|y(?:\s+el)?|hasta(?:\s+el)?)\s+" + _D + r"\s+de\s+" + _M + _DE_Y,
        _es_day_range,
    ),
    (
        r"(?:from|between)\s+" + _M + r"\s+" + _D + r"(?:,?\s+" + _Y + r")?"
        + r"\s+(?:to|and|until|through|-)\s+(?:" + _M + r"\s+)?" + _D + r"(?:,?\s+" + _Y + r")?",
        _en_day_range,
    ),
    # "November 1-15", "Nov 1 to 15", "November 1st through 15th".
    (
        _MA + r"\s+" + _D + r"\s*(?:-|–|to|through|thru|until)\s*(?:the\s+)?" + _D
        + r"(?:,?\s+" + _Y + r")?",
        _en_dash_range,
    ),
    (
        r"(?:from|between)\s+(?:the\s+)?" + _D + r"\s+(?:to|and|until|through|-)\s+(?:the\s+)?"
        + _D + r"\s+(?:of\s+)?" + _MA + r"(?:,?\s+" + _Y + r")?",
        _en_day_range_dm,
    ),
    (
        r"(?:del?|entre(?:\s+el)?)\s+" + _D + r"\s+(?:al?|y(?:\s+el)?)\s+" + _D
        + r"\s+(?:de|del)\s+(este\s+mes|mes\s+pasado|mes\s+anterior)",
        _days_of_month,
    ),
    (
        r"(?:la\s+|the\s+)?(primera|segunda|first|second)\s+(?:quincena|half)\s+(?:de|of)\s+"
        + _M + _DE_Y,
        _half_month,
    ),
    (
        r"(?:(?:la\s+)?semana\s+del?\s+(?:el\s+)?|(?:the\s+)?week\s+of\s+(?:the\s+)?)(?P<day>"
        + _ISO + "|" + _D + r"\s+de\s+" + _MA + _DE_Y + "|" + _MA + r"\s+" + _D
        + r"(?:,?\s+" + _Y + r")?|" + _D + r"\s+(?:of\s+)?" + _MA + r"(?:,?\s+" + _Y + r")?)",
        _week_of,
    ),
    (
        r"(?:(?:la\s+)?semana|(?:the\s+)?week)\s+(?:(?:n|no|num|numero|number)\.?\s*)?"
        r"(?P<n>\d{1,2})(?![\d/:.,])(?:,?\s+(?:de(?:l)?\s+|of\s+)?(?P<y>(?:19|20)\d{2}))?"
        r"|(?:the\s+)?(?P<n2>\d{1,2})(?:st|nd|rd|th)\s+week(?:,?\s+(?:of\s+)?(?P<y2>(?:19|20)\d{2}))?"
        r"|(?P<y3>(?:19|20)\d{2})-?w(?P<n3>\d{1,2})(?!\d)",
        _week_number,
    ),
    # "Since October", not "since October 15" (that day on: `_up_to_today`).
    (r"(?:desde|since)\s+(?:el\s+)?(?:" + _ISO + "|" + _M + _DE_Y + r"(?!\s+\d))", _since),
    (
        # Only after "desde/since/from": "a principios de mes" alone is its first days.
        r"(?:desde|since|from|a\s+partir\s+del?)\s+(?:(?:el|la|the)\s+)?"
        r"(?:principios?|inicios?|comienzos?|beginning|start)\s+(?:de|del|of)\s+"
        r"(?:(?:el|la|este|esta|the|this)\s+)?" + _TO_DATE_UNIT
        + r"|(?:desde|since)\s+(?:que\s+)?(?:empezo|comenzo|arranco|inicio)\s+"
        + r"(?:el|la|este|esta)\s+" + _TO_DATE_UNIT
        + r"|since\s+(?:the|this)\s+" + _TO_DATE_UNIT + r"\s+(?:started|began|start)",
        _to_date,
    ),
    (_ISO, _iso_day),
    (r"(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d{2})", _numeric_date),
    (
        r"(?:el\s+|the\s+)?(primer|primero|segundo|first|second)\s+(?:semestres?|half|halves)"
        r"(?:\s+(?:de(?:l)?\s+|of\s+)?(?:ano\s+|the\s+year\s+)?" + _Y + ")?",
        _half,
    ),
    # "El primer y el segundo semestre de 2024": the first of the two (`_shared_year`).
    (
        r"(primer|primero|first)()(?=\s+(?:y|e|and)\s+(?:el\s+|the\s+)?(?:segundo|second)\s+"
        r"(?:semestres?|half|halves))",
        _half,
    ),
    (
        r"(?:este|this|current|el\s+actual)\s+(?:semestre|half)|semestre\s+actual|"
        r"(?P<last>(?:el\s+)?semestre\s+(?:pasado|anterior)|(?:last|previous)\s+half)",
        lambda m, today: _this_half_year(today).previous() if m["last"] else _this_half_year(today),
    ),
    (r"(?:el\s+)?" + _D + r"\s+de\s+" + _MA + _DE_Y, _es_date),
    (_MA + r"\s+" + _D + r"(?:,?\s+" + _Y + r")?(?![\d:])", _en_date),
    (_D + r"\s+(?:of\s+)?" + _MA + r"(?:,?\s+" + _Y + r")?", _en_date_dm),
    (_MA + _OF_RELATIVE_YEAR, _month_of_year),
    (
        r"(?:q(?P<q>[1-4])|(?P<qw>primer|primero|segundo|tercer|tercero|cuarto|first|second|third"
        r"|fourth|1st|2nd|3rd|4th)\s+(?:trimestre|quarter))" + _OF_RELATIVE_YEAR,
        _quarter_of_year,
    ),
    (_MA + r"(?:,?\s+(?:de(?:l)?\s+|of\s+)?)" + _Y, _month_year),
    (r"q([1-4])(?:\s+(?:de(?:l)?\s+|of\s+)?" + _Y + ")?", _quarter_num),
    (_Y + r"\s*-?\s*q([1-4])", _year_quarter),
    (
        r"(primer|primero|segundo|tercer|tercero|cuarto)\s+trimestres?(?:\s+(?:de(?:l)?\s+)?"
        r"(?:ano\s+)?" + _Y + ")?",
        _quarter_word,
    ),
    (
        r"(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarters?(?:\s+(?:of\s+)?" + _Y + ")?",
        _quarter_word,
    ),
    # "The last quarter of 2025" is Q4 2025, not last quarter set against 2025's.
    (
        r"(?:el\s+|the\s+)?(ultimo|last|final|primer|first)\s+(trimestre|quarter|mes|month)\s+"
        r"(?:de(?:l)?\s+|of\s+)(?:(?:el\s+)?ano\s+|the\s+year\s+)?" + _Y,
        _first_or_last_of_year,
    ),
    # "El primer y segundo trimestre (de 2024)", "the first and second quarters": the first
    # of the two, whose year is the second's (`_shared_year`).
    (
        r"(primer|primero|segundo|tercer|tercero|cuarto|first|second|third|fourth)()(?=\s+(?:y|e|o|"
        r"and|or)\s+(?:el\s+|the\s+)?(?:primer|primero|segundo|tercer|tercero|cuarto|first|second|"
        r"third|fourth)\s+(?:trimestres?|quarters?))",
        _quarter_word,
    ),
    (
        r"(?:este|esta|this|current|el\s+actual)\s+(?:trimestre|quarter)|trimestre\s+actual|"
        r"lo\s+que\s+(?:va|llevamos|vamos)\s+del?\s+trimestre|quarter\s+to\s+date|qtd",
        _this_quarter,
    ),
    (
        r"(?:(?:el\s+)?trimestre\s+(?:pasado|anterior))|(?:ultimo|last|previous)\s+(?:trimestre|quarter)",
        _last_quarter,
    ),
    (
        r"(?:(?:los|las|en\s+los|en\s+las|in\s+the|over\s+the|during\s+the)\s+)?"
        r"(?:ultimos|ultimas|last|past|previous)\s+" + _N
        + r"\s+(dias|days|semanas|weeks|meses|months)",
        _last_n_match,
    ),
    (
        # "Los 7 días anteriores": the last 7 days alone; after "los últimos 7 días", the 7 before
        # (two equal periods compared are the one written and the one before it).
        r"(?:los|las)\s+" + _N + r"\s+(dias|semanas|meses)\s+(?:anteriores|previos|previas)",
        _last_n_match,
    ),
    (r"(?:the\s+)?" + _N + r"\s+(days|weeks|months)\s+(?:before|prior)(?!\s+last)", _last_n_match),
    (
        # "The past fortnight": the last 14 days (a "quincena" is half a month, below).
        r"(?:the\s+)?(?:last|past|previous)\s+fortnight",
        _fixed(lambda t: _last_n(14, "days", t)),
    ),
    (r"hace\s+" + _N + r"\s+" + _UNIT_ES, _units_ago_match),
    (_N_AGO + r"\s+" + _UNIT_EN + r"\s+ago", _units_ago_match),
    (
        r"(?:(?:la|el)\s+)?(semana|mes|trimestre|ano)\s+antepasad[ao]"
        r"|(?:the\s+)?(week|month|quarter|year)\s+before\s+last",
        _before_last,
    ),
    (r"(?:esta|la\s+actual)\s+quincena|quincena\s+actual", _fixed(_this_half)),
    (r"(?:la\s+)?quincena\s+(?:pasada|anterior)|(?:la\s+)?ultima\s+quincena", _fixed(_last_half)),
    (r"(?:anteayer|antier|antes\s+de\s+ayer|the\s+day\s+before\s+yesterday)",
     _fixed(lambda t: _one_day(t - timedelta(days=2)))),
    (
        r"(?:el\s+)?(?:fin\s+de\s+semana|finde)\s+(?:pasado|anterior)|"
        r"(?:el\s+)?ultimo\s+(?:fin\s+de\s+semana|finde)|"
        r"(?:the\s+)?(?:last|previous|past)\s+weekend",
        _fixed(_last_weekend),
    ),
    (r"(?:este|el|del)\s+(?:fin\s+de\s+semana|finde)|(?:this|the)\s+weekend", _this_weekend),
    (r"(?:hoy|today)", _fixed(_one_day)),
    (r"(?:ayer|yesterday)", _fixed(lambda t: _one_day(t - timedelta(days=1)))),
    (
        # "La última semana de octubre", "the last week of October" are no last week: which
        # dates they mean is not said (`patterns.UNREAD_PERIOD` declines "week of").
        r"(?:(?:(?:la\s+)?semana\s+(?:pasada|anterior)|(?:la\s+)?ultima\s+semana|"
        r"(?:last|previous|past)\s+week)"
        r"(?!\s+(?:de|del|of)\s+(?:el\s+|the\s+)?(?:" + _M + r"|\d)))",
        _fixed(lambda t: _week(_monday(t) - timedelta(days=7), t)),
    ),
    (
        r"(?:esta\s+semana|semana\s+actual|(?:this|current)\s+week|"
        # "¿Y en toda la semana?", "the whole week": this week's.
        r"toda\s+(?:la|esta)\s+semana(?!\s+(?:pasada|anterior|que\s+viene|proxima|siguiente))|"
        r"(?:the\s+)?(?:whole|entire|full)\s+week|all\s+week(?!\s+long\s+last)|lo\s+que\s+(?:va|llevamos|vamos)\s+del?\s+semana|"
        # "Mi semana": this week; "mi" stays for the agent's own tickets (`patterns.SELF`).
        r"(?:(?<=mi\s)|(?<=tu\s)|(?<=nuestra\s))semana|(?:(?<=my\s)|(?<=our\s))week|"
        r"week\s+to\s+date|wtd|"
        # "El resumen de la semana" is this week's; "los días de la semana" is no period.
        r"(?:(?<!dia\s)(?<!dias\s)(?<!fin\s)(?<!mitad\s)de|"
        # "¿Cómo ha ido la semana?", "¿qué tal la semana?": this week's.
        r"(?<=ido\s)|(?<=tal\s)|(?<=va\s))\s*la\s+semana"
        r"(?!\s+(?:pasada|anterior|que\s+viene|proxima|siguiente|actual|antepasada)))",
        _fixed(lambda t: _running("week", t)),
    ),
    (
        r"(?:(?:el\s+)?mes\s+(?:pasado|anterior)|(?:el\s+)?ultimo\s+mes|"
        r"(?:last|previous|past)\s+month)",
        _fixed(lambda t: _running("month", t).previous()),
    ),
    (
        r"(?:este\s+mes|mes\s+actual|(?:this|current)\s+month|"
        r"todo\s+(?:el|este)\s+mes(?!\s+(?:pasado|anterior|que\s+viene|proximo|siguiente|de))|"
        r"(?:the\s+)?(?:whole|entire|full)\s+month|all\s+month|lo\s+que\s+(?:va|llevamos|vamos)\s+del?\s+mes|"
        r"(?:(?<=mi\s)|(?<=tu\s)|(?<=nuestro\s))mes|(?:(?<=my\s)|(?<=our\s))month|"
        r"month\s+to\s+date|mtd|"
        r"(?:(?<!dia\s)(?<!dias\s)(?<!mitad\s)del|(?:(?<=ido\s)|(?<=tal\s)|(?<=va\s))el)\s+mes"
        r"(?!\s+(?:pasado|anterior|que\s+viene|proximo|siguiente|actual|antepasado|de)))",
        _fixed(lambda t: _running("month", t)),
    ),
    (
        r"(?:(?:el\s+)?ano\s+(?:pasado|anterior)|(?:el\s+)?ultimo\s+ano|"
        r"(?:last|previous|past)\s+year)",
        _fixed(lambda t: _year(t.year - 1, t)),
    ),
    (
        r"(?:este\s+ano|ano\s+actual|(?:this|current)\s+year|"
        r"todo\s+(?:el|este)\s+ano(?!\s+(?:pasado|anterior|que\s+viene|proximo|siguiente|\d))|"
        r"(?:the\s+)?(?:whole|entire|full)\s+year|all\s+year|lo\s+que\s+(?:va|llevamos|vamos)\s+del?\s+ano|"
        r"year\s+to\s+date|ytd|"
        # "La peor semana del año" is this year's ("del año 2024", "del año pasado" are others).
        r"(?<!dia\s)(?<!mes\s)del\s+ano(?!\s+(?:pasado|anterior|que\s+viene|proximo|siguiente|"
        r"actual|antepasado|de|\d)))",
        _fixed(lambda t: _running("year", t)),
    ),
    (
        # "Los lunes" is every Monday, a grouping `intents.py` declines, not the last Monday.
        r"(?<!los\s)(?:el\s+)?(?:(last|previous)\s+)?(?:on\s+)?" + _WD
        + r"(?:\s+(pasado|anterior))?"
        r"|(?:el\s+)?" + _WD + r"\s+(pasado|anterior)",
        _weekday,
    ),
    (_M, _bare_month),
    (_Y, _year_match),
    # A day of the month alone ("el día 15", "on the 15th"): the latest such day; a whole date
    # ("el 15 de octubre") is read by the rules above first.
    (
        r"(?:el\s+)?dia\s+(\d{1,2})(?![\d.,:/])|(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)",
        _day_of_month,
    ),
)  # fmt: skip


# The word boundaries hold for every alternative of a rule ("mondays" is not "monday").
_COMPILED = tuple((re.compile(r"(?<![\w-])(?:" + p + r")(?![\w-])"), h) for p, h in _RULES)


def _year_back(day: date) -> date:
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else 31))


def _same_last_year(m: re.Match[str], prior: Period | None, today: date) -> Period | None:
    """ "The same month last year": the unit of the period written before it (or, alone, the
    one running today), a year earlier; whole, as "last month" is. "The same period last
    year" shifts the exact days (this year so far, alone)."""
    unit, base = m["unit"], (prior.start if prior else today)
    if unit in ("month", "mes"):
        return _month(base.year - 1, base.month, today)
    if unit in ("quarter", "trimestre"):
        return _quarter(base.year - 1, (base.month - 1) // 3 + 1, today)
    if unit in ("week", "semana"):
        year, week, _ = base.isocalendar()
        try:
            monday = date.fromisocalendar(year - 1, week, 1)
        except ValueError:  # week 53, which last year did not have
            monday = date.fromisocalendar(year - 1, 52, 1)
        return _week(monday, today)
    if unit in ("day", "dia"):
        return _one_day(_year_back(base))
    start, end = (prior.start, prior.end) if prior else (date(today.year, 1, 1), today)
    return Period(_year_back(start), _year_back(end), "range")


def _same_last_unit(m: re.Match[str], prior: Period | None, today: date) -> Period | None:
    """ "The same day last week", "el mismo día del mes pasado": the unit holding the day one
    week (or month) before the start of the period written before it (or today)."""
    unit, base = m["unit"], (prior.start if prior else today)
    if (m["shift"] or m["shift_es"] or m["shift_mes"]) in ("week", "semana"):
        day = base - timedelta(days=7)
    else:
        month0 = base.year * 12 + base.month - 2
        year, month = month0 // 12, month0 % 12 + 1
        day = date(year, month, min(base.day, _month(year, month, date.max).end.day))
    if unit in ("day", "dia"):
        return _one_day(day)
    if unit in ("week", "semana"):
        return _week(_monday(day), today)
    if unit in ("month", "mes"):
        return _month(day.year, day.month, today)
    if prior is None:
        return None
    shift = base - day
    return Period(prior.start - shift, prior.end - shift, "range")


def _one_before(_: re.Match[str], prior: Period | None, __: date) -> Period | None:
    """ "El mes pasado y el anterior", "this week and the one before": the period of the same
    kind just before the one written before it."""
    return prior.previous() if prior else None


def _this_one(_: re.Match[str], prior: Period | None, today: date) -> Period | None:
    """ "La semana pasada frente a esta", "last month vs this one": the period of the same kind
    running today."""
    return current(prior.kind, today) if prior else None


def _week_too(m: re.Match[str], prior: Period | None, today: date) -> Period | None:
    """ "La semana 46 con la 47", "week 46 and 47": the number alone is a week of the same year."""
    if prior is None or prior.kind != "week":
        return None
    try:
        return _week(date.fromisocalendar(prior.start.isocalendar().year, int(m["n"]), 1), today)
    except ValueError:
        raise BadPeriod(m["p"]) from None


Relative = Callable[[re.Match[str], "Period | None", date], "Period | None"]
_UNIT = r"(?P<unit>month|week|quarter|day|period|time|mes|semana|trimestre|dia|periodo)"
# Resolved against the period written before them; the span is the `p` group (a joining word
# before it stays in the text, as between any two periods).
_RELATIVE_RULES: tuple[tuple[str, Relative], ...] = (
    (
        r"(?P<p>(?:(?:the|el|la)\s+)?(?:same|mism[oa])\s+" + _UNIT + r"\s+(?:(?:of|in)\s+)?"
        r"(?:last\s+year|the\s+previous\s+year|the\s+year\s+before|a\s+year\s+(?:ago|earlier)"
        r"|del?\s+ano\s+(?:pasado|anterior)|hace\s+un\s+ano))",
        _same_last_year,
    ),
    (
        r"(?P<p>(?:(?:the|el|la)\s+)?(?:same|mism[oa])\s+" + _UNIT + r"\s+(?:(?:of|in)\s+)?"
        r"(?:last\s+(?P<shift>week|month)|(?:de\s+)?(?:la|el)\s+(?P<shift_es>semana|mes)\s+"
        r"(?:pasad[oa]|anterior)|del\s+(?P<shift_mes>mes)\s+(?:pasado|anterior)))",
        _same_last_unit,
    ),
    (
        r"(?:and|y|vs\.?|versus|against|with|con|frente\s+a|que|than)\s+"
        r"(?P<p>(?:(?:the|el|la|los|las)\s+)?"
        r"(?:one\s+before(?:\s+that)?|previous\s+ones?|anteriores|anterior|previ[oa]s?|pasad[oa]s?"
        r"|(?:week|month|quarter|year|day)\s+before(?!\s+last)(?:\s+that)?"
        r"|(?:semana|mes|trimestre|ano|dia)\s+(?:anterior|previ[oa])))",
        _one_before,
    ),
    (
        r"(?:and|y|vs\.?|versus|against|with|con|frente\s+a|que|than)\s+"
        r"(?P<p>esta|este|la\s+actual|el\s+actual|this\s+one|the\s+current\s+one)(?![\w-])(?!\s+\w)",
        _this_one,
    ),
    (
        r"(?:semana|week)\s+\d{1,2}\s+(?:and|y|e|vs\.?|versus|against|with|con|frente\s+a|to|al?|"
        r"hasta|through)\s+"
        r"(?P<p>(?:(?:the|la)\s+)?(?P<n>\d{1,2}))(?![\d/:.,%])"
        r"(?!\s*(?:de|del|of|st|nd|rd|th)(?![\w]))(?!\s+" + _MA + ")",
        _week_too,
    ),
)  # fmt: skip
_RELATIVE = tuple((re.compile(r"(?<![\w-])(?:" + p + r")(?![\w-])"), h) for p, h in _RELATIVE_RULES)

# English "may" is also a verb: a bare "may" counts only after a preposition.
_MAY_CONTEXT = re.compile(r"(?:in|en|during|durante|de|of|since|desde|for)\s+$")


def find_periods(folded: str, today: date) -> list[PeriodMatch]:
    """Every period written in the folded question, in reading order, without overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[PeriodMatch] = []
    relative: list[tuple[tuple[int, int], re.Match[str], Relative]] = []
    for pattern, resolve in _RELATIVE:
        for m in pattern.finditer(folded):
            span = m.span("p")
            if not any(span[0] < end and start < span[1] for start, end in taken):
                relative.append((span, m, resolve))
                taken.append(span)
    for pattern, handler in _COMPILED:
        for m in pattern.finditer(folded):
            span = m.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            if m[0] == "may" and not _MAY_CONTEXT.search(folded[: span[0]]):
                continue
            try:
                period = handler(m, today)
            except AmbiguousDate:
                raise
            except (OverflowError, ValueError):
                # "2024-02-30", or "the last 100000000 days" reaching back before year 1.
                raise BadPeriod(m[0]) from None
            if period is None:
                continue
            found.append(PeriodMatch(_ordered(period), span))
            taken.append(span)
    found.sort(key=lambda p: p.span)
    if relative:
        found = _resolve(found, relative, today)
    found = _days_of_week(folded, _join_ranges(folded, found, today))
    found = _shared_year(folded, found, today)
    if len(found) == 2 and found[0].period == found[1].period:
        # "The last 7 days compared to the previous 7 days": the second is the one before.
        found[1] = replace(found[1], period=found[0].period.previous())
    whole = len(found) == 2 and _WHOLE.search(folded, found[0].span[1], found[1].span[0] + 12)
    if (
        len(found) == 2
        and found[1].period.kind == "year"
        and found[0].period.kind in _IN_A_YEAR
        and not whole
    ):
        # "Noviembre de este año y del año pasado": November of each year, not all of the second
        # ("y en todo 2025" is the whole year).
        first, year = found[0].period, found[1].period.start.year
        found[1] = replace(found[1], period=_IN_A_YEAR[first.kind](first, year, today))
    return found


_YEAR_NUMBER = re.compile(r"\d{4}")
_NAME_ALONE = re.compile(
    r"(?:(?:el|la|the)\s+)?(?:" + _MA + r"|q[1-4]|(?:primer|primero|segundo|tercer|tercero|"
    r"cuarto|first|second|third|fourth)(?:\s+(?:trimestres?|quarters?|semestres?|half))?)"
)
_JOIN = re.compile(
    r"\s*(?:,|y|e|and|&|o|or|vs\.?|versus|frente\s+al?|contra|against|compared\s+(?:to|with)|"
    r"con|with|to|-)?\s*(?:el\s+|la\s+|the\s+)?"
)


def _shared_year(folded: str, found: list[PeriodMatch], today: date) -> list[PeriodMatch]:
    """ "Enero y febrero de 2024", "Q1 and Q2 2024", "Q1 2024 vs Q2": two months or two quarters
    joined by "y", "vs" and the like (`_share_year`)."""
    if len(found) != 2 or not _JOIN.fullmatch(folded, found[0].span[1], found[1].span[0]):
        return found
    return list(_share_year(folded, (found[0], found[1]), today))


def _share_year(
    folded: str, pair: tuple[PeriodMatch, PeriodMatch], today: date
) -> tuple[PeriodMatch, PeriodMatch]:
    """Two months or two quarters, one with its year written: that year holds for both (the
    other was this year's: "de octubre a noviembre de 2025" ran from November 2025 to October
    2026)."""
    kind = pair[0].period.kind
    if kind not in _IN_A_YEAR or pair[1].period.kind != kind:
        return pair
    written = [bool(_YEAR_NUMBER.search(folded, *m.span)) for m in pair]
    named = [bool(_NAME_ALONE.fullmatch(folded, *m.span)) for m in pair]
    # Only a month or quarter named alone takes the other's year ("October vs the same month
    # last year", "Q1 2024 and the one before" stay as they are).
    if written == [True, False] and named[1]:
        given, bare = 0, 1
    elif written == [False, True] and named[0]:
        given, bare = 1, 0
    else:
        return pair
    year = pair[given].period.start.year
    changed = replace(pair[bare], period=_IN_A_YEAR[kind](pair[bare].period, year, today))
    return (changed, pair[1]) if bare == 0 else (pair[0], changed)


_WHOLE = re.compile(r"(?<![\w])(?:tod[oa]|enter[oa]|complet[oa]|whole|all\s+of|full)(?![\w])")
# A month or quarter in another year: "(noviembre) del año pasado", "(Q3) de 2025".
_IN_A_YEAR = {
    "month": lambda p, year, today: _month(year, p.start.month, today),
    "quarter": lambda p, year, today: _quarter(year, (p.start.month + 2) // 3, today),
    "half": lambda p, year, today: _half_year(year, p.start.month == 1, today),
}


def _resolve(
    found: list[PeriodMatch],
    relative: list[tuple[tuple[int, int], re.Match[str], Relative]],
    today: date,
) -> list[PeriodMatch]:
    """`found` with the relative periods, each resolved against the period before it."""
    out: list[PeriodMatch] = []
    pending = sorted(relative, key=lambda r: r[0])
    for match in [*found, None]:
        while pending and (match is None or pending[0][0] < match.span):
            span, m, resolve = pending.pop(0)
            period = resolve(m, out[-1].period if out else None, today)
            if period is not None:
                out.append(PeriodMatch(period, span))
        if match is not None:
            out.append(match)
    return out


def _ordered(period: Period) -> Period:
    """ "del 15 al 1 de marzo" means the same days as "del 1 al 15 de marzo"."""
    if period.start <= period.end:
        return period
    return replace(period, start=period.end, end=period.start)


_RANGE_OPEN = re.compile(r"(?:entre|between|del?|from|desde)\s+(?:el\s+|the\s+)?$")
# "La diferencia entre octubre y noviembre", "compare between this week and last week": two
# periods, not one range.
_TWO_OPEN = re.compile(
    r"(?:diferencias?|difference|comparacion|comparison|compar\w*)(?:\s+[\w.]+){0,5}?\s+"
    r"(?:entre|between)\s+(?:el\s+|la\s+|the\s+)?$"
)
_RANGE_JOIN = re.compile(r"\s*(?:y|and|al?|to|hasta|until|through|-)\s+(?:el\s+|the\s+)?")
_SINCE = re.compile(r"(?<![\w-])(?:desde|since|a\s+partir\s+del?)\s+(?:el\s+|la\s+|the\s+)?$")
_SINCE_WORD = re.compile(r"(?:desde|since)\s")
_AFTER = re.compile(r"(?<![\w-])(?:after|despues\s+del?|tras)\s+(?:el\s+|la\s+|the\s+)?$")


_WEEKDAY_WORD = re.compile(r"(?<![\w])(?:" + "|".join(WEEKDAYS) + r")(?![\w])")
_OF_WEEK = re.compile(r"\s*(?:,\s*)?(?:(?:de|del|of|in|en)\s+)?(?:(?:la|el|the)\s+)?")


def _days_of_week(folded: str, found: list[PeriodMatch]) -> list[PeriodMatch]:
    """ "El lunes de la semana pasada", "Monday to Wednesday last week", "el viernes de hace dos
    semanas": those days of that week, not this week's days compared with that week."""
    out: list[PeriodMatch] = []
    for match in found:
        if (
            out
            and match.period.kind == "week"
            and _OF_WEEK.fullmatch(folded[out[-1].span[1] : match.span[0]])
        ):
            days = out[-1]
            monday = days.period.start - timedelta(days=days.period.start.weekday())
            same_week = (days.period.end - monday).days < 7
            if same_week and _WEEKDAY_WORD.search(folded, days.span[0], days.span[1]):
                shift = match.period.start - monday
                start, end = days.period.start + shift, days.period.end + shift
                period = Period(start, end, days.period.kind)
                out[-1] = PeriodMatch(period, (days.span[0], match.span[1]))
                continue
        out.append(match)
    return out


def _join_ranges(folded: str, found: list[PeriodMatch], today: date) -> list[PeriodMatch]:
    """ "entre el lunes y el miércoles" is one range, not two periods to compare; "desde el lunes"
    runs from Monday to today."""
    out: list[PeriodMatch] = []
    joined: set[int] = set()
    for match in found:
        # "desde septiembre hasta octubre": the "since" rule read "desde septiembre" to today.
        since = bool(out) and bool(_SINCE_WORD.match(folded, out[-1].span[0]))
        opened = out and _RANGE_OPEN.search(folded[: out[-1].span[0]])
        if out and (since or (opened and not _TWO_OPEN.search(folded[: out[-1].span[0]]))):
            between = folded[out[-1].span[1] : match.span[0]]
            if _RANGE_JOIN.fullmatch(between):
                first, match = _share_year(folded, (out.pop(), match), today)
                a, b = first.period, match.period
                end = b.end if since else max(a.end, b.end)
                period = Period(min(a.start, b.start), end, "range")
                out.append(PeriodMatch(period, (first.span[0], match.span[1])))
                joined.add(len(out) - 1)
                continue
        out.append(match)
    return [m if i in joined else _up_to_today(folded, m, today) for i, m in enumerate(out)]


def _up_to_today(folded: str, match: PeriodMatch, today: date) -> PeriodMatch:
    """ "desde hace 2 semanas", "since yesterday": from the period's start up to today; "after
    October 15", "después de octubre": from the day after it ends."""
    after = _AFTER.search(folded[: match.span[0]])
    if after and match.period.end < today:
        period = Period(match.period.end + timedelta(days=1), today, "range")
        return PeriodMatch(period, (after.start(), match.span[1]))
    since = _SINCE.search(folded[: match.span[0]])
    if since is None or not match.period.start <= today:
        return match
    return PeriodMatch(Period(match.period.start, today, "range"), (since.start(), match.span[1]))
