"""Incremental, crash-safe HubSpot ticket sync.

Tickets are read through the search API by `hs_lastmodifieddate` ascending, 200 per page, from
the saved cursor minus a lag margin (HubSpot's search index trails writes by a few seconds). Each
page is upserted and the cursor saved in one transaction, so a killed sync resumes where it was.
The search API stops at 10,000 results per query; the sweep then restarts from the last timestamp
it saw, and when 10,000 tickets share one timestamp it walks that timestamp by `hs_object_id`.
Archived tickets (the list endpoint with `archived=true`) are deleted here, so analytics never
count them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cschat.core.config import HubSpotSettings
from cschat.core.db import utcnow
from cschat.integrations.hubspot import repository
from cschat.integrations.hubspot.client import (
    SEARCH_PAGE_SIZE,
    SEARCH_RESULT_CAP,
    HubSpotClient,
    HubSpotError,
    next_after,
    next_unseen_after,
)
from cschat.integrations.hubspot.mapping import (
    BOOKKEEPING_PROPERTIES,
    MAPPED_PROPERTIES,
    SOURCE,
    Owner,
    Stage,
    epoch_ms,
    owner_map,
    stage_map,
    ticket_id,
    to_row,
)
from cschat.tickets import search
from cschat.tickets.upsert import Row, upsert_tickets

log = structlog.get_logger(__name__)

MODIFIED = "hs_lastmodifieddate"
OBJECT_ID = "hs_object_id"

# (tickets fetched so far, tickets the first search said were waiting)
Progress = Callable[[int, int | None], None]


@dataclass
class Totals:
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    removed: int = 0
    errors: int = 0


def _search_body(
    filters: list[dict[str, str]], sort: str, properties: list[str], after: int
) -> dict[str, Any]:
    return {
        "filterGroups": [{"filters": filters}],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": SEARCH_PAGE_SIZE,
        "after": str(after),
    }


def _modified_ms(obj: Any) -> int:
    """A result's hs_lastmodifieddate; 0 when unreadable (its row reports why, if it matters)."""
    try:
        props = obj.get("properties") or {}
        return epoch_ms(props.get(MODIFIED) or obj.get("updatedAt")) or 0
    except (AttributeError, TypeError, ValueError):
        return 0


def _object_id(obj: Any) -> str:
    try:
        return ticket_id(obj)
    except ValueError:
        return ""


def _next_search_after(page: dict[str, Any], after: int) -> int | None:
    """The page's numeric `after`; HubSpotError when it would not move the query forward."""
    nxt = next_after(page)
    if nxt is None:
        return None
    if not (nxt.isascii() and nxt.isdigit()) or int(nxt) <= after:
        raise HubSpotError(f"HubSpot sent a page cursor that does not advance ({nxt[:40]!r}).")
    return int(nxt)


