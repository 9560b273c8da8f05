"""The local agent's way to the analytics tools: the caller's principal, time zone and clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.principal import Principal
from cschat.tickets.tools import run_tool


@dataclass(frozen=True)
class SessionToolRunner:
    """A `ToolRunner` over `tickets.tools.run_tool` on one read session, for one caller."""

    session: AsyncSession
    principal: Principal
    tz: ZoneInfo
    now: datetime

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run one tool; role scoping and validation happen inside `run_tool`."""
        return await run_tool(
            name, params, session=self.session, principal=self.principal, tz=self.tz, now=self.now
        )
