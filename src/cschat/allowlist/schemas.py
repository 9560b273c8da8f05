"""Shapes of /api/allowlist (DESIGN §4)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AllowlistEntryCreate(BaseModel):
    entry: str = Field(min_length=3, max_length=320, description="`name@x.com` or `@x.com`")


class AllowlistEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry: str
    created_by: str | None
    created_at: datetime


class AllowlistRead(BaseModel):
    entries: list[AllowlistEntryRead]


class AllowlistDeleteRead(BaseModel):
    success: bool = True
    entry: str
