"""Messages per user per minute, on the sign-in limiter's stores (memory, or Redis when set)."""

from __future__ import annotations

import hashlib

from cschat.auth.ratelimit import FailureStore, MemoryFailureStore, RedisFailureStore
from cschat.core.config import Settings
from cschat.core.errors import RateLimited

WINDOW_SECONDS = 60


class MessageLimiter:
    """A fixed one-minute window per user: the first message opens it."""

    def __init__(self, store: FailureStore, per_minute: int) -> None:
        self.store = store
        self.per_minute = per_minute

    async def take(self, user_email: str) -> None:
        """Count one message for the user, or raise RateLimited with the seconds to wait."""
        digest = hashlib.sha256(user_email.lower().encode()).hexdigest()[:32]
        key = f"cschat:chat-messages:{digest}"
        wait = await self.store.blocked_for(key, self.per_minute)
        if wait:
            raise RateLimited(
                f"Too many messages: at most {self.per_minute} per minute; try again in {wait} s.",
                retry_after=wait,
            )
        await self.store.add_failure(key, WINDOW_SECONDS)


def create_message_limiter(settings: Settings) -> MessageLimiter:
    """Redis when REDIS_URL is set (shared by every process), else this process's memory."""
    url = settings.app.redis_url
    store: FailureStore = RedisFailureStore(url) if url else MemoryFailureStore()
    return MessageLimiter(store, settings.chat.rate_limit_per_minute)
