"""Recently verified ID tokens, so a session's cookie is checked cryptographically once.

The same token bytes always verify the same way until they expire, so reusing the claims is as
safe as verifying again; `exp` is still checked on every hit. Bounded: oldest entries go first.
The account itself (status, role) is still read from the database on every request.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

MAX_ENTRIES = 10_000


class VerifiedTokens:
    def __init__(self, *, leeway_seconds: int, max_entries: int = MAX_ENTRIES) -> None:
        self.leeway = leeway_seconds
        self.max_entries = max_entries
        self._entries: dict[bytes, dict[str, Any]] = {}

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> dict[str, Any] | None:
        """The claims of a token verified before and not yet expired, else None."""
        key = self._key(token)
        claims = self._entries.get(key)
        if claims is None:
            return None
        if claims["exp"] + self.leeway <= time.time():
            self._entries.pop(key, None)
            return None
        return claims

    def put(self, token: str, claims: dict[str, Any]) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[self._key(token)] = claims
