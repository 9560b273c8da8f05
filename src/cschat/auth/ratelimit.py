"""Failed sign-in counters per email and per IP: in memory, or in Redis when REDIS_URL is set.

A fixed window per key: the first failure opens it, `limit` failures inside it block the key until
it closes. Keys are hashed so emails never reach Redis in clear.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Protocol

from redis.asyncio import Redis

from cschat.core.config import Settings


def _key(kind: str, value: str) -> str:
    return f"cschat:login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class FailureStore(Protocol):
    async def blocked_for(self, key: str, limit: int) -> int:
        """Seconds until `key` may try again (0 when not blocked)."""
        ...

    async def add_failure(self, key: str, window: int) -> None: ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryFailureStore:
    """One process's counters (tests, single-process deployments)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, float]] = {}
        self._lock = asyncio.Lock()

    async def blocked_for(self, key: str, limit: int) -> int:
        count, expires = self._entries.get(key, (0, 0.0))
        remaining = expires - time.monotonic()
        if remaining <= 0:
            self._entries.pop(key, None)
            return 0
        return max(1, int(remaining + 0.999)) if count >= limit else 0

    async def add_failure(self, key: str, window: int) -> None:
        async with self._lock:
            now = time.monotonic()
            count, expires = self._entries.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + window
            self._entries[key] = (count + 1, expires)

    async def clear(self, key: str) -> None:
        self._entries.pop(key, None)

    async def close(self) -> None:
        self._entries.clear()


class RedisFailureStore:
    """Counters shared by every process that uses the same Redis."""

    def __init__(self, url: str) -> None:
        self._redis: Redis = Redis.from_url(url)

    async def blocked_for(self, key: str, limit: int) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.ttl(key)
            raw, ttl = await pipe.execute()
        if raw is None or int(raw) < limit:
            return 0
        return max(1, int(ttl))

    async def add_failure(self, key: str, window: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self._redis.delete(key)

    async def close(self) -> None:
        await self._redis.aclose()


class LoginLimiter:
    """Applies the per-email and per-IP limits from settings to a store."""

    def __init__(self, store: FailureStore, settings: Settings) -> None:
        self.store = store
        self.per_email = settings.auth.login_max_failures_per_email
        self.per_ip = settings.auth.login_max_failures_per_ip
        self.window = settings.auth.login_failure_window_seconds

    async def retry_after(self, *, email: str, ip: str) -> int:
        """Seconds to wait before another attempt for this email or from this IP (0: go)."""
        by_email = await self.store.blocked_for(_key("email", email), self.per_email)
        by_ip = await self.store.blocked_for(_key("ip", ip), self.per_ip)
        return max(by_email, by_ip)

    async def failed(self, *, email: str, ip: str) -> None:
        await self.store.add_failure(_key("email", email), self.window)
        await self.store.add_failure(_key("ip", ip), self.window)

    async def succeeded(self, *, email: str) -> None:
        await self.store.clear(_key("email", email))


def create_login_limiter(settings: Settings) -> LoginLimiter:
    """Redis when REDIS_URL is set, else this process's memory."""
    url = settings.app.redis_url
    store: FailureStore = RedisFailureStore(url) if url else MemoryFailureStore()
    return LoginLimiter(store, settings)
