"""The fake's state: generated tickets, edits for tests, injected failures, limits, queries."""

from __future__ import annotations

import base64
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse

from tests.fakes.hubspot.catalog import (
    BASE_MS,
    CATEGORIES,
    CLOSED_STAGES,
    DATE_PROPERTIES,
    DEFAULT_PROPERTIES,
    FIRST,
    LAST,
    NUMERIC_PROPERTIES,
    OPEN_STAGES,
    PRIORITIES,
    SEARCH_CAP,
    SOURCES,
    SUBJECTS,
    TEAMS,
    TOKEN,
    YEAR_MS,
    iso,
    to_ms,
)
from tests.fakes.hubspot.errors import error, error_body, rate_limited

FAILURE_KINDS = ("ten_secondly", "secondly", "daily", "500", "502", "503")
# Paging misbehaviours for robustness tests: a search or list page, or an owners page, that points
# back at a page already served; a first search page that comes back empty yet points further.
QUIRKS = frozenset(
    {"search_repeats_cursor", "list_repeats_cursor", "owners_repeat_cursor", "empty_first_page"}
)


@dataclass
class FakeTicket:
    id: str
    properties: dict[str, str | None]
    archived: bool = False
    archived_at: int | None = None
    # Property values sent exactly as given (odd upstream data), in place of the stored ones.
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def modified_ms(self) -> int:
        return int(self.properties["hs_lastmodifieddate"] or 0)

    def wire(self, wanted: list[str] | None) -> dict[str, Any]:
        names = list(DEFAULT_PROPERTIES) + [p for p in wanted or [] if p not in DEFAULT_PROPERTIES]
        props: dict[str, str | None] = {}
        for name in names:
            value = self.properties.get(name)
            props[name] = iso(int(value)) if name in DATE_PROPERTIES and value else value
        props.update(self.raw)
        body: dict[str, Any] = {
            "id": self.id,
            "properties": props,
            "createdAt": iso(int(self.properties["createdate"] or 0)),
            "updatedAt": iso(self.modified_ms),
            "archived": self.archived,
        }
        if self.archived_at is not None:
            body["archivedAt"] = iso(self.archived_at)
        return body


@dataclass
class Limits:
    """HubSpot's rolling limits as the fake enforces them (window lengths scaled)."""

    per_10s: int = 100
    search_per_second: int = 4
    scale: float = 1.0
    burst: deque[float] = field(default_factory=deque)
    search: deque[float] = field(default_factory=deque)


