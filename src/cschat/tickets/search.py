"""Full-text search over subject, description and resolution (SQLite FTS5 / PostgreSQL tsvector).

Both engines use language-neutral tokenisation (FTS5 `unicode61 remove_diacritics 2`, PostgreSQL
`simple` over accent-folded text): no stemming, so Spanish and English tickets are matched alike and
"facturación" finds "facturacion". A query word also matches its other number (`forms`: "refunds"
finds "refund", "solicitud" finds "solicitudes"), not other endings ("refunded"). Stop words
("de", "the", ...) are left out of a query that has other words. Tickets holding every word come
first; when none does, those holding all words but one, then two fewer and so on (`tiers`); then
those holding any word. Within the tier that answers they are ranked by relevance (bm25 /
ts_rank).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
    true,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from cschat.core import kept
from cschat.core.sqlfunctions import fold
from cschat.tickets.models import Ticket
from cschat.tickets.queries import Selection, dialect_of, own_rows

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

_pg_search = table("ticket_search", column("ticket_id"), column("document_id"))
_pg_documents = table("ticket_search_documents", column("id"), column("document"))
_NO_SCORE: Any = literal_column("'-Infinity'::real")
_fts = table("tickets_fts", column("rowid"))
_tickets = Ticket.__table__


async def catch_up_sqlite(conn: AsyncConnection) -> None:
    """Index tickets added since the last batch (SQLite); call inside a write transaction."""
    for statement in _SQLITE_CATCH_UP:
        await conn.execute(statement)


async def prune(conn: AsyncConnection | AsyncSession) -> int:
    """Delete the search documents that edits and deletes left with no ticket (PostgreSQL;
    migration y001's `ticket_search_prune`), in a transaction of its own: call it after a load
    or a sync has committed. Waits at most a second for concurrent loads to finish, else leaves
    them queued for the next call. Returns how many it deleted."""
    dialect = conn.dialect.name if isinstance(conn, AsyncConnection) else dialect_of(conn)
    if dialect != "postgresql":
        return 0
    try:
        await conn.execute(text("SET LOCAL lock_timeout = '1s'"))
        deleted = int(await conn.scalar(text("SELECT ticket_search_prune()")) or 0)
        await conn.commit()
    except OperationalError:  # the lock timed out
        await conn.rollback()
        log.info("search_prune_postponed")
        return 0
    return deleted


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


def forms(word: str) -> tuple[str, ...]:
    """A folded query word and its likely other number in Spanish or English, the word first: a
    plural's singulars ("reembolsos" -> "reembolso", "cancelaciones" -> "cancelacion", "boxes"
    -> "box"), a singular's plurals ("refund" -> "refunds", "solicitud" -> "solicitudes"). Crude
    on purpose: a form no ticket holds matches nothing. Words of three letters or fewer and
    numbers are taken as written ("no", "vat", "404")."""
    if len(word) <= 3 or not word.isalpha():
        return (word,)
    if word.endswith("es"):
        return (word, word[:-1], word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        return (word, word[:-1])
    if word[-1] in "aeiou":
        return (word, word + "s")
    return (word, word + "s", word + "es")


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


def _pg_query(groups: Sequence[Sequence[Sequence[Any]]]) -> Any:
    """Any of `groups` (each: all its words, each word any of its forms, strings or bound
    parameters) as one tsquery, each form folded in SQL exactly as the documents are (migration
    t001's `cschat_search_fold`); `plainto_tsquery` reads any text as words, never as syntax.

    A scalar subquery, so PostgreSQL computes it once per statement: written inline, a STABLE
    function's result is not kept, and the folding ran again for every document ranked and
    rechecked (on 30,000 matching documents, about a second)."""
    simple: Any = literal_column("'simple'::regconfig")
    query: Any = None
    for group in groups:
        parts = []
        for word in group:
            either: Any = None
            for form in word:
                one = func.plainto_tsquery(simple, func.cschat_search_fold(form))
                either = one if either is None else either.op("||")(one)
            parts.append(either.self_group())
        every: Any = parts[0]
        for part in parts[1:]:
            every = every.op("&&")(part)
        query = every.self_group() if query is None else query.op("||")(every.self_group())
    return select(query).scalar_subquery()


def _pg_select(
    columns: Sequence[str],
    query: Any,
    limit: int,
    conditions: Sequence[ColumnElement[bool]],
    *,
    cut: bool,
) -> Select[Any]:
    """`columns` and the score of the `limit` best tickets matching `query` and `conditions`.

    Documents are ranked once each (migration y001), then each matching document gives its first
    `limit` tickets (that pass `conditions`) by id: the best tickets are among those.

    Without conditions, `cut` visits only documents scoring at least the `limit`-th best
    document's score: when they give `limit` tickets, no ticket elsewhere can outrank them (else
    `search` asks again without it). With conditions, a document may give none, so documents are
    visited in score order and PostgreSQL stops once `limit` tickets are found and no document
    left can outrank them (an incremental sort over the ranked documents)."""
    documents: Any = _pg_documents.c.document
    score = func.ts_rank(documents, query)
    matching = select(_pg_documents.c.id, score.label("score")).where(documents.op("@@")(query))
    if conditions:
        ranked: Any = matching.order_by(score.desc()).subquery("ranked")
    else:
        ranked = matching.cte("ranked").prefix_with("MATERIALIZED")
    tickets_of = select(_pg_search.c.ticket_id).where(_pg_search.c.document_id == ranked.c.id)
    if conditions:
        tickets_of = tickets_of.join_from(
            _pg_search, _tickets, _tickets.c.id == _pg_search.c.ticket_id
        ).where(*conditions)
    found = tickets_of.order_by(_pg_search.c.ticket_id).limit(limit).lateral("found")
    best = select(found.c.ticket_id, ranked.c.score).select_from(ranked).join(found, true())
    if cut:
        lowest = (
            select(ranked.c.score)
            .order_by(ranked.c.score.desc())
            .offset(limit - 1)
            .limit(1)
            .correlate(None)
            .scalar_subquery()
        )
        best = best.where(ranked.c.score >= func.coalesce(lowest, _NO_SCORE))
    top = best.order_by(ranked.c.score.desc(), found.c.ticket_id).limit(limit).subquery("best")
    return (
        select(*(_tickets.c[name] for name in columns), top.c.score)
        .join_from(_tickets, top, top.c.ticket_id == _tickets.c.id)
        .order_by(top.c.score.desc(), _tickets.c.id)
    )


@kept.built_once
def _pg_kept(
    columns: tuple[str, ...], shape: tuple[int, ...], need: int, limit: int, own: bool, cut: bool
) -> Select[Any]:
    """`_pg_select` for words of `shape[n]` forms each, bound as :w0_0, :w0_1, ..., :w1_0, ...
    and, with `own`, an Agent's own tickets (:agent): the searches of a selection with nothing
    else, built once per shape. (Padding every word to one number of forms cost a fifth more.)"""
    words = [
        [bindparam(f"w{n}_{k}", type_=String) for k in range(count)]
        for n, count in enumerate(shape)
    ]
    groups = list(itertools.combinations(words, need))
    conditions = [own_rows(bindparam("agent", type_=String))] if own else []
    return _pg_select(columns, _pg_query(groups), limit, conditions, cut=cut)


async def _pg_search_rows(
    session: AsyncSession,
    columns: tuple[str, ...],
    words: Sequence[str],
    need: int,
    limit: int,
    selection: Selection,
    *,
    cut: bool,
) -> Sequence[Sequence[Any]]:
    if selection.unfiltered:
        either = [forms(word) for word in words]
        values = {f"w{n}_{k}": form for n, f in enumerate(either) for k, form in enumerate(f)}
        own = selection.own_agent is not None
        if own:
            values["agent"] = str(selection.own_agent).lower()
        shape = tuple(len(f) for f in either)
        stmt = _pg_kept(columns, shape, need, limit, own, cut)
        # The best plan depends on how many documents the words match: planned every time.
        return await kept.rows(session, stmt, values, planned_each_time=True)
    query = _pg_query(list(itertools.combinations([forms(w) for w in words], need)))
    stmt = _pg_select(columns, query, limit, selection.conditions("postgresql"), cut=cut)
    rows: Sequence[Sequence[Any]] = (await session.execute(stmt)).all()
    return rows


async def search(
    session: AsyncSession,
    *,
    columns: tuple[str, ...],
    words: Sequence[str],
    limit: int,
    selection: Selection,
    need: int | None = None,
) -> Sequence[Sequence[Any]]:
    """The tickets of `selection` holding at least `need` of `words` (default: all), best
    first: their `columns` and their score (last)."""
    need = need or len(words)
    if dialect_of(session) == "postgresql":
        # Without conditions, visiting only the best documents' tickets answers unless fewer
        # than `limit` come back (few matches, or documents no ticket holds): then all.
        everyone = selection.unfiltered and selection.own_agent is None
        found: Sequence[Sequence[Any]] = []
        for cut in (True, False) if everyone else (False,):
            found = await _pg_search_rows(session, columns, words, need, limit, selection, cut=cut)
            if len(found) == limit:
                break
        return found
    await _refresh_sqlite(session)
    fts: Any = literal_column("tickets_fts")
    # Quoted terms: FTS5 reads them as plain strings, never as query syntax.
    either = ["(" + " OR ".join(f'"{f}"' for f in forms(w)) + ")" for w in words]
    groups = itertools.combinations(either, need)
    match = " OR ".join("(" + " AND ".join(group) + ")" for group in groups)
    score = -func.bm25(fts)
    stmt = (
        select(*(_tickets.c[name] for name in columns), score)
        .join_from(_tickets, _fts, _fts.c.rowid == _tickets.c.id)
        .where(fts.op("MATCH")(match), *selection.conditions("sqlite"))
        .order_by(score.desc(), _tickets.c.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).all()
