"""CSV for people who open it in a spreadsheet: a text cell is never read as a formula.

Exports hold text that came from outside (ticket categories and agent names from an import or
HubSpot, the email typed into a failed sign-in). A cell starting with `=`, `+`, `-`, `@`, a tab or
a carriage return would run as a formula in Excel, LibreOffice or Google Sheets (CSV injection),
so such a cell gets a leading `'`, which spreadsheets show as text (OWASP's advice). Numbers are
written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value`, with a `'` before text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def line(values: Iterable[Any]) -> str:
    """One CSV record (with its line end) of `values`."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(value) for value in values])
    return buffer.getvalue()
