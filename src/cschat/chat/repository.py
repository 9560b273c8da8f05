"""SQL for chat sessions and messages."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.chat.models import ChatMessage, ChatSession


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


async def get_message(session: AsyncSession, message_id: int) -> ChatMessage | None:
    return await session.get(ChatMessage, message_id)


async def delete_session(session: AsyncSession, session_id: str) -> None:
    # Messages explicitly too: SQLite enforces ON DELETE CASCADE only with foreign keys on.
    await session.execute(delete(ChatMessage).where(ChatMessage.session_id == session_id))
    await session.execute(delete(ChatSession).where(ChatSession.id == session_id))
