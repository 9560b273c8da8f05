"""PostgreSQL's shared search documents (migration y001): each distinct text is ranked once, and
results equal ranking every ticket's own text, through inserts, edits, deletes and migrations."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from alembic import command
from sqlalchemy import delete, text, update
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.db import Database
from cschat.core.migrate import alembic_config
from cschat.tickets import search
from cschat.tickets.models import Ticket
from cschat.tickets.queries import Selection, Window
from tests.tickets.conftest import documents

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
PHRASES = [
    "cobro duplicado",
    "cobro duplicado en la tarjeta",
    "doble cobro del pedido",
    "password reset link expired",
    "reset the password again",
    "factura sin IVA",
    "duplicado de factura",
    "envío retrasado",
    None,
]
# Every ticket's own vector, ranked as documents are: the independent computation.
OWN_RANKING = (
    "SELECT t.id, ts_rank(v.document, q.q) AS score FROM tickets t "
    "CROSS JOIN LATERAL (SELECT to_tsvector('simple'::regconfig, cschat_search_fold("
    "coalesce(t.subject, '') || ' ' || coalesce(t.description, '') || ' ' || "
    "coalesce(t.resolution, '')))) v(document), (SELECT {query}) q(q) "
    "WHERE v.document @@ q.q AND (CAST(:agent AS text) IS NULL OR t.agent = :agent) "
    "ORDER BY score DESC, t.id LIMIT :limit"
)
# Each word or its other number (`search.forms`), all of them or any.
QUERY = "to_tsquery('simple'::regconfig, :query)"


@pytest.fixture(autouse=True)
def _postgresql_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's search documents (SQLite ranks in FTS5)")


def _ticket(key: str, rng: random.Random) -> Ticket:
    subject, description, resolution = (rng.choice(PHRASES) for _ in range(3))
    return Ticket(
        source="t",
        external_id=key,
        subject=subject,
        description=description,
        resolution=resolution,
        status="resolved",
        created_at=NOW,
        agent=rng.choice(["ana", "ben", None]),
    )


def _selection(*, agent: str | None = None, own: str | None = None) -> Selection:
    window = Window(None, None, "created", ZoneInfo("UTC"))
    filters = {"agent": agent} if agent else {}
    return Selection(window=window, status="any", filters=filters, own_agent=own)


async def _search(session: AsyncSession, words: list[str], limit: int) -> list[str]:
    found = await search.search(
        session, columns=("external_id",), words=words, limit=limit, selection=_selection()
    )
    return [external_id for external_id, _ in found]


async def _found(
    session: AsyncSession, words: list[str], need: int, limit: int, selection: Selection
) -> list[tuple[int, float]]:
    found = await search.search(
        session, columns=("id",), words=words, limit=limit, selection=selection, need=need
    )
    return [(id_, score) for id_, score in found]


async def _expected(
    session: AsyncSession, words: list[str], need: int, limit: int, agent: str | None
) -> list[tuple[int, float]]:
    either = ["(" + " | ".join(search.forms(word)) + ")" for word in words]
    query = (" & " if need == len(words) else " | ").join(either)
    params = {"query": query, "agent": agent, "limit": limit}
    statement = text(OWN_RANKING.format(query=QUERY))
    return [(row.id, row.score) for row in await session.execute(statement, params)]


async def test_results_equal_ranking_each_tickets_own_text(
    db: Database, session: AsyncSession
) -> None:
    rng = random.Random(7)
    async with db.sessionmaker() as s:
        s.add_all(_ticket(f"k{i}", rng) for i in range(300))
        await s.commit()
        # Edits leave documents no ticket holds; deletes leave some with fewer tickets.
        for i in rng.sample(range(300), 40):
            await s.execute(
                update(Ticket)
                .where(Ticket.external_id == f"k{i}")
                .values(subject=f"cobro {rng.choice(PHRASES)} {i}")
            )
        await s.execute(
            delete(Ticket).where(Ticket.external_id.in_([f"k{i}" for i in range(0, 300, 7)]))
        )
        await s.commit()
    for words in (["cobro", "duplicado"], ["reset", "password"], ["factura", "cobro"], ["envio"]):
        for need in {len(words), 1}:
            for limit in (1, 3, 10, 50):
                for agent in (None, "ana"):
                    expected = await _expected(session, words, need, limit, agent)
                    assert expected, (words, need, limit, agent)
                    # An Agent's own tickets (one kept statement) or a filter (built each time).
                    scopes = [_selection(own=agent), _selection(agent=agent)] if agent else []
                    for selection in scopes or [_selection()]:
                        found = await _found(session, words, need, limit, selection)
                        assert found == expected, (words, need, limit, selection)


async def test_documents_no_ticket_holds_do_not_cut_results_short(
    db: Database, session: AsyncSession
) -> None:
    # Four texts, the fewer words the lower they rank for "cobro"; the best one's only ticket is
    # then edited, so the best document is held by no ticket.
    texts = ["cobro " * 4 + "x", "cobro " * 3 + "x y", "cobro cobro x y z", "cobro x y z w"]
    async with db.sessionmaker() as s:
        s.add_all(
            Ticket(
                source="t", external_id=f"{n}-{i}", subject=subject, status="open", created_at=NOW
            )
            for n, (subject, copies) in enumerate(zip(texts, [1, 1, 1, 5], strict=True))
            for i in range(copies)
        )
        await s.commit()
        await s.execute(update(Ticket).where(Ticket.external_id == "0-0").values(subject="otro"))
        await s.commit()
    found = await search.search(
        session, columns=("external_id",), words=["cobro"], limit=3, selection=_selection()
    )
    assert [external_id for external_id, _ in found] == ["1-0", "2-0", "3-0"]
    assert found[0][1] > found[1][1] > found[2][1]


async def test_tickets_sharing_a_text_share_one_document(
    db: Database, session: AsyncSession
) -> None:
    async with db.engine.begin() as conn:
        # The ingest path: a multi-row insert, then an upsert that changes one text.
        values = ", ".join(
            f"('t', 'r{i}', 'Cobro duplicado', 'open', now(), now(), now())" for i in range(20)
        )
        insert = (
            "INSERT INTO tickets (source, external_id, subject, status, created_at, ingested_at, "
            "updated_at) VALUES {} ON CONFLICT (source, external_id) "
            "DO UPDATE SET subject = EXCLUDED.subject"
        )
        await conn.execute(text(insert.format(values)))
        await conn.execute(
            text(insert.format("('t', 'r3', 'Pedido perdido', 'open', now(), now(), now())"))
        )
        documents = text(
            "SELECT d.document::text, count(s.ticket_id) FROM ticket_search_documents d "
            "LEFT JOIN ticket_search s ON s.document_id = d.id GROUP BY 1 ORDER BY 1"
        )
        rows = [tuple(row) for row in await conn.execute(documents)]
    assert rows == [("'cobro':1 'duplicado':2", 19), ("'pedido':1 'perdido':2", 1)]
    assert await _search(session, ["cobro"], 5) == ["r0", "r1", "r2", "r4", "r5"]


def _psql(url: URL, statement: str) -> list[tuple[object, ...]]:
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


async def test_migration_builds_documents_from_stored_tickets_and_back(
    db: Database, database_url: URL
) -> None:
    await db.dispose()
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "x001")
    _psql(
        database_url,
        "INSERT INTO tickets (source, external_id, subject, description, status, created_at, "
        "ingested_at, updated_at) SELECT 't', 'm' || i, 'Cobro duplicado', "
        "CASE WHEN i % 2 = 0 THEN 'Tarjeta' END, 'open', now(), now(), now() "
        "FROM generate_series(1, 6) i",
    )
    await asyncio.to_thread(command.upgrade, config, "head")
    counts = "SELECT (SELECT count(*) FROM ticket_search), count(*) FROM ticket_search_documents"
    assert _psql(database_url, counts) == [(6, 2)]
    async with db.sessionmaker() as session:
        assert await _search(session, ["tarjeta"], 10) == ["m2", "m4", "m6"]
    await db.dispose()
    await asyncio.to_thread(command.downgrade, config, "x001")
    # Back to one vector per ticket, kept by the previous triggers.
    _psql(database_url, "UPDATE tickets SET description = 'Tarjeta' WHERE external_id = 'm1'")
    assert _psql(
        database_url,
        "SELECT count(*) FROM ticket_search WHERE document @@ to_tsquery('simple', 'tarjeta')",
    ) == [(4,)]
    await asyncio.to_thread(command.upgrade, config, "head")


async def _prune(db: Database) -> int:
    async with db.engine.connect() as conn:
        return await search.prune(conn)


async def test_prune_deletes_the_documents_no_ticket_holds(
    db: Database, session: AsyncSession
) -> None:
    async with db.sessionmaker() as s:
        s.add_all(
            Ticket(source="t", external_id=key, subject=subject, status="open", created_at=NOW)
            for key, subject in (("A", "cobro"), ("B", "cobro"), ("C", "envio"))
        )
        await s.commit()
        await s.execute(update(Ticket).where(Ticket.external_id == "C").values(subject="pedido"))
        await s.execute(delete(Ticket).where(Ticket.external_id == "A"))
        await s.commit()
    assert await documents(db) == ["'cobro':1", "'envio':1", "'pedido':1"]
    # "envio" is no ticket's text any more; B still holds "cobro".
    assert await _prune(db) == 1
    assert await documents(db) == ["'cobro':1", "'pedido':1"]
    assert await _search(session, ["cobro"], 5) == ["B"]
    assert await _search(session, ["pedido"], 5) == ["C"]
    async with db.sessionmaker() as s:
        await s.execute(delete(Ticket).where(Ticket.external_id == "B"))
        await s.commit()
    assert (await _prune(db), await _prune(db)) == (1, 0)
    assert await documents(db) == ["'pedido':1"]


async def test_prune_waits_for_a_load_that_may_map_a_ticket_to_a_queued_document(
    db: Database, session: AsyncSession
) -> None:
    async with db.sessionmaker() as s:
        s.add(Ticket(source="t", external_id="A", subject="envio", status="open", created_at=NOW))
        await s.commit()
        await s.execute(update(Ticket).where(Ticket.external_id == "A").values(subject="pedido"))
        await s.commit()
    # A load, not yet committed, gives another ticket the text whose document is queued.
    async with db.sessionmaker() as load:
        load.add(Ticket(source="t", external_id="B", subject="envio", status="open",
                        created_at=NOW))  # fmt: skip
        await load.flush()
        assert await _prune(db) == 0  # postponed: the lock waited a second
        await load.commit()
    assert await _prune(db) == 0  # B holds it now
    assert await _search(session, ["envio"], 5) == ["B"]
