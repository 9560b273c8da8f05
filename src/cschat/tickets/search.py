"""Full-text search over subject, description and resolution (SQLite FTS5 / PostgreSQL tsvector).

Both engines use language-neutral tokenisation (FTS5 `unicode61 remove_diacritics 2`, PostgreSQL
`simple` over accent-folded text): no stemming, so Spanish and English tickets are matched alike and
"facturación" finds "facturacion". Stop words ("de", "the", ...) are left out of a query that has
other words. Tickets holding every word come first; when none does, those holding all words but
one, then two fewer and so on (`tiers`); then those holding any word. Within the tier that
answers they are ranked by relevance (bm25 / ts_rank).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import ColumnElement, column, func, literal_column, select, table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from cschat.core.sqlfunctions import fold
from cschat.tickets.models import Ticket
from cschat.tickets.queries import dialect_of

log = structlog.get_logger(__name__)
MAX_TERMS = 16
# SQLite indexes new tickets in batches past a watermark (see migration q001).
_SQLITE_PENDING = text(
    "SELECT EXISTS (SELECT 1 FROM tickets WHERE id > (SELECT last_id FROM tickets_fts_state))"
)
_SQLITE_CATCH_UP = (
    text(
        "INSERT INTO tickets_fts(rowid, subject, description, resolution) "
        "SELECT id, subject, description, resolution FROM tickets "
        "WHERE id > (SELECT last_id FROM tickets_fts_state) ORDER BY id"
    ),
    text(
        "UPDATE tickets_fts_state "
        "SET last_id = max(last_id, coalesce((SELECT max(id) FROM tickets), 0))"
    ),
)
_WORD = re.compile(r"[^\W_]+")

_pg_search = table("ticket_search", column("ticket_id"), column("document"))
_fts = table("tickets_fts", column("rowid"))


async def catch_up_sqlite(conn: AsyncConnection) -> None:
    """Index tickets added since the last batch (SQLite); call inside a write transaction."""
    for statement in _SQLITE_CATCH_UP:
        await conn.execute(statement)


async def _refresh_sqlite(session: AsyncSession) -> None:
    bind = session.bind
    engine = bind if isinstance(bind, AsyncEngine) else bind.engine if bind else None
    if engine is None:
        return
    try:
        async with engine.connect() as conn:
            if not await conn.scalar(_SQLITE_PENDING):
                return
        async with engine.begin() as conn:
            await catch_up_sqlite(conn)
    except OperationalError:
        # A long write (an ingest) holds the lock: search what is indexed; the next search or
        # the loader's own catch-up indexes the rest.
        log.warning("search_index_behind")


# Folded Spanish and English function words. A query's words must all match first, and a ticket
# rarely lacks "de" or "the"; when none holds them all, any word matches, and "de" alone matches
# half the tickets: ranking those took a second on a million tickets and ranked noise. "no"/"not"
# stay: they carry the meaning of "no funciona" or "not received".
_SPANISH = (
    "a al algo ante como con contra cual cuando de del desde donde el ella ellos en entre era "
    "es esa ese eso esta estan este esto estos fue ha hay la las le les lo los me mi mis muy "
    "nos o para pero por que se sea ser si sin sobre son su sus te tiene tu un una uno unos "
    "unas y ya "
)
_ENGLISH = (
    "about an and are as at be by for from has have i in is it its my of on or our so that "
    "the their them this to was we were what when where which with you your "
)
STOPWORDS = frozenset((_SPANISH + _ENGLISH).split())


def terms(query: str) -> list[str]:
    """The distinct folded words of a query, in order, without stop words (unless there is
    nothing else), at most MAX_TERMS."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(query)):
        seen.setdefault(word, None)
    meaningful = [w for w in seen if w not in STOPWORDS]
    return (meaningful or list(seen))[:MAX_TERMS]


# A tier asks for any of its word sets; past this many sets, the next tier is "any word".
MAX_WORD_SETS = 64


def tiers(count: int) -> list[int]:
    """How many of `count` query words a ticket must hold, tier by tier: all of them, then one
    fewer at a time while a tier has at most MAX_WORD_SETS word sets, then one (any word). The
    first tier with a match answers, so a ticket holding more of the words always comes first."""
    needed = []
    for need in range(count, 1, -1):
        if math.comb(count, need) > MAX_WORD_SETS:
            break
        needed.append(need)
    return [*needed, 1]


def _pg_query(groups: Sequence[Sequence[str]]) -> Any:
    """Any of `groups` (each: all its words) as one tsquery, each word folded in SQL exactly as
    the documents are (migration t001's `cschat_search_fold`); `plainto_tsquery` reads any text as
    words, never as syntax."""
    simple: Any = literal_column("'simple'::regconfig")
    query: Any = None
    for group in groups:
        parts = [func.plainto_tsquery(simple, func.cschat_search_fold(word)) for word in group]
        every: Any = parts[0]
        for part in parts[1:]:
            every = every.op("&&")(part)
        query = every.self_group() if query is None else query.op("||")(every.self_group())
    return query


async def search(
    session: AsyncSession,
    *,
    words: Sequence[str],
    limit: int,
    conditions: Sequence[ColumnElement[bool]],
    need: int | None = None,
) -> list[tuple[Ticket, float]]:
    """Tickets holding at least `need` of `words` (default: all) and matching `conditions`,
    best first, with their score."""
    groups = list(itertools.combinations(words, need or len(words)))
    if dialect_of(session) == "postgresql":
        query = _pg_query(groups)
        document: Any = _pg_search.c.document
        score: Any = func.ts_rank(document, query)
        if not conditions:
            # Rank in the narrow search table first; only the winners touch `tickets`.
            best = (
                select(_pg_search.c.ticket_id, score.label("score"))
                .where(document.op("@@")(query))
                .order_by(score.desc(), _pg_search.c.ticket_id)
                .limit(limit)
                .subquery()
            )
            score = best.c.score
            stmt = select(Ticket, score).join(best, best.c.ticket_id == Ticket.id)
        else:
            stmt = (
                select(Ticket, score)
                .join(_pg_search, _pg_search.c.ticket_id == Ticket.id)
                .where(document.op("@@")(query), *conditions)
            )
    else:
        await _refresh_sqlite(session)
        fts: Any = literal_column("tickets_fts")
        # Quoted terms: FTS5 reads them as plain strings, never as query syntax.
        match = " OR ".join(
            "(" + " AND ".join(f'"{word}"' for word in group) + ")" for group in groups
        )
        score = -func.bm25(fts)
        stmt = (
            select(Ticket, score)
            .join(_fts, _fts.c.rowid == Ticket.id)
            .where(fts.op("MATCH")(match), *conditions)
        )
    stmt = stmt.order_by(score.desc(), Ticket.id).limit(limit)
    return [(ticket, float(rank)) for ticket, rank in (await session.execute(stmt)).all()]
