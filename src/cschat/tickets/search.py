"""Full-text search over subject, description and resolution (SQLite FTS5 / PostgreSQL tsvector).

Both engines use language-neutral tokenisation (FTS5 `unicode61 remove_diacritics 2`, PostgreSQL
`simple` over accent-folded text): no stemming, so Spanish and English tickets are matched alike and
"facturación" finds "facturacion". Tickets holding every word come first; when none does, tickets
holding any word. Either way they are ranked by relevance (bm25 / ts_rank).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.core.sqlfunctions import FOLD_FROM, FOLD_TO, fold
from cschat.tickets.models import Ticket
from cschat.tickets.queries import dialect_of

MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]+")

# Must stay textually identical to the GIN index of migration q001, or the index is not used.
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, translate(coalesce(subject, '') || ' ' || "
    "coalesce(description, '') || ' ' || coalesce(resolution, ''), "
    f"'{FOLD_FROM}', '{FOLD_TO}'))"
)

_fts = table("tickets_fts", column("rowid"))


def terms(query: str) -> list[str]:
    """The distinct folded words of a query, in order, at most MAX_TERMS."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(query)):
        seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


async def search(
    session: AsyncSession,
    *,
    words: Sequence[str],
    limit: int,
    conditions: Sequence[ColumnElement[bool]],
    every: bool = True,
) -> list[tuple[Ticket, float]]:
    """Tickets matching all (or any) of `words` and `conditions`, best first, with their score."""
    if dialect_of(session) == "postgresql":
        document: Any = literal_column(PG_DOCUMENT)
        query = func.to_tsquery(
            literal_column("'simple'::regconfig"), (" & " if every else " | ").join(words)
        )
        score: Any = func.ts_rank(document, query)
        stmt = select(Ticket, score).where(document.op("@@")(query), *conditions)
    else:
        fts: Any = literal_column("tickets_fts")
        # Quoted terms: FTS5 reads them as plain strings, never as query syntax.
        match = (" AND " if every else " OR ").join(f'"{word}"' for word in words)
        score = -func.bm25(fts)
        stmt = (
            select(Ticket, score)
            .join(_fts, _fts.c.rowid == Ticket.id)
            .where(fts.op("MATCH")(match), *conditions)
        )
    stmt = stmt.order_by(score.desc(), Ticket.id).limit(limit)
    return [(ticket, float(rank)) for ticket, rank in (await session.execute(stmt)).all()]
