"""An async, cached JWKS client: keys by `kid`, fetched again only for a `kid` it has not seen."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import structlog

from cschat.core.errors import Unauthorized, UpstreamError

log = structlog.get_logger(__name__)


class JwksCache:
    """Signing keys of one JWKS URL; an unknown `kid` triggers at most one refetch per interval."""

    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        min_refetch_seconds: float = 30.0,
        unknown_kid_detail: str = "Unknown signing key.",
    ) -> None:
        self.url = url
        self.http = http
        self.min_refetch_seconds = min_refetch_seconds
        self.unknown_kid_detail = unknown_kid_detail
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key with this `kid`; refetches once if unseen, then Unauthorized."""
        found = self._keys.get(kid)
        if found is not None:
            return found
        async with self._lock:
            found = self._keys.get(kid)
            if found is None and self._may_refetch():
                if not await self._fetch() and not self._keys:
                    raise UpstreamError("The identity provider's signing keys are unreachable.")
                found = self._keys.get(kid)
        if found is None:
            raise Unauthorized(self.unknown_kid_detail)
        return found

    def _may_refetch(self) -> bool:
        return (
            self._fetched_at is None
            or time.monotonic() - self._fetched_at >= self.min_refetch_seconds
        )

    async def _fetch(self) -> bool:
        """Replace the keys with the published set; False (keys kept) when that fails."""
        self._fetched_at = time.monotonic()
        try:
            response = await self.http.get(self.url, timeout=5.0)
            response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            # Keep the keys we had: a JWKS outage must not sign everyone out.
            log.warning("jwks_fetch_failed", url=self.url, error_type=type(exc).__name__)
            return False
        self._keys = {k.key_id: k for k in key_set.keys if k.key_id}
        return True
