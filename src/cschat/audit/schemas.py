"""Shapes of `GET /api/audit` (DESIGN §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]
    ip: str | None
    request_id: str | None


class AuditPageRead(BaseModel):
    items: list[AuditEventRead]
    total: int
