"""Users (accounts of both providers) and the sign-in allowlist."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from cschat.core.db import Base, UTCDateTime, utcnow

ROLES = ("Agent", "Supervisor")
STATUSES = ("pending", "active", "disabled")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def new_user_id() -> str:
    return str(uuid.uuid4())


class User(Base):
    """One person; `email` is stored lower-cased so uniqueness ignores case."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in_list("role", ROLES), name="role"),
        CheckConstraint(_in_list("status", STATUSES), name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_user_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    given_name: Mapped[str | None] = mapped_column(String(255))
    family_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="Agent")
    status: Mapped[str] = mapped_column(String(20), default="active")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    cognito_sub: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AllowlistEntry(Base):
    """An email (`name@x.com`) or a whole domain (`@x.com`) that may sign in uninvited."""

    __tablename__ = "allowlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entry: Mapped[str] = mapped_column(String(320), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
