"""Parsers and the normaliser on their own: chunk boundaries, time zones, DST, derivations."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cschat.tickets.ingest import mapping
from cschat.tickets.ingest.normalise import Normaliser, RowError
from cschat.tickets.ingest.parsers import BodyError, make_parser
from cschat.tickets.models import ROW_COLUMNS

MADRID = ZoneInfo("Europe/Madrid")


def feed_in_pieces(fmt: str, body: bytes, size: int) -> list[Any]:
    parser = make_parser(fmt)
    out: list[Any] = []
    for start in range(0, len(body), size):
        out.extend(parser.feed(body[start : start + size]))
    out.extend(parser.close())
    return [r if isinstance(r, RowError) else (r[0], dict(r[1])) for r in out]


CSV = (
    "\ufeffid,subject,notes\r\n"
    '1,"Hola, ¿qué tal?","two\nlines ""quoted"""\r\n'
    "\r\n"
    "2,Ünïcode ✓,last"  # no final newline
).encode()


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_csv_records_survive_any_chunking(size: int) -> None:
    assert feed_in_pieces("csv", CSV, size) == [
        (1, {"id": "1", "subject": "Hola, ¿qué tal?", "notes": 'two\nlines "quoted"'}),
        (2, {"id": "2", "subject": "Ünïcode ✓", "notes": "last"}),
    ]


@pytest.mark.parametrize("size", [1, 5, 10_000])
def test_json_and_ndjson_records_survive_any_chunking(size: int) -> None:
    rows = [{"id": i, "subject": "¿qué? ✓", "n": 1.5} for i in range(3)]
    as_json = json.dumps({"tickets": rows}, ensure_ascii=False).encode()
    as_ndjson = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    expected = [(i + 1, row) for i, row in enumerate(rows)]
    assert feed_in_pieces("json", as_json, size) == expected
    assert feed_in_pieces("ndjson", as_ndjson, size) == expected


def test_bad_records_are_row_errors_and_broken_json_stops() -> None:
    out = feed_in_pieces("ndjson", b'{"id": 1}\n{"id": \n[1]\n', 4)
    assert out[0] == (1, {"id": 1})
    assert [(e.row, e.field) for e in out[1:]] == [(2, None), (3, None)]
    assert "object" in out[2].message
    with pytest.raises(BodyError, match="not valid JSON after row 1"):
        feed_in_pieces("json", b'[{"id": 1}, {"id": ]', 3)
    with pytest.raises(BodyError, match="expected a JSON array"):
        feed_in_pieces("json", b'"hello"', 3)
    with pytest.raises(BodyError, match="repeats column"):
        feed_in_pieces("csv", b"id,id\n1,2\n", 100)


def test_broken_json_gives_the_records_its_chunk_completed_before_the_break() -> None:
    parser = make_parser("json")
    with pytest.raises(BodyError, match="not valid JSON after row 2") as raised:
        parser.feed(b'{"tickets": [{"id": 1}, {"id": 2}, {"id": ]}')
    assert raised.value.records == [(1, {"id": 1}.items()), (2, {"id": 2}.items())]
    parser = make_parser("json")
    assert parser.feed(b'[{"id": 1}, {"id"') == [(1, {"id": 1}.items())]
    with pytest.raises(BodyError, match="after row 1") as raised:
        parser.close()
    assert raised.value.records == []


@pytest.mark.parametrize(
    "body", [b"{}", b'{"x": 1}', b'{"tickets": 1}', b'{"tickets": {"a": 1}}', b'{"ticket": []}']
)
def test_a_json_object_without_a_tickets_array_is_refused(body: bytes) -> None:
    with pytest.raises(BodyError, match='"tickets" array'):
        feed_in_pieces("json", body, 3)


def test_a_json_object_with_no_tickets_is_empty_not_refused() -> None:
    assert feed_in_pieces("json", b'{"mapping": {"id": "external_id"}, "tickets": []}', 4) == []
    assert feed_in_pieces("json", b"  ", 1) == []
    # Past the probe's bound without a ticket: refused without keeping the whole body.
    big = b'{"x": "' + b"a" * (2**20 + 10) + b'"}'
    with pytest.raises(BodyError, match='"tickets" array'):
        feed_in_pieces("json", big, 65536)


def test_csv_header_names_an_empty_repeated_column() -> None:
    with pytest.raises(BodyError, match=r"repeats column\(s\): \(an empty name\)"):
        feed_in_pieces("csv", b"id,,\n1,2,3\n", 100)


