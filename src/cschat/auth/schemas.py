"""Request and response shapes of /auth (the seed's field names)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoginCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class SignInRead(BaseModel):
    ok: bool = True
    email: str
    role: str


class LoginUrlRead(BaseModel):
    url: str
    state: str
    provider: str


class MeRead(BaseModel):
    email: str
    groups: list[str]
    given_name: str | None
    family_name: str | None
    role: str
    status: str


class LogoutRead(BaseModel):
    ok: bool = True
    logout_url: str | None = None
