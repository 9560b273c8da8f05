"""Python CPU per CSV row on the ingest path, in process: parse, normalise, the upsert's row prep.

Writes N demo tickets as `bench/ingest.py`'s CSV, feeds it in 64 KiB chunks (what uvicorn hands
the endpoint) through the CSV parser and the normaliser, keeping batches of rows alive as the
service does, and times the per-row work for SQLite's multi-row upsert (`_sqlite_params`) and for
PostgreSQL's binary COPY (psycopg's row formatter, as `copy.write_row` runs it, no server).
Baseline: `csv.reader` alone over the same text, the floor for parsing CSV in Python. CPU time
(`process_time`), so other processes on the machine count less; the cyclic collector is set up
as in the server. Prints one JSON line: microseconds per row per step, and parse + normalise
over the floor.

    python bench/ingest_cpu.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from _common import TZ
from ingest import write_files
from psycopg._copy_base import BinaryFormatter
from psycopg.adapt import AdaptersMap, Transformer
from psycopg.pq import Format
from psycopg.types.json import set_json_dumps

from cschat.core.db import utcnow
from cschat.main import freeze_startup_heap
from cschat.tickets import upsert
from cschat.tickets.ingest import mapping
from cschat.tickets.ingest.normalise import Normaliser, RowError
from cschat.tickets.ingest.parsers import CsvParser
from cschat.tickets.ingest.service import ingest_settings

CHUNK = 64 * 1024
BATCH_ROWS = 10_000


class _AdaptContext:
    """What a cursor gives psycopg's adapters: our JSON dumps, no connection."""

    def __init__(self) -> None:
        self.adapters = AdaptersMap(psycopg.adapters)
        self.connection = None


def copy_formatter() -> BinaryFormatter:
    """A binary COPY row formatter set up as `upsert._copy_stage` sets up its cursor."""
    context = _AdaptContext()
    set_json_dumps(upsert._json_bytes, context=context)
    transformer = Transformer(context)
    oids = [context.adapters.types.get_oid(name) for name in upsert._PG_TYPES]
    transformer.set_dumper_types(oids, Format.BINARY)
    return BinaryFormatter(transformer)


def floor_seconds(data: bytes) -> tuple[float, int]:
    start = time.process_time()
    rows = sum(1 for _ in csv.reader(io.StringIO(data.decode(), newline=""))) - 1
    return time.process_time() - start, rows


def pipeline_seconds(data: bytes) -> dict[str, Any]:
    """Seconds spent per step over the whole upload, and the row count."""
    parser = CsvParser()
    normaliser = Normaliser(mapping.parse(None), tz=TZ, default_source="bench")
    stamp = upsert._sqlite_datetime(utcnow())
    formatter = copy_formatter()
    seconds = dict.fromkeys(("parse", "normalise", "sqlite_params", "copy_row"), 0.0)
    batch: list[tuple[Any, ...]] = []
    rows = 0

    def prepare(batch: list[tuple[Any, ...]]) -> None:
        start = time.process_time()
        params = upsert._sqlite_params(batch, stamp)
        middle = time.process_time()
        copies = [formatter.write_row(row) for row in batch]
        seconds["sqlite_params"] += middle - start
        seconds["copy_row"] += time.process_time() - middle
        del params, copies

    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    for chunk in [*chunks, None]:
        start = time.process_time()
        records = parser.feed(chunk) if chunk is not None else parser.close()
        middle = time.process_time()
        for record in records:
            if isinstance(record, RowError):
                raise SystemExit(f"refused: {record}")
            row = normaliser.normalise(*record)
            if isinstance(row, list):
                raise SystemExit(f"refused: {row}")
            batch.append(row)
        seconds["parse"] += middle - start
        seconds["normalise"] += time.process_time() - middle
        rows += len(records)
        if len(batch) >= BATCH_ROWS or chunk is None:
            prepare(batch)
            batch = []
    return {"rows": rows, **seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        upload, _ = write_files(args.rows, Path(tmp))
        data = upload.read_bytes()
    floor, floor_rows = floor_seconds(data)
    # The collector as in the server: the heap frozen after startup, the ingest's threshold.
    freeze_startup_heap()
    with ingest_settings:
        measured = pipeline_seconds(data)
    rows = measured.pop("rows")
    assert rows == floor_rows == args.rows, (rows, floor_rows)
    per_row = {f"{step}_us": round(s / rows * 1e6, 2) for step, s in measured.items()}
    parse_normalise = (measured["parse"] + measured["normalise"]) / rows * 1e6
    result = {
        "bench": "ingest_cpu",
        "rows": rows,
        "csv_reader_floor_us": round(floor / rows * 1e6, 2),
        **per_row,
        "parse_normalise_us": round(parse_normalise, 2),
        "ratio_vs_floor": round(parse_normalise / (floor / rows * 1e6), 1),
        "target_parse_normalise_us": 15,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
