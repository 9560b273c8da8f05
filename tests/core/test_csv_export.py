"""CSV exports: text a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io

import pytest

from cschat.core import csv_export


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Billing", "Billing"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_starts_a_formula_is_quoted(value: str, written: str) -> None:
    [row] = csv.reader(io.StringIO(csv_export.line([value]), newline=""))
    assert row == [written]


def test_numbers_and_empty_cells_are_written_as_they_are() -> None:
    assert csv_export.line([-5, 2.5, None, "x"]) == "-5,2.5,,x\r\n"
