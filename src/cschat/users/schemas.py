"""Shapes of /api/users (DESIGN §4: `{users: [...], total}`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoleName = Literal["Agent", "Supervisor"]
StatusName = Literal["pending", "active", "disabled"]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email: str
    given_name: str | None
    family_name: str | None
    role: str
    status: str
    last_sign_in_at: datetime | None
    created_at: datetime


class UserListRead(BaseModel):
    users: list[UserRead]
    total: int


class UserUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    given_name: str | None = Field(None, max_length=255)
    family_name: str | None = Field(None, max_length=255)
    role: RoleName | None = None
    status: StatusName | None = None


class RoleUpdate(BaseModel):
    role: RoleName


class UserDeleteRead(BaseModel):
    success: bool = True
    email: str