class FakeHubSpot:
    """The fake's state; every method is safe to call from the test thread while it serves."""

    def __init__(
        self, tickets: int = 1000, *, seed: int = 7, owners: int = 12, one_stamp: bool = False
    ) -> None:
        self.lock = threading.RLock()
        self.token = TOKEN
        self.rng = random.Random(seed)
        self.failures: deque[str] = deque()
        self.fail_every: tuple[int, str] | None = None
        self.limits: Limits | None = None
        self.requests: dict[str, int] = {}
        self.rate_limited = 0
        # HubSpot can list a ticket twice in one page when it changes while the query runs;
        # "stale" sends the second copy as it was before the change.
        self.repeat_in_page: bool | str = False
        self.quirks: set[str] = set()
        self._query_cache: dict[str, tuple[int, list[FakeTicket]]] = {}
        self._version = 0
        self._clock_ms = BASE_MS
        self.owners = self._make_owners(owners)
        self.tickets: dict[str, FakeTicket] = {}
        for n in range(tickets):
            self._add_generated(n)
        if one_stamp:
            # A bulk import: every ticket carries the same modification time.
            for ticket in self.tickets.values():
                ticket.properties["hs_lastmodifieddate"] = str(BASE_MS - 1)

    # ---- data -------------------------------------------------------------------------------
    def _make_owners(self, count: int) -> list[dict[str, Any]]:
        owners = []
        for n in range(count):
            first, last = FIRST[n % len(FIRST)], LAST[(n * 3) % len(LAST)]
            team_id, team_name = TEAMS[n % len(TEAMS)]
            owners.append(
                {
                    "id": str(100 + n),
                    "email": f"{first.lower()}.{last.lower()}{n}@support.example",
                    "firstName": first,
                    "lastName": last,
                    "userId": 5000 + n,
                    "type": "PERSON",
                    "createdAt": iso(BASE_MS - YEAR_MS),
                    "updatedAt": iso(BASE_MS - YEAR_MS),
                    # Every fourth owner has left: archived, yet still owns old tickets.
                    "archived": n % 4 == 3,
                    "teams": [{"id": team_id, "name": team_name, "primary": True}],
                }
            )
        return owners

    def _add_generated(self, n: int) -> None:
        rng = self.rng
        created = BASE_MS - YEAR_MS + rng.randrange(YEAR_MS - 86_400_000)
        # Bulk imports stamp many tickets with one modification time: ties on the sort key.
        if n % 50 < 5:
            modified = created - created % 3_600_000 + 3_600_000
        else:
            modified = created + rng.randrange(1, 7 * 86_400_000)
        modified = min(modified, BASE_MS - 1)
        closed = rng.random() < 0.6
        pipeline, stage = rng.choice(CLOSED_STAGES if closed else OPEN_STAGES)
        owner = rng.choice([*self.owners, None])
        close_ms = rng.randrange(10 * 60_000, 5 * 86_400_000)
        props: dict[str, str | None] = {
            "hs_object_id": str(1000 + n),
            "subject": f"{rng.choice(SUBJECTS)} #{n}",
            "content": rng.choice([f"Customer writes about case {n}.", None]),
            "hs_resolution": f"Solved case {n}." if closed else None,
            "hs_ticket_category": rng.choice(CATEGORIES),
            "hs_ticket_priority": rng.choice(PRIORITIES),
            "source_type": rng.choice(SOURCES),
            "createdate": str(created),
            "hs_lastmodifieddate": str(modified),
            "closed_date": str(created + close_ms) if closed else None,
            "time_to_close": str(close_ms) if closed else None,
            "time_to_first_agent_reply": str(rng.randrange(60_000, 86_400_000)),
            "hubspot_owner_id": owner["id"] if owner else None,
            "hs_pipeline": pipeline,
            "hs_pipeline_stage": stage,
            "hs_ticket_language": rng.choice(["es", "en"]),
        }
        self.tickets[props["hs_object_id"] or ""] = FakeTicket(str(1000 + n), props)

    def now_ms(self) -> int:
        """Modification clock: real time, strictly increasing, never before the generated data."""
        with self.lock:
            self._clock_ms = max(self._clock_ms + 1, int(time.time() * 1000))
            return self._clock_ms

    def _touch(self, ticket: FakeTicket) -> None:
        ticket.properties["hs_lastmodifieddate"] = str(self.now_ms())
        self._version += 1

    def _pick(self, n: int, predicate: Any) -> list[FakeTicket]:
        candidates = sorted(
            (t for t in self.tickets.values() if not t.archived and predicate(t)),
            key=lambda t: int(t.id),
        )
        return self.rng.sample(candidates, min(n, len(candidates)))

    def change(self, n: int) -> list[str]:
        """Edit subject and priority of `n` live tickets; returns their ids."""
        with self.lock:
            picked = self._pick(n, lambda t: True)
            for ticket in picked:
                ticket.properties["subject"] = f"{ticket.properties['subject']} (edited)"
                ticket.properties["hs_ticket_priority"] = "URGENT"
                self._touch(ticket)
            return [t.id for t in picked]

    def reopen(self, n: int) -> list[str]:
        """Move `n` closed tickets back to an open stage, as HubSpot does on a customer reply."""
        closed = {stage for _, stage in CLOSED_STAGES}
        with self.lock:
            picked = self._pick(n, lambda t: t.properties["hs_pipeline_stage"] in closed)
            for ticket in picked:
                pipeline = ticket.properties["hs_pipeline"]
                ticket.properties["hs_pipeline_stage"] = "3" if pipeline == "0" else "772"
                ticket.properties["closed_date"] = None
                ticket.properties["time_to_close"] = None
                self._touch(ticket)
            return [t.id for t in picked]

    def archive(self, n: int) -> list[str]:
        """Archive `n` tickets (HubSpot's delete: they leave search, list with archived=true)."""
        with self.lock:
            picked = self._pick(n, lambda t: True)
            for ticket in picked:
                ticket.archived = True
                ticket.archived_at = self.now_ms()
                self._version += 1
            return [t.id for t in picked]

    def create(self, n: int) -> list[str]:
        """Add `n` new tickets modified now."""
        with self.lock:
            start = len(self.tickets)
            for k in range(start, start + n):
                self._add_generated(k)
                self._touch(self.tickets[str(1000 + k)])
            return [str(1000 + k) for k in range(start, start + n)]

    def live(self) -> list[FakeTicket]:
        with self.lock:
            return [t for t in self.tickets.values() if not t.archived]

    # ---- failures and limits ----------------------------------------------------------------
    def fail_next(self, count: int, kind: str) -> None:
        """The next `count` calls fail with `kind`: ten_secondly, secondly, daily, 500, 503..."""
        with self.lock:
            self.failures.extend([kind] * count)

    def enforce_limits(
        self, per_10s: int = 100, search_per_second: int = 4, scale: float = 1.0
    ) -> None:
        with self.lock:
            self.limits = Limits(per_10s, search_per_second, scale)

    def injected_failure(self) -> JSONResponse | None:
        with self.lock:
            kind = self.failures.popleft() if self.failures else None
            if kind is None and self.fail_every is not None:
                every, every_kind = self.fail_every
                if sum(self.requests.values()) % every == 0:
                    kind = every_kind
        if kind is None:
            return None
        if kind in ("ten_secondly", "secondly", "daily"):
            return rate_limited(
                {"ten_secondly": "TEN_SECONDLY_ROLLING", "secondly": "SECONDLY"}.get(kind, "DAILY")
            )
        return error(int(kind), "Internal error", "INTERNAL_ERROR")

    def over_limit(self, search: bool) -> JSONResponse | None:
        with self.lock:
            limits = self.limits
            if limits is None:
                return None
            now = time.monotonic()
            if search:
                window, limit, sent, policy = (
                    1.0,
                    limits.search_per_second,
                    limits.search,
                    "SECONDLY",
                )
            else:
                window, limit, sent, policy = (
                    10.0,
                    limits.per_10s,
                    limits.burst,
                    "TEN_SECONDLY_ROLLING",
                )
            window *= limits.scale
            while sent and sent[0] <= now - window:
                sent.popleft()
            if len(sent) >= limit:
                self.rate_limited += 1
                return rate_limited(policy)
            sent.append(now)
            return None

    # ---- queries ----------------------------------------------------------------------------
    def search(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        sorts = body.get("sorts") or []
        if len(sorts) > 1:
            return 400, error_body("Only one sort is supported.", "VALIDATION_ERROR")
        limit = int(body.get("limit") or 10)
        if not 1 <= limit <= 200:
            return 400, error_body("limit must be between 1 and 200.", "VALIDATION_ERROR")
        after = int(body.get("after") or 0)
        if after + limit > SEARCH_CAP:
            return 400, error_body(
                "The search API cannot page past 10000 results.", "VALIDATION_ERROR"
            )
        groups = body.get("filterGroups") or []
        key = repr((groups, sorts))
        with self.lock:
            cached = self._query_cache.get(key)
            if cached is None or cached[0] != self._version:
                matches = [
                    t for t in self.tickets.values() if not t.archived and _matches(t, groups)
                ]
                matches.sort(key=_sort_key(sorts))
                self._query_cache = {key: (self._version, matches)}
            else:
                matches = cached[1]
            page = matches[after : after + limit]
        results = [t.wire(body.get("properties")) for t in page]
        if self.repeat_in_page and results:
            copy = {**results[0], "properties": dict(results[0]["properties"])}
            if self.repeat_in_page == "stale":
                copy["properties"].update(subject="(stale copy)", hs_lastmodifieddate=iso(0))
            results.append(copy)
        if "empty_first_page" in self.quirks and after == 0:
            results = []
        out: dict[str, Any] = {"total": len(matches), "results": results}
        if after + limit < len(matches):
            repeat = "search_repeats_cursor" in self.quirks and after > 0
            out["paging"] = {"next": {"after": str(after if repeat else after + limit)}}
        return 200, out

    def list_page(self, params: dict[str, str]) -> dict[str, Any]:
        archived = params.get("archived", "false").lower() == "true"
        limit = min(int(params.get("limit") or 10), 100)
        start = (
            int(base64.urlsafe_b64decode(params["after"]).decode()) if params.get("after") else 0
        )
        wanted = [p for p in (params.get("properties") or "").split(",") if p]
        with self.lock:
            rows = sorted(
                (t for t in self.tickets.values() if t.archived == archived and int(t.id) > start),
                key=lambda t: int(t.id),
            )
        page = rows[:limit]
        out: dict[str, Any] = {"results": [t.wire(wanted) for t in page]}
        if len(rows) > limit:
            last = str(start) if "list_repeats_cursor" in self.quirks and start else page[-1].id
            cursor = base64.urlsafe_b64encode(last.encode()).decode()
            out["paging"] = {"next": {"after": cursor, "link": f"?after={cursor}"}}
        return out

    def owners_page(self, params: dict[str, str]) -> dict[str, Any]:
        archived = params.get("archived", "false").lower() == "true"
        limit = min(int(params.get("limit") or 100), 500)
        start = int(params.get("after") or 0)
        rows = [o for o in self.owners if o["archived"] == archived]
        out: dict[str, Any] = {"results": rows[start : start + limit]}
        if start + limit < len(rows):
            repeat = "owners_repeat_cursor" in self.quirks and start > 0
            out["paging"] = {"next": {"after": str(start if repeat else start + limit)}}
        return out


def _value(ticket: FakeTicket, name: str) -> str | None:
    return ticket.properties.get(name)


def _coerce(name: str, value: str) -> Any:
    if name in DATE_PROPERTIES:
        return to_ms(value)
    if name in NUMERIC_PROPERTIES:
        return int(value)
    return value


def _matches(ticket: FakeTicket, groups: list[dict[str, Any]]) -> bool:
    if not groups:
        return True
    return any(all(_filter(ticket, f) for f in g.get("filters") or []) for g in groups)


def _filter(ticket: FakeTicket, spec: dict[str, Any]) -> bool:
    name, op = spec["propertyName"], spec["operator"]
    raw = _value(ticket, name)
    if op == "HAS_PROPERTY":
        return raw is not None
    if op == "NOT_HAS_PROPERTY":
        return raw is None
    if raw is None:
        return op in ("NEQ", "NOT_IN")
    have = _coerce(name, raw)
    if op in ("IN", "NOT_IN"):
        inside = have in {_coerce(name, v) for v in spec.get("values") or []}
        return inside if op == "IN" else not inside
    want = _coerce(name, str(spec.get("value")))
    if op == "BETWEEN":
        return bool(want <= have <= _coerce(name, str(spec.get("highValue"))))
    comparisons = {
        "EQ": have == want,
        "NEQ": have != want,
        "GT": have > want,
        "GTE": have >= want,
        "LT": have < want,
        "LTE": have <= want,
    }
    return bool(comparisons[op])


def _sort_key(sorts: list[Any]) -> Any:
    if not sorts:
        return lambda t: int(t.id)
    sort = sorts[0]
    name = sort if isinstance(sort, str) else sort.get("propertyName")
    descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
    sign = -1 if descending else 1

    def key(ticket: FakeTicket) -> tuple[int, Any, int]:
        raw = _value(ticket, name)
        if raw is None:
            return (1, 0, int(ticket.id))
        value = _coerce(name, raw)
        # Ties come back in object id order, as HubSpot appears to do (not a documented promise).
        return (0, sign * value if isinstance(value, int) else value, int(ticket.id))

    return key
