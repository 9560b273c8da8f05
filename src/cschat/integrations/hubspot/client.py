"""HubSpot CRM client: tickets search/list, pipelines and owners, with HubSpot's retry rules.

HubSpot answers 429 with a JSON body whose `policyName` says which limit was hit:
`TEN_SECONDLY_ROLLING` (the burst limit, about 10 s to clear), `SECONDLY` (the search API's own
per-second limit) or `DAILY` (nothing helps until midnight, so the run stops). A client-side
throttle keeps us under both rolling limits so 429s stay the exception. Every wait goes through
the injected `sleep` and is multiplied by `HUBSPOT_TIME_SCALE`, so tests ride out storms fast.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from cschat.core.config import HubSpotSettings

log = structlog.get_logger(__name__)

SEARCH_RESULT_CAP = 10_000  # HubSpot's search API refuses to page past this many results
SEARCH_PAGE_SIZE = 200  # the search API's maximum `limit`
LIST_PAGE_SIZE = 100
TEN_SECONDS = 10.0
ONE_SECOND = 1.0
# Requests leave slightly more than a window apart: the server measures arrival, not departure,
# and arrival times jitter by a few milliseconds.
WINDOW_MARGIN = 1.02
WINDOW_PADDING_SECONDS = 0.01
# A longer Retry-After is not waited out: a few capped retries, then the run says it failed.
MAX_RETRY_AFTER_SECONDS = 60.0

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class HubSpotError(Exception):
    """A HubSpot call failed for good; `run_status` is what the sync ledger records."""

    run_status = "failed"

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class HubSpotAuthError(HubSpotError):
    run_status = "unauthorized"


class HubSpotDailyLimit(HubSpotError):
    run_status = "daily_limit"


@dataclass(frozen=True)
class ApiPaths:
    """Where tickets, ticket pipelines and owners live under one API version."""

    tickets: str
    pipelines: str
    owners: str


def api_paths(prefix: str) -> ApiPaths:
    """`/crm/v3` gives the classic layout; a dated version (`2026-03`) gives the dated one."""
    dated = re.search(r"(\d{4}-\d{2})$", prefix.rstrip("/"))
    if dated:
        version = dated.group(1)
        return ApiPaths(
            tickets=f"/crm/objects/{version}/tickets",
            pipelines=f"/crm/pipelines/{version}/tickets",
            owners=f"/crm/owners/{version}",
        )
    base = "/" + prefix.strip("/")
    return ApiPaths(
        tickets=f"{base}/objects/tickets",
        pipelines=f"{base}/pipelines/tickets",
        owners=f"{base}/owners",
    )


class RollingWindow:
    """At most `limit` acquisitions in any `window` seconds (0 = unlimited)."""

    def __init__(self, limit: int, window: float, *, clock: Clock, sleep: Sleep) -> None:
        self.limit = limit
        self.window = window * WINDOW_MARGIN + WINDOW_PADDING_SECONDS
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.limit <= 0:
            return
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                await self._sleep(self._sent[0] + self.window - now)


@dataclass
class ClientStats:
    """Counts for logs, the run ledger and the benchmark."""

    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0


class HubSpotClient:
    """Async HubSpot client; use as `async with HubSpotClient(settings) as client`."""

    def __init__(
        self,
        settings: HubSpotSettings,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        transport: httpx.AsyncBaseTransport | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if settings.token is None:
            raise HubSpotAuthError("HUBSPOT_TOKEN is not set.")
        self.paths = api_paths(settings.api_prefix)
        self._token = settings.token
        self.max_retries = settings.max_retries
        self.scale = settings.time_scale
        self.stats = ClientStats()
        self._sleep_fn = sleep
        self._jitter = jitter
        self._burst = RollingWindow(
            settings.requests_per_10s, TEN_SECONDS * self.scale, clock=clock, sleep=self._sleep
        )
        self._search = RollingWindow(
            settings.search_per_second, ONE_SECOND * self.scale, clock=clock, sleep=self._sleep
        )
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            headers={
                "Authorization": f"Bearer {settings.token.get_secret_value()}",
                "Accept": "application/json",
            },
            timeout=settings.timeout_seconds,
            transport=transport,
        )

    async def __aenter__(self) -> HubSpotClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def search_tickets(self, body: dict[str, Any]) -> dict[str, Any]:
        """One page of `POST .../tickets/search`."""
        return await self._call("POST", f"{self.paths.tickets}/search", json=body, search=True)

    async def list_tickets(
        self, *, archived: bool, properties: list[str], after: str | None = None
    ) -> dict[str, Any]:
        """One page of `GET .../tickets` (the only way to see archived tickets)."""
        params: dict[str, str | int] = {
            "limit": LIST_PAGE_SIZE,
            "archived": str(archived).lower(),
            "properties": ",".join(properties),
        }
        if after:
            params["after"] = after
        return await self._call("GET", self.paths.tickets, params=params)

    async def pipelines(self) -> list[dict[str, Any]]:
        """Every ticket pipeline with its stages."""
        body = await self._call("GET", self.paths.pipelines)
        return list(body.get("results") or [])

    async def owners(self, *, archived: bool) -> list[dict[str, Any]]:
        """Every owner, all pages; `archived=True` gives only the archived ones."""
        owners: list[dict[str, Any]] = []
        after: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, str | int] = {
                "limit": LIST_PAGE_SIZE,
                "archived": str(archived).lower(),
            }
            if after:
                params["after"] = after
            body = await self._call("GET", self.paths.owners, params=params)
            owners.extend(body.get("results") or [])
            after = next_unseen_after(body, seen)
            if after is None:
                return owners

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.stats.waited_seconds += seconds
            await self._sleep_fn(seconds)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str | int] | None = None,
        search: bool = False,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            attempt += 1
            # Search is exempt from the ten-secondly limit and has its own per-second one.
            await (self._search if search else self._burst).acquire()
            self.stats.requests += 1
            try:
                response = await self._http.request(method, path, json=json, params=params)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                if attempt > self.max_retries:
                    raise HubSpotError(
                        f"HubSpot unreachable after {attempt} attempts ({type(exc).__name__})."
                    ) from None
                await self._retry(self._backoff(attempt), reason=type(exc).__name__, path=path)
                continue
            status = response.status_code
            if status < 300:
                try:
                    payload = response.json()
                except ValueError:
                    # A truncated body or a proxy's HTML page: usually gone on the next try.
                    if attempt > self.max_retries:
                        raise HubSpotError(
                            f"HubSpot answered {status} without a JSON body after {attempt} "
                            "attempts.",
                            http_status=status,
                        ) from None
                    await self._retry(self._backoff(attempt), reason="invalid JSON", path=path)
                    continue
                if not isinstance(payload, dict):
                    raise HubSpotError(
                        f"HubSpot answered {status} with JSON that is not an object.",
                        http_status=status,
                    )
                return payload
            # HubSpot's message may quote the token back; it must not reach the ledger or logs.
            message = error_message(response).replace(self._token.get_secret_value(), "[token]")
            if status == 429:
                policy = policy_name(response)
                if policy == "DAILY":
                    raise HubSpotDailyLimit(
                        f"HubSpot's daily API limit is reached; the sync stops until it resets. "
                        f"({message})",
                        http_status=429,
                    )
                if attempt > self.max_retries:
                    raise HubSpotError(
                        f"HubSpot kept rate limiting ({policy or 'no policy'}) after "
                        f"{attempt} attempts.",
                        http_status=429,
                    )
                secondly = policy == "SECONDLY" or (policy is None and search)
                base = ONE_SECOND if secondly else TEN_SECONDS
                wait = retry_after(response)
                await self._retry(
                    (wait if wait is not None else base * attempt) * self.scale,
                    reason=policy or "429",
                    path=path,
                )
                continue
            if status >= 500:
                if attempt > self.max_retries:
                    raise HubSpotError(
                        f"HubSpot answered {status} after {attempt} attempts ({message}).",
                        http_status=status,
                    )
                await self._retry(self._backoff(attempt), reason=str(status), path=path)
                continue
            if status in (401, 403):
                raise HubSpotAuthError(
                    f"HubSpot refused the token ({status}): check HUBSPOT_TOKEN and its scopes. "
                    f"({message})",
                    http_status=status,
                )
            raise HubSpotError(f"HubSpot answered {status}: {message}", http_status=status)

    def _backoff(self, attempt: int) -> float:
        # Short exponential backoff, capped, with jitter so replicas do not retry in step.
        base = min(0.5 * 2.0 ** (attempt - 1), 8.0)
        return base * (0.5 + self._jitter()) * self.scale

    async def _retry(self, wait: float, *, reason: str, path: str) -> None:
        self.stats.retries += 1
        log.info("hubspot.retry", reason=reason, path=path, wait_seconds=round(wait, 3))
        await self._sleep(wait)


def next_unseen_after(body: dict[str, Any], seen: set[str]) -> str | None:
    """`next_after`, remembered in `seen`; HubSpotError when HubSpot repeats a cursor, which
    would page forever."""
    after = next_after(body)
    if after is not None:
        if after in seen:
            raise HubSpotError(f"HubSpot repeated a page cursor ({after[:40]!r}).")
        seen.add(after)
    return after


def next_after(body: dict[str, Any]) -> str | None:
    """The `paging.next.after` cursor of a page, or None on the last page."""
    paging = body.get("paging")
    nxt = paging.get("next") if isinstance(paging, dict) else None
    after = nxt.get("after") if isinstance(nxt, dict) else None
    return str(after) if after not in (None, "") else None


def policy_name(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    policy = body.get("policyName") if isinstance(body, dict) else None
    return str(policy).upper() if policy else None


def retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    try:
        wait = float(raw) if raw is not None else None
    except ValueError:
        return None
    # "inf" or "nan" would wait forever (or not at all): ignored like an unreadable value.
    if wait is None or not math.isfinite(wait):
        return None
    return min(max(0.0, wait), MAX_RETRY_AFTER_SECONDS)


def error_message(response: httpx.Response) -> str:
    """HubSpot's own `message`, shortened; never the request (it would carry the token)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no details"
    message = body.get("message") if isinstance(body, dict) else None
    return str(message)[:300] if message else response.reason_phrase or "no details"
