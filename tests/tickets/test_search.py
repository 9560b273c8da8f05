"""Full-text search: ranked, accent-insensitive, and kept in sync with the tickets table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.db import Database
from cschat.tickets.models import Ticket
from cschat.tickets.tools import run_tool
from tests.tickets.conftest import SUPERVISOR

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
TEXTS = {
    "A": ("Cobro duplicado en la facturación", "Me cobraron dos veces", "Reembolso emitido"),
    "B": ("Password reset link expired", "The reset link does not work", "Sent a new link"),
    "C": ("Facturación de junio", "Factura con IVA incorrecto", "Factura corregida"),
    "D": ("Shipping delay", "Parcel is late", None),
}


async def _result(session: AsyncSession, **params: Any) -> dict[str, Any]:
    return await run_tool(
        "search_tickets",
        params,
        session=session,
        principal=SUPERVISOR,
        tz=ZoneInfo("UTC"),
        now=NOW,
    )


async def _search(session: AsyncSession, **params: Any) -> list[str]:
    return [r["external_id"] for r in (await _result(session, **params))["results"]]


@pytest.fixture
async def seeded(db: Database) -> Database:
    async with db.sessionmaker() as s:
        for key, (subject, description, resolution) in TEXTS.items():
            s.add(
                Ticket(
                    source="t",
                    external_id=key,
                    subject=subject,
                    description=description,
                    resolution=resolution,
                    status="resolved" if resolution else "open",
                    created_at=NOW,
                    category="Billing" if key in "AC" else "Other",
                )
            )
        await s.commit()
    return db


async def test_ranked_and_accent_insensitive(seeded: Database, session: AsyncSession) -> None:
    # Every word first: only C holds both; "facturacion" matches "facturación".
    assert await _search(session, query="FACTURACION factura") == ["C"]
    # No ticket holds both words: any word, ranked (C says "factura" twice, A "cobro" once).
    assert await _search(session, query="factura cobro") == ["C", "A"]
    assert await _search(session, query="reset link") == ["B"]
    assert await _search(session, query="nothing-like-this") == []
    assert await _search(session, query="factura", category="billing", status="open") == []


async def test_a_word_finds_its_singular_or_plural(seeded: Database, session: AsyncSession) -> None:
    # "cobros duplicados" found no "Cobro duplicado": every word must match as written.
    result = await _result(session, query="cobros duplicados")
    assert ([r["external_id"] for r in result["results"]], result["matched"]) == (
        ["A"],
        "all_words",
    )
    assert await _search(session, query="facturas") == ["C"]
    assert await _search(session, query="reembolsos") == ["A"]
    assert await _search(session, query="links") == ["B"]
    assert await _search(session, query="delays parcels") == ["D"]
    assert await _search(session, query="corregidas") == ["C"]
    # Other endings are other words: "corregido" is not "corregida".
    assert await _search(session, query="corregido") == []


async def test_stop_words_are_left_out(seeded: Database, session: AsyncSession) -> None:
    # Without its stop words, "factura de la cobro" is "factura cobro".
    assert await _search(session, query="factura de la cobro") == ["C", "A"]
    result = await _result(session, query="The reset link")
    assert result["terms"] == ["reset", "link"]
    # A query of stop words only still searches them.
    assert await _search(session, query="en la") == ["A"]


async def test_all_words_but_one_before_any_word(seeded: Database, session: AsyncSession) -> None:
    # No ticket holds all three words; A holds two ("cobro", "duplicado"), C one ("factura").
    result = await _result(session, query="factura cobro duplicado")
    assert [r["external_id"] for r in result["results"]] == ["A"]
    assert result["matched"] == "all_but_one_word"
    # Two words: straight to any word.
    assert await _search(session, query="factura cobro") == ["C", "A"]


async def test_search_follows_inserts_updates_and_deletes(
    seeded: Database, session: AsyncSession
) -> None:
    # A first search indexes A-D, so the changes below go through the sync triggers.
    assert await _search(session, query="shipping") == ["D"]
    async with seeded.sessionmaker() as s:
        await s.execute(
            update(Ticket).where(Ticket.external_id == "D").values(subject="Envío retrasado")
        )
        await s.execute(delete(Ticket).where(Ticket.external_id == "B"))
        s.add(
            Ticket(
                source="t",
                external_id="E",
                subject="Reset de contraseña",
                status="new",
                created_at=NOW,
            )
        )
        await s.commit()
    assert await _search(session, query="envio") == ["D"]
    assert await _search(session, query="shipping") == []
    assert await _search(session, query="reset") == ["E"]

    # SQLite may hand the highest id out again after a delete; the re-used id is indexed too.
    async with seeded.sessionmaker() as s:
        await s.execute(delete(Ticket).where(Ticket.external_id == "E"))
        s.add(
            Ticket(
                source="t",
                external_id="G",
                subject="Garantía vencida",
                status="new",
                created_at=NOW,
            )
        )
        await s.commit()
    assert await _search(session, query="reset") == []
    assert await _search(session, query="garantia") == ["G"]


async def test_postgres_search_table_follows_every_write(
    seeded: Database, session: AsyncSession
) -> None:
    if seeded.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    async with seeded.engine.begin() as conn:
        # A multi-row upsert (the ingest path): one insert, one text change, one no-op.
        await conn.execute(
            text(
                "INSERT INTO tickets (source, external_id, subject, status, created_at, "
                "ingested_at, updated_at) VALUES "
                "('t', 'F', 'Pedido perdido', 'new', now(), now(), now()), "
                "('t', 'D', 'Paquete extraviado', 'open', now(), now(), now()), "
                "('t', 'C', 'Facturación de junio', 'resolved', now(), now(), now()) "
                "ON CONFLICT (source, external_id) DO UPDATE SET subject = EXCLUDED.subject"
            )
        )
    assert await _search(session, query="pedido") == ["F"]
    assert await _search(session, query="paquete") == ["D"]
    assert await _search(session, query="shipping") == []
    # The GIN index can answer a match (sequential scans discouraged: the table is tiny).
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        (
            await session.execute(
                text(
                    "EXPLAIN SELECT id FROM ticket_search_documents WHERE document @@ "
                    "to_tsquery('simple'::regconfig, 'factura')"
                )
            )
        ).scalars()
    )
    await session.rollback()
    counts = text(
        "SELECT (SELECT count(*) FROM ticket_search), count(*) FROM ticket_search_documents"
    )
    async with seeded.engine.begin() as conn:
        # Every ticket is mapped; D's old text ("Shipping delay") keeps its document.
        assert tuple((await conn.execute(counts)).one()) == (5, 6)
        await conn.execute(text("TRUNCATE tickets"))
        assert tuple((await conn.execute(counts)).one()) == (0, 0)
    assert "ix_ticket_search_documents_document" in plan, plan


async def test_postgresql_folds_documents_and_queries_alike(
    seeded: Database, session: AsyncSession
) -> None:
    if seeded.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's cschat_search_fold")
    async with seeded.sessionmaker() as s:
        s.add(Ticket(source="t", external_id="E", subject="Envío a Łódź, Straße 5 (½ kg)",
                     status="open", created_at=NOW))  # fmt: skip
        await s.commit()
    for query in ("lodz", "Łódź", "straße", "envio", "½ kg", "(C) & | !"):
        found = await _search(session, query=query)
        assert found == (["E"] if query != "(C) & | !" else []), query


async def test_one_word_fewer_at_a_time_before_any_word(
    seeded: Database, session: AsyncSession
) -> None:
    # Five words: no ticket holds five, four or three of them; A and C hold two each, B one
    # ("link"). Two words are the answer, so B is left out (any word would rank it too).
    result = await _result(session, query="factura iva cobro duplicado link")
    assert sorted(r["external_id"] for r in result["results"]) == ["A", "C"]
    assert (result["matched"], result["words_required"]) == ("some_words", 2)
