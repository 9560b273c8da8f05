"""Request and response bodies of the chat API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Bedrock's rule for session ids, so the same id works with every provider.
SESSION_ID_PATTERN = r"^[0-9a-zA-Z._:-]{2,100}$"
FEEDBACK_CATEGORIES = (
    "wrong_numbers",
    "misunderstood",
    "incomplete",
    "wrong_language",
    "too_slow",
    "other",
)


class ChatCreate(BaseModel):
    """`{message, session_id?, client_message_id?}`; the seed's shape plus an idempotency key."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, description="The question (length capped by settings)")
    session_id: str | None = Field(None, pattern=SESSION_ID_PATTERN)
    client_message_id: str | None = Field(
        None, pattern=SESSION_ID_PATTERN, description="Repeat it to get the stored answer back"
    )

    @field_validator("session_id", mode="before")
    @classmethod
    def _empty_is_new(cls, value: Any) -> Any:
        # A front end that keeps the chat's id in state often starts it as "": a new session,
        # like no session_id (the seed calls it optional).
        return None if value == "" else value


class ChatRead(BaseModel):
    """The seed's answer shape plus the stored message's id and provenance."""

    success: bool
    response: str
    session_id: str
    message_id: int
    trace: list[dict[str, Any]]
    provider: str | None
    latency_ms: int | None
    error: str | None = None
    replayed: bool = False


class MessageRead(BaseModel):
    """One stored message."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    content: str
    trace: list[dict[str, Any]] | None
    provider: str | None
    latency_ms: int | None
    error: str | None
    client_message_id: str | None
    feedback: str | None
    feedback_category: str | None
    feedback_comment: str | None
    created_at: datetime


class SessionRead(BaseModel):
    """A session without its messages."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    owner_email: str
    created_at: datetime
    updated_at: datetime


class SessionDetailRead(SessionRead):
    """A session with its messages, oldest first."""

    messages: list[MessageRead]


class SessionListRead(BaseModel):
    """One page of sessions, newest first."""

    sessions: list[SessionRead]
    total: int


class SessionUpdate(BaseModel):
    """A new title."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)


class FeedbackCreate(BaseModel):
    """A thumbs up or down on an answer; a down needs a category."""

    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    category: Literal[FEEDBACK_CATEGORIES] | None = None  # type: ignore[valid-type]
    comment: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _category_on_down(self) -> FeedbackCreate:
        if self.rating == "down" and self.category is None:
            raise ValueError(
                "category is required when rating is 'down' (one of "
                + ", ".join(FEEDBACK_CATEGORIES)
                + ")"
            )
        return self


class AgentInfoRead(BaseModel):
    """Which agent answers: cloud ids are null for the local provider."""

    agent_id: str | None
    agent_alias_id: str | None
    region: str | None
    arn: str | None
    provider: str


class ConnectionCheckRead(BaseModel):
    """Whether the agent provider answers."""

    success: bool
    message: str
    agent_info: AgentInfoRead