def test_a_csv_field_may_be_longer_than_csv_s_default_limit() -> None:
    text = "x" * 200_000
    body = f'id,description\n1,{text}\n2,"{text}"\n'.encode()
    out = feed_in_pieces("csv", body, 65536)
    assert out == [(1, {"id": "1", "description": text}), (2, {"id": "2", "description": text})]


def normalise(row: dict[str, Any], tz: ZoneInfo = MADRID, **mapped: Any) -> dict[str, Any]:
    normaliser = Normaliser(mapping.from_object(mapped or {}), tz=tz, default_source="ingest")
    out = normaliser.normalise(1, row.items())
    if isinstance(out, list):
        return {"errors": [(e.field, e.message) for e in out]}
    return dict(zip(ROW_COLUMNS, out, strict=True))


def test_naive_times_read_in_the_zone_offsets_respected() -> None:
    assert normalise({"external_id": "1", "created_at": "2024-07-01 12:00"})[
        "created_at"
    ] == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert normalise({"external_id": "1", "created_at": "2024-07-01T12:00:00-05:00"})[
        "created_at"
    ] == datetime(2024, 7, 1, 17, tzinfo=UTC)
    assert normalise({"external_id": "1", "created_at": "2024-07-01T12:00:00Z"})[
        "created_at"
    ] == datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert normalise({"external_id": "1", "created_at": "2024-12-01"})["created_at"] == datetime(
        2024, 11, 30, 23, tzinfo=UTC
    )


def test_dst_gap_moves_forward_and_fold_takes_the_first_occurrence() -> None:
    # 2024-03-31 02:30 does not exist in Madrid (clocks jump 02:00 -> 03:00).
    gap = normalise({"external_id": "1", "created_at": "2024-03-31 02:30"})["created_at"]
    assert gap == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert gap.astimezone(MADRID).strftime("%H:%M %Z") == "03:30 CEST"
    # 2024-10-27 02:30 happens twice in Madrid: the first one (CEST, UTC+2) is taken.
    fold = normalise({"external_id": "1", "created_at": "2024-10-27 02:30"})["created_at"]
    assert fold == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def test_durations_and_times_derive_each_other() -> None:
    base = {"external_id": "1", "created_at": "2024-07-01T10:00:00Z"}
    both = normalise({**base, "resolved_at": "2024-07-01T12:30:00Z", "first_response_seconds": 90})
    assert both["resolution_minutes"] == 150.0 and both["status"] == "resolved"
    assert both["first_response_minutes"] == 1.5
    assert both["first_response_at"] == datetime(2024, 7, 1, 10, 1, 30, tzinfo=UTC)
    closed = normalise({**base, "status": "Closed", "resolution_hours": "0.5"})
    assert closed["resolved_at"] == datetime(2024, 7, 1, 10, 30, tzinfo=UTC)
    open_ = normalise({**base, "status": "open", "resolution_hours": 2})
    assert open_["resolved_at"] is None and open_["resolution_minutes"] == 120.0
    assert open_["status"] == "open"
    assert normalise(base)["status"] == "new"


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"csat": "4.5"}, "csat", "whole number"),
        ({"csat": True}, "csat", "number"),
        ({"resolution_minutes": "nan"}, "resolution_minutes", "finite"),
        ({"subject": {"a": 1}}, "subject", "text"),
        ({"priority": "x" * 65}, "priority", "64"),
        ({"created_at": 1700000000}, "created_at", "ISO 8601"),
        ({"status": "Done"}, "status", "allowed"),
        ({"tags": 5}, "tags", "list"),
        ({"subject": "a\x00b"}, "subject", "NUL"),
        ({"external_id": " "}, "external_id", "required"),
        ({"tags": ["ok", "a\x00b"]}, "tags", "NUL"),
        ({"tags": "ok,a\x00b"}, "tags", "NUL"),
        ({"resolution_hours": 1e308}, "resolution_hours", "too large"),
        ({"resolution_minutes": "1e10", "status": "closed"}, "resolution_minutes", "too large"),
        ({"first_response_hours": "1e9"}, "first_response_hours", "too large"),
        (
            {
                "created_at": "9998-12-31T00:00:00Z",
                "resolution_minutes": "5000",
                "status": "closed",
            },
            "resolved_at",
            "out of range",
        ),
    ],
)
def test_wrong_values_name_their_field(row: dict[str, Any], field: str, words: str) -> None:
    base = {"external_id": "1", "created_at": "2024-07-01T10:00:00Z"}
    errors = normalise({**base, **row})["errors"]
    assert [f for f, _ in errors] == [field]
    assert words in errors[0][1]


