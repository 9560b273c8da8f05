"""Two writers at once: a request sent while another session holds an uncommitted write."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession


async def sent_meanwhile(
    first: AsyncSession, request: Coroutine[Any, Any, httpx.Response]
) -> httpx.Response:
    """The response to `request`, sent while `first` holds its write and committed after: the
    request finds nothing yet, then waits on the first writer's uncommitted row."""
    second = asyncio.create_task(request)
    await asyncio.sleep(0.3)
    await first.commit()
    return await second
