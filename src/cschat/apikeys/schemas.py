"""Shapes of /api/api-keys (DESIGN §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["ingest", "query"]] = Field(min_length=1)
    expires_at: datetime | None = None


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreatedRead(ApiKeyRead):
    """The only reply that carries the key itself."""

    key: str


class ApiKeyListRead(BaseModel):
    keys: list[ApiKeyRead]
