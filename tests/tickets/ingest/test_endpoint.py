"""POST /data/ingest: formats, validation per row, upsert counts, auth, limits, idempotency."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select

from cschat.core.config import Settings
from cschat.core.db import Database
from cschat.main import create_app
from cschat.tickets import search
from cschat.tickets.ingest.models import IngestBatch
from cschat.tickets.ingest.repository import last_ingest
from cschat.tickets.models import Ticket
from tests.tickets.conftest import documents
from tests.tickets.ingest.conftest import BATCH_ROWS, KEY

CSV = "text/csv"
NDJSON = "application/x-ndjson"
JSON = "application/json"


def csv_body(*rows: str, header: str = "id,created,status,resolution_hours,csat") -> str:
    return "\n".join((header, *rows)) + "\n"


SHORT_MAP = "id=external_id,created=created_at"


async def post(
    client: httpx.AsyncClient,
    body: str | bytes | AsyncIterator[bytes],
    content_type: str = CSV,
    headers: dict[str, str] | None = None,
    **params: str,
) -> httpx.Response:
    return await client.post(
        "/data/ingest",
        content=body,
        params=params,
        headers={**KEY, "Content-Type": content_type, **(headers or {})},
    )


async def tickets(settings: Settings) -> list[Ticket]:
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        found = list(await session.scalars(select(Ticket).order_by(Ticket.external_id)))
    await db.dispose()
    return found


async def test_malformed_rows_are_each_reported_with_row_and_field(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = csv_body(
        "A1,2024-05-01 10:00,Resolved,2.5,4.0",  # good (CSAT "4.0" is 4)
        "A2,yesterday,Open,,",  # bad date
        "A3,2024-05-01 10:00,Open,-1,",  # negative duration
        ",2024-05-01 10:00,Open,,",  # missing id
        "A5,2024-05-01 10:00,Open,abc,",  # wrong type
        "A6,2024-05-01 10:00,Resolved,1,6",  # CSAT out of range
        "A7,2024-05-01 10:00,Solved,1,",  # unknown status
        "A8,2024-05-01 10:00,In Progress,1",  # too few fields
        'A9,"2024-05-01 10:00"x,Open,,',  # broken quoting
        "A10,2024-05-01 10:00,in-progress,,",  # good: folded status
    )
    response = await post(client, body, map=SHORT_MAP)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["success"] is True
    assert (reply["received"], reply["inserted"], reply["rejected"]) == (10, 2, 8)
    errors = {(e["row"], e["field"]): e["message"] for e in reply["errors"]}
    assert set(errors) == {
        (2, "created"),
        (3, "resolution_hours"),
        (4, "id"),
        (5, "resolution_hours"),
        (6, "csat"),
        (7, "status"),
        (8, None),
        (9, None),
    }
    assert "ISO 8601" in errors[(2, "created")]
    assert "negative" in errors[(3, "resolution_hours")]
    assert "number" in errors[(5, "resolution_hours")]
    assert "1 to 5" in errors[(6, "csat")]
    assert "in_progress" in errors[(7, "status")] and "'Solved'" in errors[(7, "status")]
    assert "quot" in errors[(9, None)]
    stored = {t.external_id: t for t in await tickets(settings)}
    assert set(stored) == {"A1", "A10"}
    assert stored["A1"].csat == 4 and stored["A1"].resolution_minutes == 150.0
    assert stored["A1"].status == "resolved"
    # Resolved with a duration and no resolved time: resolved_at = created + duration.
    assert stored["A1"].resolved_at == stored["A1"].created_at + timedelta(minutes=150)
    assert stored["A10"].status == "in_progress"


async def test_resolved_before_created_and_unterminated_quote(client: httpx.AsyncClient) -> None:
    body = (
        "id,created_at,resolved_at,subject\n"
        "B1,2024-05-02T10:00:00Z,2024-05-01T10:00:00Z,x\n"
        'B2,2024-05-02T10:00:00Z,,"never closed\n'
        "B3,2024-05-02T10:00:00Z,,y\n"
    )
    reply = (await post(client, body, map="id=external_id")).json()
    assert reply["rejected"] == 2 and reply["inserted"] == 0
    assert reply["errors"][0] == {
        "row": 1,
        "field": "resolved_at",
        "message": "is before the creation time",
    }
    assert reply["errors"][1]["row"] == 2 and "never ends" in reply["errors"][1]["message"]


async def test_ndjson_and_json_forms_upsert_the_same_rows(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    rows = [
        {
            "external_id": f"N{i}",
            "created_at": "2024-06-01T08:00:00+02:00",
            "status": "Resolved",
            "resolved_at": "2024-06-01T09:30:00+02:00",
            "csat": 5,
            "tags": ["vip", "es"],
            "plan": {"tier": "gold"},
        }
        for i in range(BATCH_ROWS + 5)
    ]
    ndjson = "\n".join(json.dumps(r) for r in rows) + "\n\n"
    first = (await post(client, ndjson, NDJSON, source="crm")).json()
    assert (first["inserted"], first["rejected"]) == (len(rows), 0)

    as_array = (await post(client, json.dumps(rows), JSON, source="crm")).json()
    assert (as_array["unchanged"], as_array["inserted"]) == (len(rows), 0)

    rows[0]["csat"] = "3.0"
    wrapped = {"tickets": rows}
    again = (await post(client, json.dumps(wrapped), JSON, source="crm")).json()
    assert (again["updated"], again["unchanged"]) == (1, len(rows) - 1)

    stored = await tickets(settings)
    assert len(stored) == len(rows)
    first_ticket = next(t for t in stored if t.external_id == "N0")
    assert first_ticket.source == "crm" and first_ticket.csat == 3
    assert first_ticket.resolution_minutes == 90.0
    assert first_ticket.created_at.isoformat() == "2024-06-01T06:00:00+00:00"
    assert first_ticket.tags == ["vip", "es"]
    assert first_ticket.attributes == {"plan": {"tier": "gold"}}


async def test_mapping_in_the_json_body_with_status_map_and_units(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = {
        "mapping": {
            "columns": {"key": "external_id", "opened": "created_at", "secs": "resolution_seconds"},
            "status_map": {"Solved": "resolved", "hold": "pending"},
            "timezone": "America/New_York",
            "source": "zendesk",
        },
        "tickets": [
            {
                "key": 1,
                "opened": "2024-01-15 09:00",
                "secs": 5400,
                "state": "x",
                "status": "Solved",
            },
            {"key": 2, "opened": "2024-01-15 09:00", "source": "other", "status": "HOLD"},
        ],
    }
    reply = (await post(client, json.dumps(body), JSON)).json()
    assert reply["inserted"] == 2, reply
    by_id = {t.external_id: t for t in await tickets(settings)}
    assert by_id["1"].source == "zendesk" and by_id["2"].source == "other"
    assert by_id["1"].status == "resolved" and by_id["2"].status == "pending"
    assert by_id["1"].resolution_minutes == 90.0
    assert by_id["1"].created_at.isoformat() == "2024-01-15T14:00:00+00:00"
    assert by_id["1"].attributes == {"state": "x"}


async def test_mapping_after_tickets_is_refused(client: httpx.AsyncClient) -> None:
    rows = [{"external_id": str(i), "created_at": "2024-01-01"} for i in range(3)]
    body = json.dumps({"tickets": rows, "mapping": {"x": "subject"}})
    chunks = [body[: len(body) // 2].encode(), body[len(body) // 2 :].encode()]

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    response = await post(client, stream(), JSON)
    assert response.status_code == 422
    assert "mapping" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"map": "id=nowhere"}, "unknown target 'nowhere'"),
        ({"map": "{not json"}, "not valid JSON"),
        ({"map": "@nope"}, "unknown preset"),
        ({"map": '{"status_map": {"a": "done"}}'}, "status_map"),
        ({"timezone": "Mars/Base"}, "Mars/Base"),
        ({"on_error": "maybe"}, "on_error"),
    ],
)
async def test_bad_parameters_are_422_naming_them(
    client: httpx.AsyncClient, params: dict[str, str], where: str
) -> None:
    response = await post(client, csv_body(), headers=None, **params)
    assert response.status_code == 422
    assert where in response.json()["detail"]


async def test_reject_all_writes_nothing(client: httpx.AsyncClient, settings: Settings) -> None:
    good = [f"R{i},2024-05-01 10:00,Open,," for i in range(BATCH_ROWS * 2)]
    body = csv_body(*good, "BAD,2024-13-01,Open,,")
    response = await post(client, body, on_error="reject_all", map=SHORT_MAP)
    assert response.status_code == 422
    reply = response.json()
    assert reply["success"] is False and "nothing was written" in reply["detail"]
    assert (reply["received"], reply["rejected"], reply["inserted"]) == (len(good) + 1, 1, 0)
    assert reply["errors"] == [
        {"row": len(good) + 1, "field": "created", "message": reply["errors"][0]["message"]}
    ]
    assert await tickets(settings) == []

    ok = await post(client, csv_body(*good), on_error="reject_all", map=SHORT_MAP)
    assert ok.status_code == 200 and ok.json()["inserted"] == len(good)
    assert len(await tickets(settings)) == len(good)


async def test_only_the_first_100_errors_are_listed(client: httpx.AsyncClient) -> None:
    body = csv_body(*[f"E{i},nope,Open,," for i in range(150)])
    reply = (await post(client, body, map=SHORT_MAP)).json()
    assert reply["rejected"] == 150 and len(reply["errors"]) == 100


async def test_repeated_key_in_one_upload_applies_in_order(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = csv_body("D1,2024-05-01 10:00,Open,,", "D1,2024-05-01 10:00,Resolved,1,5")
    reply = (await post(client, body, map=SHORT_MAP)).json()
    assert (reply["inserted"], reply["updated"]) == (1, 1)
    (stored,) = await tickets(settings)
    assert stored.status == "resolved" and stored.csat == 5


async def test_unknown_content_type_is_415(client: httpx.AsyncClient) -> None:
    response = await post(client, "<xml/>", "application/xml")
    assert response.status_code == 415
    assert "text/csv" in response.json()["detail"]


async def test_body_over_the_limit_is_413_while_streaming(
    make_settings: Callable[..., Settings],
) -> None:
    app = create_app(make_settings(INGEST_API_KEY=KEY["X-API-Key"], INGEST_MAX_BODY_BYTES=1000))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            declared = await post(client, "x" * 2000)
            assert declared.status_code == 413

            async def chunked() -> Any:
                yield csv_body().encode()
                for i in range(100):
                    yield f"L{i},2024-05-01 10:00,Open,,\n".encode()

            streamed = await client.post(
                "/data/ingest",
                content=chunked(),
                params={"map": SHORT_MAP},
                headers={**KEY, "Content-Type": CSV},
            )
            assert streamed.status_code == 413
            assert "INGEST_MAX_BODY_BYTES" in streamed.json()["detail"]


async def test_no_key_or_a_wrong_key_is_401(client: httpx.AsyncClient) -> None:
    body = csv_body("S1,2024-05-01 10:00,Open,,")
    no_key = await client.post("/data/ingest", content=body, headers={"Content-Type": CSV})
    assert no_key.status_code == 401
    wrong = await client.post(
        "/data/ingest", content=body, headers={"Content-Type": CSV, "X-API-Key": "wrong"}
    )
    assert wrong.status_code == 401
    assert "X-API-Key" in wrong.json()["detail"]


async def test_an_agent_cookie_is_403(agent_client: httpx.AsyncClient) -> None:
    body = csv_body("S1,2024-05-01 10:00,Open,,")
    agent = await agent_client.post(
        "/data/ingest", content=body, params={"map": SHORT_MAP}, headers={"Content-Type": CSV}
    )
    assert agent.status_code == 403


async def test_a_supervisor_cookie_may_ingest(
    supervisor_client: httpx.AsyncClient, settings: Settings
) -> None:
    body = csv_body("S1,2024-05-01 10:00,Open,,")
    supervisor = await supervisor_client.post(
        "/data/ingest", content=body, params={"map": SHORT_MAP}, headers={"Content-Type": CSV}
    )
    assert supervisor.status_code == 200 and supervisor.json()["inserted"] == 1
    db = Database(settings.db)
    async with db.sessionmaker() as session:
        last = await last_ingest(session)
    await db.dispose()
    assert last is not None and last.caller == "super@example.com"


async def test_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = csv_body("I1,2024-05-01 10:00,Open,,", "I2,bad,Open,,")
    key = {"Idempotency-Key": "upload-42"}
    first = await post(client, body, headers=key, map=SHORT_MAP)
    assert first.status_code == 200 and first.json()["inserted"] == 1

    db = Database(settings.db)
    async with db.sessionmaker() as session:
        await session.execute(delete(Ticket))
        await session.commit()

    replay = await post(client, body, headers=key, map=SHORT_MAP)
    assert replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert await tickets(settings) == []  # not processed again

    other = await post(client, csv_body("I3,2024-05-01 10:00,Open,,"), headers=key, map=SHORT_MAP)
    assert other.status_code == 422 and "different request" in other.json()["detail"]

    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(IngestBatch)) == 1
        last = await last_ingest(session)
    await db.dispose()
    assert last is not None
    assert (last.received, last.inserted, last.rejected, last.status) == (2, 1, 1, "completed")
    assert last.caller == "ingest-api-key" and last.source == "ingest"


async def test_an_empty_idempotency_key_is_422(client: httpx.AsyncClient) -> None:
    # It used to be stored as a key: the same upload sent again was then a 409 for good.
    body = csv_body("E1,2024-05-01 10:00,Open,,")
    for _ in range(2):
        response = await post(client, body, headers={"Idempotency-Key": ""}, map=SHORT_MAP)
        assert response.status_code == 422
        assert "idempotency-key" in response.json()["detail"]


DEEP = '{"a": ' * 150 + "1" + "}" * 150


@pytest.mark.parametrize(
    ("body", "content_type", "field", "words"),
    [
        # An offset that moves the time out of the years 1-9999, or a time at their very edge.
        (csv_body("D1,0001-01-01T00:00+05:00,,,"), CSV, "created", "out of range"),
        (csv_body("D2,9999-12-31T23:59-05:00,,,"), CSV, "created", "out of range"),
        (csv_body("D3,0001-01-01T00:00:00Z,,,"), CSV, "created", "out of range"),
        ('[{"id": "D4", "created": "9999-12-31T23:59:59-01:00"}]', JSON, "created", "range"),
        # Nesting past what the JSON encoder (and Python's stack) can take.
        (
            f'[{{"id": "N1", "created": "2024-05-01", "attributes": {DEEP}}}]',
            JSON,
            "attributes",
            "nested",
        ),
        (f'{{"id": "N2", "created": "2024-05-01", "extra": {DEEP}}}\n', NDJSON, "extra", "nested"),
        (
            '{"id": "N3", "created": "2024-05-01", "deeper": ' + "[" * 5000 + "]" * 5000 + "}\n",
            NDJSON,
            None,
            "nested too deeply",
        ),
        # No database stores a lone surrogate as UTF-8.
        ('{"id": "S1", "created": "2024-05-01", "note": "\\ud800"}\n', NDJSON, None, "surrogate"),
        ('{"id": "S2\\udfff", "created": "2024-05-01"}\n', NDJSON, None, "surrogate"),
        # Nor a NUL in a jsonb key (only PostgreSQL refused it, with a 500).
        ('[{"id": "K1", "created": "2024-05-01", "x\\u0000": 1}]', JSON, "x\ufffd", "NUL"),
        ('{"id": "K2", "created": "2024-05-01", "x\\u0000": 1}\n', NDJSON, "x\ufffd", "NUL"),
        (csv_body("K3,2024-05-01,v", header="id,created,n\x00te"), CSV, "n\ufffdte", "NUL"),
    ],
)
async def test_unstorable_values_are_refused_per_row(
    client: httpx.AsyncClient,
    settings: Settings,
    body: str,
    content_type: str,
    field: str | None,
    words: str,
) -> None:
    replies = [(await post(client, body, content_type, map=SHORT_MAP)) for _ in range(2)]
    for response in replies:
        assert response.status_code == 200, response.text
        reply = response.json()
        assert (reply["received"], reply["inserted"], reply["rejected"]) == (1, 0, 1)
        [error] = reply["errors"]
        assert (error["row"], error["field"]) == (1, field)
        assert words in error["message"]
    assert await tickets(settings) == []


async def test_a_lone_surrogate_in_a_json_array_is_422(client: httpx.AsyncClient) -> None:
    body = '[{"id": "S1", "created": "2024-05-01"}, {"id": "S2", "note": "\\udc00"}]'
    response = await post(client, body, JSON, map=SHORT_MAP)
    assert response.status_code == 422
    assert "not valid Unicode" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"source": "crm\x00"}, {"map": '{"columns": {"id": "external_id"}, "source": "a\\u0000"}'}],
)
async def test_a_nul_in_the_source_is_422(
    client: httpx.AsyncClient, settings: Settings, params: dict[str, str]
) -> None:
    response = await post(
        client, csv_body("N1,2024-05-01,,,", header="id,created_at,a,b,c"), headers=None, **params
    )
    assert response.status_code == 422
    assert "source" in response.json()["detail"] and "NUL" in response.json()["detail"]
    assert await tickets(settings) == []


async def test_a_json_object_without_tickets_is_422(client: httpx.AsyncClient) -> None:
    response = await post(client, '{"ticket": [{"id": "1"}]}', JSON)
    assert response.status_code == 422
    assert '"tickets" array' in response.json()["detail"]
    empty = await post(client, '{"tickets": []}', JSON)
    assert empty.status_code == 200 and empty.json()["received"] == 0


async def test_two_columns_for_one_target_are_refused_before_any_row(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    rows = csv_body("T1,R1,2024-05-01", header="Ticket ID,Ref,created_at")
    for given in (
        "Ticket ID=external_id,Ref=external_id",
        '{"Ticket ID": "external_id", "Ref": "external_id"}',
    ):
        response = await post(client, rows, map=given)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert "'Ticket ID' and 'Ref'" in detail and "external_id" in detail
    in_body = {
        "mapping": {"key": "external_id", "ref": "external_id"},
        "tickets": [{"key": "1", "ref": "2", "created_at": "2024-05-01"}],
    }
    response = await post(client, json.dumps(in_body), JSON)
    assert response.status_code == 422, response.text
    assert "'key' and 'ref'" in response.json()["detail"]
    # A mapped column and one named like its target: refused at the header, nothing written.
    both = csv_body("T1,OTHER,2024-05-01", header="Ticket ID,external_id,created_at")
    response = await post(client, both, map="Ticket ID=external_id")
    assert response.status_code == 422, response.text
    reply = response.json()
    assert "'Ticket ID' and 'external_id'" in reply["detail"] and reply["received"] == 0
    assert await tickets(settings) == []


async def test_integers_beyond_64_bits_are_each_row_s_own_business(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # NDJSON reads them exactly; a JSON body ends at one (yajl), saying so (below).
    big = 123456789012345678901234567890
    rows = [
        {"id": big, "created": "2024-05-01", "ref": -big},  # an id is text: read as written
        {"id": "B2", "created": "2024-05-01", "csat": big},  # CSAT is a number: this row's error
        {"id": "B3", "created": "2024-05-01", "resolution_minutes": "HUGE"},  # inf
        {"id": "B4", "created": "2024-05-01"},
        {"id": "B5", "created": "2024-05-01", "csat": 10**400},  # no float is that large
    ]
    body = "\n".join(map(json.dumps, rows)).replace('"HUGE"', "1" + "0" * 400 + ".5")
    response = await post(client, body, NDJSON, map=SHORT_MAP)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert (reply["received"], reply["inserted"], reply["rejected"]) == (5, 2, 3)
    assert [(e["row"], e["field"]) for e in reply["errors"]] == [
        (2, "csat"),
        (3, "resolution_minutes"),
        (5, "csat"),
    ]
    stored = {t.external_id: t for t in await tickets(settings)}
    assert set(stored) == {str(big), "B4"}
    assert stored[str(big)].attributes == {"ref": -big}
    refused = await post(client, json.dumps(rows[3:4] + rows[:1]), JSON, map=SHORT_MAP)
    assert refused.status_code == 422, refused.text
    assert "a number beyond 64 bits" in refused.json()["detail"]


async def test_counts_are_rows_not_search_index_writes(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # Once tickets are in the search index (after a search), updating their text also rewrites
    # the index (SQLite: row triggers); those writes are not updated tickets.
    header = "id,created,subject"
    rows = [f"S{n},2024-05-01,asunto {n}" for n in range(10)]
    assert (await post(client, csv_body(*rows, header=header), map=SHORT_MAP)).status_code == 200
    db = Database(settings.db)
    async with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await search.catch_up_sqlite(conn)
    await db.dispose()
    rows[3] = "S3,2024-05-01,asunto cambiado"
    reply = (await post(client, csv_body(*rows, header=header), map=SHORT_MAP)).json()
    assert (reply["inserted"], reply["updated"], reply["unchanged"]) == (0, 1, 9)


async def test_an_ingest_that_replaces_texts_prunes_their_documents(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.db)
    if db.dialect != "postgresql":
        await db.dispose()
        pytest.skip("PostgreSQL's search documents")
    header = "id,created,subject"
    for first in ("A,2024-05-01,envio", "A,2024-05-01,pedido"):
        body = csv_body(first, "B,2024-05-01,cobro", header=header)
        assert (await post(client, body, map=SHORT_MAP)).status_code == 200
    assert await documents(db) == ["'cobro':1", "'pedido':1"]
    await db.dispose()