class TicketSync:
    """One sync run: sweep modified tickets, then remove archived ones."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: HubSpotClient,
        settings: HubSpotSettings,
        *,
        run_id: int,
        on_progress: Progress | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.client = client
        self.settings = settings
        self.run_id = run_id
        self.on_progress = on_progress
        self.totals = Totals()
        self.properties = list(
            dict.fromkeys(
                [
                    *MAPPED_PROPERTIES,
                    *BOOKKEEPING_PROPERTIES,
                    *settings.extra_properties,
                ]
            )
        )
        self.stages: dict[tuple[str, str], Stage] = {}
        self.owners: dict[str, Owner] = {}
        self._expected: int | None = None
        self._cursor_ms: int | None = None

    async def run(self, *, full: bool) -> Totals:
        """Sweep from the cursor (or from the start with `full`), then drop archived tickets."""
        self.stages = stage_map(await self.client.pipelines())
        self.owners = owner_map(
            await self.client.owners(archived=False) + await self.client.owners(archived=True)
        )
        async with self.sessionmaker() as session:
            if full:
                # Forget the cursor first: a full run killed midway resumes as a full run.
                await repository.save_cursor(session, SOURCE, cursor_ms=None, cursor_id=None)
                await session.commit()
            state = await repository.get_state(session, SOURCE)
            self._cursor_ms = state.cursor_ms if state else None
        lag_ms = self.settings.lag_seconds * 1000
        start = max(0, self._cursor_ms - lag_ms) if self._cursor_ms is not None else 0
        await self._sweep(start)
        await self._remove_archived()
        if self.totals.updated or self.totals.removed:
            async with self.sessionmaker() as session:
                await search.prune(session)  # documents of replaced or removed texts
        if full:
            async with self.sessionmaker() as session:
                await repository.save_cursor(
                    session,
                    SOURCE,
                    cursor_ms=self._cursor_ms,
                    cursor_id=None,
                    full_at=utcnow(),
                )
                await session.commit()
        return self.totals

    async def _sweep(self, start_ms: int) -> None:
        """All tickets modified at or after `start_ms`, in windows of at most 10,000 results."""
        window_start = start_ms
        while True:
            filters = [{"propertyName": MODIFIED, "operator": "GTE", "value": str(window_start)}]
            capped = await self._pages(filters, MODIFIED)
            if capped is None:
                return
            first_ms, last_ms, _ = capped
            if last_ms > first_ms:
                window_start = last_ms  # GTE: tickets sharing last_ms are read again, harmlessly
                continue
            # 10,000 tickets with one timestamp: walk that timestamp by object id, then go past it.
            await self._walk_timestamp(last_ms)
            window_start = last_ms + 1

    async def _walk_timestamp(self, moment_ms: int) -> None:
        last_id = "0"
        while True:
            filters = [
                {"propertyName": MODIFIED, "operator": "EQ", "value": str(moment_ms)},
                {"propertyName": OBJECT_ID, "operator": "GT", "value": last_id},
            ]
            capped = await self._pages(filters, OBJECT_ID)
            if capped is None:
                return
            last_id = capped[2]

    async def _pages(self, filters: list[dict[str, str]], sort: str) -> tuple[int, int, str] | None:
        """Page one query; None when it ran out, else (first timestamp, last timestamp, last id)
        when it reached the cap.

        The next page is requested while this one is stored (the numeric `after` is known up
        front), so HubSpot's latency and our database time overlap instead of adding up.
        """

        def fetch(after: int) -> asyncio.Task[dict[str, Any]]:
            body = _search_body(filters, sort, self.properties, after)
            return asyncio.create_task(self.client.search_tickets(body))

        after = 0
        pending: asyncio.Task[dict[str, Any]] | None = fetch(after)
        first_ms: int | None = None
        last: tuple[int, str] | None = None
        try:
            while pending is not None:
                page = await pending
                pending = None
                if self._expected is None:
                    total = page.get("total")
                    self._expected = total if type(total) is int else 0
                results: list[dict[str, Any]] = page.get("results") or []
                if not isinstance(results, list):
                    raise HubSpotError("HubSpot sent a search page whose results are not a list.")
                nxt = _next_search_after(page, after)
                at_cap = nxt is not None and nxt + SEARCH_PAGE_SIZE > SEARCH_RESULT_CAP
                # An empty page may still point further (tickets archived while we page).
                if nxt is not None and not at_cap:
                    after = nxt
                    pending = fetch(after)
                if results:
                    if first_ms is None:
                        first_ms = _modified_ms(results[0])
                    last = await self._store(results)
                if at_cap and first_ms is not None and last is not None:
                    return first_ms, last[0], last[1]
            return None
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, HubSpotError):
                    await pending

    async def _store(self, results: list[dict[str, Any]]) -> tuple[int, str]:
        """Upsert one page and move the cursor, in one transaction."""
        rows: dict[tuple[str, str], tuple[int, Row]] = {}
        errors = 0
        for obj in results:
            try:
                row = to_row(obj, self.stages, self.owners)
                # One statement may not touch a row twice; the copy modified last wins (on a
                # tie, the later one).
                modified = _modified_ms(obj)
                key = (row[0], row[1])
                if key not in rows or modified >= rows[key][0]:
                    rows[key] = (modified, row)
            except (KeyError, ValueError, TypeError) as exc:
                errors += 1
                log.warning("hubspot.skip_ticket", ticket_id=_object_id(obj), reason=str(exc))
        newest = results[-1]
        last_ms = _modified_ms(newest)
        last_id = _object_id(newest)
        # A modification time in the future (a bad clock, bad data) must not carry the cursor
        # past every change still to come.
        cursor = max(self._cursor_ms or 0, min(last_ms, round(utcnow().timestamp() * 1000)))
        async with self.sessionmaker() as session:
            counts = await upsert_tickets(
                await session.connection(), [row for _, row in rows.values()]
            )
            await repository.save_cursor(
                session, SOURCE, cursor_ms=cursor, cursor_id=last_id[:64] or None
            )
            await repository.add_to_run(
                session,
                self.run_id,
                fetched=len(results),
                inserted=counts.inserted,
                updated=counts.updated,
                upserted=counts.upserted,
                errors=errors,
            )
            await session.commit()
        self._cursor_ms = cursor
        totals = self.totals
        totals.fetched += len(results)
        totals.inserted += counts.inserted
        totals.updated += counts.updated
        totals.errors += errors
        if self.on_progress:
            self.on_progress(totals.fetched, self._expected)
        return last_ms, last_id

    async def _remove_archived(self) -> None:
        after: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.client.list_tickets(
                archived=True, properties=[OBJECT_ID], after=after
            )
            ids = [i for i in map(_object_id, page.get("results") or []) if i]
            async with self.sessionmaker() as session:
                removed = await repository.delete_tickets(session, SOURCE, ids)
                await repository.add_to_run(session, self.run_id, removed=removed)
                await session.commit()
            self.totals.removed += removed
            after = next_unseen_after(page, seen)
            if after is None:
                return
