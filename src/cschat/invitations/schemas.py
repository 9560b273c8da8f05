"""Shapes of /api/users/invite and /api/invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cschat.users.schemas import PersonName, RoleName


class InvitationCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: RoleName = "Agent"
    given_name: PersonName = None
    family_name: PersonName = None
    language: Literal["es", "en"] | None = Field(
        None, description="Language of the mail; EMAIL_DEFAULT_LANGUAGE when absent"
    )


class InvitationRead(BaseModel):
    """An invitation as Supervisors see it (never the token)."""

    id: int
    email: str
    role: str
    language: str
    status: Literal["pending", "accepted", "revoked", "expired"]
    invited_by: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationListRead(BaseModel):
    invitations: list[InvitationRead]
    total: int


class InvitationPublicRead(BaseModel):
    """What the accept page shows before the invitee acts."""

    model_config = ConfigDict(from_attributes=True)

    email: str
    role: str
    inviter: str
    expires_at: datetime
    provider: Literal["local", "cognito"]
    password_required: bool


class InvitationAccept(BaseModel):
    token: str = Field(min_length=10, max_length=200)
    password: str | None = Field(None, max_length=1024)
    given_name: PersonName = None
    family_name: PersonName = None


class InvitationAcceptRead(BaseModel):
    success: bool = True
    email: str
    status: str
    next: Literal["sign_in"] = "sign_in"
