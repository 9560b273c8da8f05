"""Incremental parsers: bytes in as they arrive, complete records out, memory bounded by one chunk.

Each `feed(chunk)` returns the records completed by that chunk as `(row, items)` pairs (row =
1-based record number, CSV header not counted) or a `RowError` for a record that cannot be read
at all. `close()` returns what the end of the body completes. A body that cannot go on (broken
JSON) raises `BodyError`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, Protocol

import ijson
import orjson

from cschat.tickets.ingest.normalise import Fields, RowError

Record = tuple[int, Iterable[tuple[str, Any]]] | RowError
# Why a CSV header cannot be read (the normaliser's `header_problem`), or None.
HeaderCheck = Callable[[tuple[str, ...]], str | None]
FORMATS = ("csv", "ndjson", "json")
MAX_RECORD_BYTES = 8 * 2**20
MEDIA_TYPES = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
}


# A field may be as long as a record (csv's own default limit is 128 KiB).
csv.field_size_limit(MAX_RECORD_BYTES)


class BodyError(ValueError):
    """The body cannot be parsed any further; the message says where. `records`: those the
    chunk completed before the break (kept like the earlier chunks' records)."""

    def __init__(self, message: str, records: list[Record] | None = None) -> None:
        super().__init__(message)
        self.records = records or []


class Parser(Protocol):
    mapping: Any

    def feed(self, chunk: bytes) -> list[Record]: ...

    def close(self) -> list[Record]: ...


class _Lines:
    """Splits bytes into complete lines, keeping the unfinished tail for the next chunk."""

    def __init__(self) -> None:
        self._tail: list[bytes] = []
        self._tail_size = 0
        self._first = True

    def split(self, chunk: bytes, final: bool = False) -> list[bytes]:
        # Only the new chunk is searched, so a long line costs linear time, not quadratic.
        end = len(chunk) if final else chunk.rfind(b"\n") + 1
        if not end and not final:
            self._tail.append(chunk)
            self._tail_size += len(chunk)
            if self._tail_size > MAX_RECORD_BYTES:
                raise BodyError(f"a line is longer than {_MB} MB")
            return []
        data = b"".join((*self._tail, chunk[:end]))
        self._tail, self._tail_size = [chunk[end:]], len(chunk) - end
        if not data:
            return []
        lines = data.split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        if self._first and lines:
            self._first = False
            lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
        return lines


class CsvParser:
    """RFC 4180 CSV with a header row; quoted fields may span lines."""

    mapping = None

    def __init__(self, check_header: HeaderCheck | None = None) -> None:
        self._check_header = check_header
        self._lines = _Lines()
        self._header: tuple[str, ...] | None = None
        self._nul_free = True
        self._pending: list[str] = []
        self._pending_size = 0
        self._quotes = 0
        self._row = 0

    def _records(self, lines: list[bytes]) -> tuple[list[str], bool]:
        """Complete records as text, and whether some line was not UTF-8 (marked `_BAD_LINE`)."""
        try:
            texts = b"\n".join(lines).decode().split("\n") if lines else []
            broken = False
        except UnicodeDecodeError:
            texts, broken = [_decode(line) for line in lines], True
        # A record ends at a newline when it holds an even number of quotes (RFC 4180 escaping).
        records: list[str] = []
        pending = self._pending
        for text in texts:
            quotes = text.count('"')
            if pending:
                pending.append(text)
                self._quotes += quotes
                self._pending_size += len(text)
                if self._quotes % 2 == 0:
                    records.append("\n".join(pending))
                    pending.clear()
                elif self._pending_size > MAX_RECORD_BYTES:
                    # A quote that never closes: report it once and read on from the next line.
                    records.append(_RUNAWAY)
                    pending.clear()
            elif quotes % 2:
                pending.append(text)
                self._quotes = quotes
                self._pending_size = len(text)
            else:
                records.append(text)
        return records, broken or _RUNAWAY in records

    def _parse(self, records: list[str], slow: bool) -> list[Record]:
        out: list[Record] = []
        # The normaliser's fast path takes `Fields` only without NUL (one scan per chunk; the
        # markers of the slow path hold NUL too).
        self._nul_free = "\x00" not in "".join(records)
        if slow:
            for record in records:
                if _BAD_LINE in record:
                    self._row += 1
                    out.append(RowError(self._row, None, "not valid UTF-8"))
                elif record is _RUNAWAY:
                    self._row += 1
                    message = f"broken CSV quoting: a quoted field runs past {_MB} MB"
                    out.append(RowError(self._row, None, message))
                else:
                    self._parse_run([record], out)
        else:
            self._parse_run(records, out)
        return out

    def _parse_run(self, records: list[str], out: list[Record]) -> None:
        remaining = iter(records)
        while True:
            try:
                for fields in csv.reader(remaining, strict=True):
                    self._take(fields, out)
                return
            except csv.Error as exc:
                # The reader consumed the broken record; a new reader goes on after it.
                self._row += 1
                out.append(RowError(self._row, None, f"broken CSV quoting: {exc}"))

    def _take(self, fields: list[str], out: list[Record]) -> None:
        if not fields or fields == [""]:
            return
        if self._header is None:
            self._header = tuple(name.strip() for name in fields)
            duplicates = sorted({n for n in self._header if self._header.count(n) > 1})
            if duplicates:
                names = ", ".join(n or "(an empty name)" for n in duplicates)
                raise BodyError(f"CSV header repeats column(s): {names}")
            problem = self._check_header and self._check_header(self._header)
            if problem:
                raise BodyError(f"CSV header: {problem}")
            return
        self._row += 1
        if len(fields) != len(self._header):
            message = f"has {len(fields)} fields, the header has {len(self._header)}"
            out.append(RowError(self._row, None, message))
            return
        if self._nul_free:
            out.append((self._row, Fields(self._header, fields)))
        else:
            out.append((self._row, zip(self._header, fields, strict=True)))

    def feed(self, chunk: bytes) -> list[Record]:
        return self._parse(*self._records(self._lines.split(chunk)))

    def close(self) -> list[Record]:
        out = self._parse(*self._records(self._lines.split(b"", final=True)))
        if self._pending:
            self._row += 1
            self._pending.clear()
            out.append(RowError(self._row, None, "broken CSV quoting: a quoted field never ends"))
        return out


_BAD_LINE = "\x00not-utf-8\x00"
_RUNAWAY = "\x00runaway-quote\x00"
_MB = MAX_RECORD_BYTES // 2**20


def _decode(line: bytes) -> str:
    try:
        return line.decode()
    except UnicodeDecodeError:
        return _BAD_LINE


# An integer beyond 64 bits: orjson reads it as a float (not exactly), so NDJSON lines that may
# hold one go to json. It has 19 digits in a row: one C-speed pass per chunk (~0.5 ns a byte)
# finds the chunks that may hold one, so records are not looked at one by one. yajl, the JSON
# body's parser, refuses such a number, which ends that body (`JsonParser._send` says so).
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_RUN = b"0" * 19


def _long_number(data: bytes) -> bool:
    return _LONG_RUN in data.translate(_DIGITS)


class NdjsonParser:
    """One JSON object per line; blank lines are skipped."""

    mapping = None

    def __init__(self) -> None:
        self._lines = _Lines()
        self._row = 0

    def _parse(self, lines: list[bytes]) -> list[Record]:
        out: list[Record] = []
        loads = _orjson_exact if lines and _long_number(b"\n".join(lines)) else orjson.loads
        for line in lines:
            if not line.strip():
                continue
            self._row += 1
            try:
                value = loads(line)
            except orjson.JSONDecodeError:
                # orjson refuses a few valid documents (numbers beyond a double, and, from
                # `_orjson_exact`, integers beyond 64 bits); json reads them or says why not.
                try:
                    value = _json_loads(line)
                except ValueError as exc:
                    out.append(RowError(self._row, None, f"not valid JSON: {exc}"))
                    continue
            out.append(_object(self._row, value))
        return out

    def feed(self, chunk: bytes) -> list[Record]:
        return self._parse(self._lines.split(chunk))

    def close(self) -> list[Record]:
        return self._parse(self._lines.split(b"", final=True))


def _orjson_exact(line: bytes) -> Any:
    """orjson's reading of a line, refused when it may hold an integer beyond 64 bits (which
    orjson would read as a float, inexactly)."""
    if _long_number(line):
        raise orjson.JSONDecodeError("an integer beyond 64 bits", "", 0)
    return orjson.loads(line)


def _json_loads(line: bytes) -> Any:
    """json's reading of a line that orjson refused; ValueError saying why there is none."""
    try:
        value = json.loads(line)
        # json lets through lone surrogates (\ud800), which no database can store as UTF-8.
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate (\\ud800-\\udfff)") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return value


def _object(row: int, value: Any) -> Record:
    if not isinstance(value, dict):
        return RowError(row, None, "expected a JSON object")
    return (row, value.items())


# An object body that has given no ticket yet is kept up to this size, to tell at its end
# `{"tickets": []}` (nothing to load) from an object without a "tickets" array (a mistake).
_PROBE_BYTES = 2**20


class JsonParser:
    """A JSON array of objects, or `{"mapping": {...}, "tickets": [...]}` (mapping first)."""

    def __init__(self) -> None:
        self.mapping: Any = None
        self._object = False
        self._probe: bytes | None = b""
        self._items: list[Any] = ijson.sendable_list()
        self._mappings: list[Any] = ijson.sendable_list()
        self._coros: list[Any] = []
        self._row = 0
        self._started = False
        self._head = b""

    def _start(self, chunk: bytes) -> bytes:
        head = (self._head + chunk).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head:
            self._head = b""
            return b""
        self._started = True
        if head[:1] == b"[":
            self._coros = [ijson.items_coro(self._items, "item", use_float=True)]
        elif head[:1] == b"{":
            self._object = True
            self._coros = [
                ijson.items_coro(self._items, "tickets.item", use_float=True),
                ijson.items_coro(self._mappings, "mapping", use_float=True),
            ]
        else:
            raise BodyError('expected a JSON array of tickets or {"tickets": [...]}')
        return head

    def _drain(self) -> list[Record]:
        if self._mappings:
            if self._row:
                raise BodyError('"mapping" must come before "tickets" in the JSON body')
            self.mapping = self._mappings[0]
            del self._mappings[:]
        out: list[Record] = []
        for value in self._items:
            self._row += 1
            out.append(_object(self._row, value))
        del self._items[:]
        return out

    def _send(self, chunk: bytes, close: bool = False) -> None:
        # Every coroutine reads the chunk up to a break, so the mapping and the tickets before
        # it are both known.
        failure: Exception | None = None
        for coro in self._coros:
            try:
                if chunk:
                    coro.send(chunk)
                if close:
                    coro.close()
            except (ijson.JSONError, UnicodeDecodeError) as exc:
                failure = failure or exc
        if isinstance(failure, UnicodeDecodeError):  # how yajl reports a lone surrogate (\ud800)
            self._break("a string is not valid Unicode")
        if failure is not None:
            first_line = str(failure).splitlines()[0] if str(failure) else "unexpected end"
            if "integer overflow" in first_line:
                first_line = (
                    "a number beyond 64 bits (send long ids as strings, or the tickets as "
                    "NDJSON, which reads them)"
                )
            self._break(first_line)

    def _break(self, reason: str) -> NoReturn:
        """The body cannot go on: the records read before the break go with the error."""
        records = self._drain()
        raise BodyError(f"not valid JSON after row {self._row}: {reason}", records) from None

    def feed(self, chunk: bytes) -> list[Record]:
        if not self._started:
            chunk = self._start(chunk)
        self._send(chunk)
        out = self._drain()
        if self._object and self._probe is not None and not self._row:
            # None past the bound: an object that long without one ticket is refused at close.
            self._probe += chunk
            if len(self._probe) > _PROBE_BYTES:
                self._probe = None
        return out

    def close(self) -> list[Record]:
        if not self._started:
            return []
        self._send(b"", close=True)
        out = self._drain()
        probe = self._probe
        if self._object and not self._row and (probe is None or not _has_tickets(probe)):
            raise BodyError('expected a "tickets" array in the JSON object: {"tickets": [...]}')
        return out


def _has_tickets(body: bytes) -> bool:
    """Whether the JSON object `body` (valid: ijson has read it) has a "tickets" array."""
    try:
        return isinstance(orjson.loads(body).get("tickets"), list)
    except orjson.JSONDecodeError:  # e.g. integers orjson refuses; ijson took it as valid
        return isinstance(json.loads(body).get("tickets"), list)


def make_parser(fmt: str, check_header: HeaderCheck | None = None) -> Parser:
    """A fresh parser for `csv` (its header checked by `check_header`), `ndjson` or `json`."""
    if fmt == "csv":
        return CsvParser(check_header)
    parsers: dict[str, type[Parser]] = {"ndjson": NdjsonParser, "json": JsonParser}
    return parsers[fmt]()
