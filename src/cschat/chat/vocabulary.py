"""The values the local agent matches filters against, read from the tickets and cached.

Distinct values per dimension and agent display names (`attributes.agent_name`) are read once per
process and again only when the data changes (`data_as_of`, checked at most every few seconds), so a
chat message usually costs no query here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cschat.chat.agents.local.filters import DEFAULT_SYNONYMS, DIMENSIONS, Vocabulary
from cschat.core.config import ChatSettings, load_synonyms
from cschat.tickets import daily
from cschat.tickets.models import Ticket
from cschat.tickets.queries import data_as_of, dialect_of

Synonyms = Mapping[str, Mapping[str, Sequence[str]]]


def merged_synonyms(extra: Synonyms | None) -> Synonyms:
    """The built-in synonym map with the configured one laid over it (phrases are added)."""
    out: dict[str, dict[str, list[str]]] = {
        d: {v: list(p) for v, p in values.items()} for d, values in DEFAULT_SYNONYMS.items()
    }
    for dimension, values in (extra or {}).items():
        for value, phrases in values.items():
            out.setdefault(dimension, {}).setdefault(value, []).extend(phrases)
    return out


def configured_synonyms(settings: ChatSettings) -> Synonyms:
    """The built-in map plus `AGENT_SYNONYMS_FILE`, when set."""
    path = settings.synonyms_file
    return merged_synonyms(load_synonyms(path) if path else None)


async def read_vocabulary(session: AsyncSession, synonyms: Synonyms) -> Vocabulary:
    """Distinct non-empty values per dimension and `{agent name: agent}` from the tickets."""
    values: dict[str, list[str]] = {}
    # While a bulk load's changes wait to be merged, its new values are only in `tickets`.
    ready = dialect_of(session) == "postgresql" and await daily.ready_zone(session) is not None
    for dimension in DIMENSIONS:
        if ready:
            # A few thousand summary rows instead of an index or table scan of every ticket.
            rows = await session.scalars(daily.distinct_values(dimension))
        else:
            column = getattr(Ticket, dimension)
            rows = await session.scalars(select(column).where(column.is_not(None)).distinct())
        values[dimension] = sorted(v for v in rows if v and v.strip())
    name = Ticket.attributes["agent_name"].as_string()
    stmt = select(Ticket.agent, name).where(Ticket.agent.is_not(None), name.is_not(None))
    names = {row[1]: row[0] for row in (await session.execute(stmt.distinct())).all() if row[1]}
    return Vocabulary(values=values, aliases={"agent": names}, synonyms=synonyms)


class VocabularyCache:
    """A `VocabularySource` for the local agent: re-read only when `data_as_of` changes."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        synonyms: Synonyms,
        *,
        check_every_seconds: float = 2.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._synonyms = synonyms
        self._check_every = check_every_seconds
        self._lock = asyncio.Lock()
        self._vocabulary: Vocabulary | None = None
        self._as_of: str | None = None
        self._checked = 0.0

    async def __call__(self) -> Vocabulary:
        """The current vocabulary; at most one data_as_of query per `check_every_seconds`."""
        if self._vocabulary is not None and time.monotonic() - self._checked < self._check_every:
            return self._vocabulary
        async with self._lock:
            if (
                self._vocabulary is not None
                and time.monotonic() - self._checked < self._check_every
            ):
                return self._vocabulary
            async with self._sessionmaker() as session:
                as_of = await data_as_of(session)
                if self._vocabulary is None or as_of != self._as_of:
                    self._vocabulary = await read_vocabulary(session, self._synonyms)
                    self._as_of = as_of
            self._checked = time.monotonic()
            return self._vocabulary
