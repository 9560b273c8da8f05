"""SQL for chat sessions and messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import JSON, Insert, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.chat.models import ChatMessage, ChatSession
from cschat.core import kept
from cschat.core.db import Base


async def get_session(session: AsyncSession, session_id: str) -> ChatSession | None:
    return await session.get(ChatSession, session_id)


async def list_sessions(
    session: AsyncSession, owner_email: str, *, limit: int, offset: int
) -> tuple[Sequence[ChatSession], int]:
    """A page of the owner's sessions, most recently used first, and their total."""
    where = ChatSession.owner_email == owner_email
    total = await session.scalar(select(func.count()).select_from(ChatSession).where(where))
    rows = await session.scalars(
        select(ChatSession)
        .where(where)
        .order_by(ChatSession.updated_at.desc(), ChatSession.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def messages(session: AsyncSession, session_id: str) -> Sequence[ChatMessage]:
    rows = await session.scalars(
        select(ChatMessage).where(ChatMessage.session_id == session_id).order_by(ChatMessage.id)
    )
    return rows.all()


async def recent_messages(
    session: AsyncSession, session_id: str, *, limit: int
) -> list[ChatMessage]:
    """The session's last `limit` messages, oldest first."""
    rows = await session.scalars(
        select(ChatMessage)
        .where(ChatMessage.session_id == session_id)
        .order_by(ChatMessage.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))


async def by_client_id(
    session: AsyncSession, owner_email: str, client_message_id: str, role: str
) -> ChatMessage | None:
    return await session.scalar(
        select(ChatMessage).where(
            ChatMessage.owner_email == owner_email,
            ChatMessage.client_message_id == client_message_id,
            ChatMessage.role == role,
        )
    )


async def answer_to(session: AsyncSession, question: ChatMessage) -> ChatMessage | None:
    """The first assistant message after `question` in its session."""
    return await session.scalar(
        select(ChatMessage)
        .where(
            ChatMessage.session_id == question.session_id,
            ChatMessage.id > question.id,
            ChatMessage.role == "assistant",
        )
        .order_by(ChatMessage.id)
        .limit(1)
    )


# Core statements for the turn a chat request stores: the ORM's unit of work (state tracking, two
# flushes) took a sixth of the server's time of a small question.
_SESSIONS = Base.metadata.tables[ChatSession.__tablename__]
_MESSAGES = Base.metadata.tables[ChatMessage.__tablename__]
_MESSAGE_COLUMNS = tuple(c.key for c in _MESSAGES.columns if c.key != "id")
_INSERT_MESSAGES = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)
_JSON_COLUMNS = frozenset(c.key for c in _MESSAGES.columns if isinstance(c.type, JSON))


def _turn_statement(new_session: bool) -> Insert:
    """One statement on PostgreSQL for a whole turn: the session (inserted, or its `updated_at`
    moved) in a CTE, and both messages, whose ids come back with their roles. Through SQLAlchemy
    the same writes were three statements and cost 1.4 ms more than their SQL, about a third of
    a small question's time on the server."""
    if new_session:
        session_write: Any = insert(_SESSIONS).values(
            {c.key: bindparam(f"s_{c.key}", type_=c.type) for c in _SESSIONS.columns}
        )
    else:
        session_write = (
            update(_SESSIONS)
            .where(_SESSIONS.c.id == bindparam("s_id", type_=_SESSIONS.c.id.type))
            .values(updated_at=bindparam("s_updated_at", type_=_SESSIONS.c.updated_at.type))
        )
    rows = [
        {key: bindparam(f"{prefix}_{key}", type_=_MESSAGES.c[key].type) for key in _MESSAGE_COLUMNS}
        for prefix in ("q", "a")
    ]
    return (
        insert(_MESSAGES)
        .values(rows)
        .returning(_MESSAGES.c.id, _MESSAGES.c.role)
        .add_cte(session_write.cte("s"))
    )


_TURN = {new: _turn_statement(new) for new in (True, False)}


async def store_turn(
    session: AsyncSession,
    *,
    new_session: ChatSession | None,
    session_id: str,
    now: datetime,
    question: ChatMessage,
    answer: ChatMessage,
) -> None:
    """Insert the session (`new_session`) or move its `updated_at` to `now`, and insert the
    question and the answer (not added to `session`); sets their ids. A unique key taken
    meanwhile (a concurrent send) raises IntegrityError, on either engine."""
    if session.get_bind().dialect.name != "postgresql":
        if new_session is not None:
            await add_session(session, new_session)
        else:
            await touch_session(session, session_id, now)
        await add_messages(session, (question, answer))
        return
    values: dict[str, Any] = {}
    if new_session is not None:
        values.update({f"s_{c.key}": getattr(new_session, c.key) for c in _SESSIONS.columns})
    else:
        values.update(s_id=session_id, s_updated_at=now)
    for prefix, message in (("q", question), ("a", answer)):
        for key in _MESSAGE_COLUMNS:
            value = getattr(message, key)
            if key in _JSON_COLUMNS and value is not None:
                value = json.dumps(value, ensure_ascii=False, default=str)
            values[f"{prefix}_{key}"] = value
    statement = _TURN[new_session is not None]
    try:
        ids = {role: id_ for id_, role in await kept.rows(session, statement, values)}
    except psycopg.IntegrityError as exc:
        raise IntegrityError(str(statement), values, exc) from None
    question.id, answer.id = ids["user"], ids["assistant"]


async def add_session(session: AsyncSession, chat: ChatSession) -> None:
    values = {c.key: getattr(chat, c.key) for c in _SESSIONS.columns}
    await session.execute(insert(_SESSIONS), values)


async def touch_session(session: AsyncSession, session_id: str, now: datetime) -> None:
    stmt = update(_SESSIONS).where(_SESSIONS.c.id == session_id).values(updated_at=now)
    await session.execute(stmt)


async def add_messages(session: AsyncSession, messages: Sequence[ChatMessage]) -> None:
    """Insert `messages` (new, not added to the session) in one statement; sets their ids."""
    rows = [{key: getattr(m, key) for key in _MESSAGE_COLUMNS} for m in messages]
    ids = (await session.execute(_INSERT_MESSAGES, rows)).scalars().all()
    for message, id_ in zip(messages, ids, strict=True):
        message.id = id_


async def get_message(session: AsyncSession, message_id: int) -> ChatMessage | None:
    return await session.get(ChatMessage, message_id)


async def delete_session(session: AsyncSession, session_id: str) -> None:
    # Messages explicitly too: SQLite enforces ON DELETE CASCADE only with foreign keys on.
    await session.execute(delete(ChatMessage).where(ChatMessage.session_id == session_id))
    await session.execute(delete(ChatSession).where(ChatSession.id == session_id))


async def delete_sessions_of(session: AsyncSession, owner_email: str) -> int:
    """Delete every session (and message) of `owner_email`; how many sessions went."""
    await session.execute(delete(ChatMessage).where(ChatMessage.owner_email == owner_email))
    result = await session.execute(
        delete(ChatSession).where(ChatSession.owner_email == owner_email)
    )
    return int(getattr(result, "rowcount", 0) or 0)
