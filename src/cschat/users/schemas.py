"""Shapes of /api/users (DESIGN §4: `{users: [...], total}`)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

RoleName = Literal["Agent", "Supervisor"]
StatusName = Literal["pending", "active", "disabled"]


def _no_control_characters(value: str | None) -> str | None:
    # PostgreSQL cannot store NUL; no name holds a line break or another control character.
    if value is not None and any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("must not contain control characters")
    return value


PersonName = Annotated[str | None, Field(max_length=255), AfterValidator(_no_control_characters)]


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

    given_name: PersonName = None
    family_name: PersonName = None
    role: RoleName | None = None
    status: StatusName | None = None


class RoleUpdate(BaseModel):
    role: RoleName


class UserDeleteRead(BaseModel):
    success: bool = True
    email: str