def test_status_map_and_attribute_renames() -> None:
    out = normalise(
        {"external_id": "1", "created_at": "2024-07-01", "estado": "Cerrado", "pais": "ES"},
        columns={"estado": "status", "pais": "attributes.country"},
        status_map={"cerrado": "closed"},
    )
    assert out["status"] == "closed" and out["attributes"] == {"country": "ES"}


def test_mapping_text_forms() -> None:
    short = mapping.parse("a=external_id, b=created_at ,c=-")
    assert short.columns == {"a": "external_id", "b": "created_at", "c": None}
    assert mapping.parse('{"a": "subject"}').columns == {"a": "subject"}
    preset = mapping.parse("@customer-support-analytics")
    assert preset.columns["ticket_id"] == "external_id"
    with pytest.raises(mapping.MappingError, match="not col=field"):
        mapping.parse("a")
    # One column given two targets: neither is dropped silently.
    with pytest.raises(mapping.MappingError, match="column 'a' is mapped twice"):
        mapping.parse("a=external_id,b=subject, a =created_at")
    with pytest.raises(mapping.MappingError, match="'a' is given twice"):
        mapping.parse('{"a": "external_id", "a": "subject"}')


def test_nul_characters_in_kept_columns_are_refused() -> None:
    base = {"external_id": "1", "created_at": "2024-07-01T10:00:00Z"}
    assert normalise({**base, "note": "a\x00"})["errors"] == [("note", "contains a NUL character")]
    nested = normalise({**base, "attributes": {"k": ["x\x00"]}})["errors"]
    assert nested == [("attributes", "contains a NUL character")]


def test_runaway_quotes_and_endless_lines_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from cschat.tickets.ingest import parsers

    monkeypatch.setattr(parsers, "MAX_RECORD_BYTES", 200)
    body = b'id,subject\n1,"opens\n' + b"more text\n" * 40 + b"2,fine\n"
    out = feed_in_pieces("csv", body, 16)
    assert isinstance(out[0], RowError) and "quoted field runs past" in out[0].message
    assert out[-1] == (out[-1][0], {"id": "2", "subject": "fine"})
    with pytest.raises(BodyError, match="line is longer"):
        feed_in_pieces("ndjson", b"x" * 1000, 10)


def test_csv_records_normalise_as_their_dict_form() -> None:
    # CSV records take the normaliser's per-header path: same rows, same errors in the same order.
    header = "id,created,resolved_at,state,resolution_hours,csat,tags,language,source,note\n"
    lines = [
        '1,2024-03-31 02:30,,Solved,1.5,4.0," a, ,b",es, crm ,x',
        "2,2024-07-01T10:00:00Z,2024-07-01T09:00:00Z,closed,,,,,,",
        "3,2024-07-01,,Done,-1,6,,spanish-language-x,,",
        "4,not a date,,open,nan,2.5,,,,",
        ",2024-07-01,2024-07-02,,,,,,,",
        "6,,,,,,,,,",
        "7,2024-07-01,,in-progress,1e999,5,,,,long" + "x" * 300,
        "8,2024-07-01,,NEW,,,,,,",
        "9,2024-07-01,,closed,,,,spanish-language-x,,",
        "10,2024-07-01 25:00,,open,,,,,,",
        "11,2024-07-01,,open,-1,,,,,",
        "12,2024-07-01,,open,,4.5,,,,",
    ] * 2  # statuses seen before take the per-header path
    body = (header + "\n".join(lines) + "\n").encode()
    mapped = mapping.from_object(
        {
            "columns": {"id": "external_id", "created": "created_at", "state": "status"},
            "status_map": {"Solved": "resolved"},
        }
    )
    csv_path = Normaliser(mapped, tz=MADRID, default_source="ingest")

    def both(body: bytes) -> tuple[list[Any], list[Any]]:
        general = Normaliser(mapped, tz=MADRID, default_source="ingest")
        pairs = feed_in_pieces("csv", body, len(body))
        expected = [general.normalise(row, items.items()) for row, items in pairs]
        got = []
        for record in make_parser("csv").feed(body):
            assert not isinstance(record, RowError)
            got.append(csv_path.normalise(*record))
        return got, expected

    got, expected = both(body)
    assert got == expected and len(got) == len(lines)
    # A chunk holding a NUL goes the general way, which refuses it.
    got, expected = both(body.replace(b",x\n", b",x\x00\n"))
    assert got == expected and got[0] == [RowError(1, "note", "contains a NUL character")]


@pytest.mark.parametrize(
    ("text", "columns", "target"),
    [
        ("Ticket ID=external_id,Ref=external_id", ("Ticket ID", "Ref"), "external_id"),
        ('{"a": "resolution_hours", "b": "resolution_minutes"}', ("a", "b"), "resolution_minutes"),
        ('{"columns": {"x": "attributes.k", "y": "attributes.k"}}', ("x", "y"), "attributes.k"),
    ],
)
def test_a_mapping_sending_two_columns_to_one_target_is_refused(
    text: str, columns: tuple[str, str], target: str
) -> None:
    with pytest.raises(mapping.MappingError) as refused:
        mapping.parse(text)
    message = str(refused.value)
    assert all(f"'{column}'" in message for column in columns) and target in message


def test_csv_header_with_a_mapped_and_a_same_named_column_is_refused() -> None:
    taken = Normaliser(mapping.parse("Ticket ID=external_id"), tz=MADRID, default_source="ingest")
    body = b"Ticket ID,external_id,created_at\nT1,OTHER,2024-07-01\n"
    with pytest.raises(BodyError, match=r"'Ticket ID' and 'external_id'.*external_id"):
        make_parser("csv", check_header=taken.header_problem).feed(body)
    aliases = Normaliser(mapping.Mapping(), tz=MADRID, default_source="ingest")
    both_units = b"external_id,created_at,resolution_hours,resolution_minutes\n"
    with pytest.raises(BodyError, match="'resolution_hours' and 'resolution_minutes'"):
        make_parser("csv", check_header=aliases.header_problem).feed(both_units)
    renamed = Normaliser(
        mapping.parse("Ticket ID=external_id,external_id=attributes.old_id"),
        tz=MADRID,
        default_source="ingest",
    )
    [record] = make_parser("csv", check_header=renamed.header_problem).feed(body)
    assert not isinstance(record, RowError)
    row = dict(zip(ROW_COLUMNS, renamed.normalise(*record), strict=True))
    assert row["external_id"] == "T1" and row["attributes"] == {"old_id": "OTHER"}


def test_a_json_record_with_a_mapped_and_a_same_named_column_is_that_row_s_error() -> None:
    out = normalise(
        {"Ticket ID": "T1", "external_id": "OTHER", "created_at": "2024-07-01"},
        columns={"Ticket ID": "external_id"},
    )
    [(field, message)] = out["errors"]
    assert field == "external_id" and "'Ticket ID'" in message and "external_id" in message


BIG = 123456789012345678901234567890


@pytest.mark.parametrize("size", [1, 7, 64, 10_000])
def test_numbers_beyond_64_bits_are_read_exactly_from_ndjson(size: int) -> None:
    rows: list[dict[str, Any]] = [
        {"id": BIG, "n": -(2**63), "deep": {"k": [2**64, 1.5]}},
        {"id": "x", "note": "12345678901234567890123, 1e999 \u00e9", "big": 1e300},
        {"id": 9223372036854775807, "huge": -BIG},
    ]
    as_ndjson = "\n".join(json.dumps(r) for r in rows).encode()
    assert feed_in_pieces("ndjson", as_ndjson, size) == [(i + 1, r) for i, r in enumerate(rows)]


def test_a_json_body_with_a_number_beyond_64_bits_ends_saying_so() -> None:
    # yajl refuses it: the body ends there, with what to do instead.
    body = json.dumps([{"id": 1}, {"id": BIG}]).encode()
    with pytest.raises(BodyError, match=r"a number beyond 64 bits.*NDJSON"):
        feed_in_pieces("json", body, 10_000)


def test_a_long_number_beyond_a_double_is_read_as_json_reads_it() -> None:
    huge = b"1" + b"0" * 400 + b".5"
    body = b'[{"id": 1, "csat": ' + huge + b'}, {"id": 2, "csat": -' + huge + b'}, {"id": 3}]'
    expected = [(1, {"id": 1, "csat": math.inf}), (2, {"id": 2, "csat": -math.inf}), (3, {"id": 3})]
    lines = body[1:-1].replace(b"}, {", b"}\n{")
    assert feed_in_pieces("ndjson", lines, 5) == expected


def test_an_integer_too_long_to_convert_is_that_row_s_error_in_ndjson() -> None:
    rows = [b'{"id": 1, "n": 1' + b"0" * 5000 + b"}", b'{"id": 2}']
    out = feed_in_pieces("ndjson", b"\n".join(rows), 4096)
    assert isinstance(out[0], RowError) and (out[0].row, out[0].field) == (1, None)
    assert "not valid JSON" in out[0].message and "digits" in out[0].message
    assert out[1] == (2, {"id": 2})
