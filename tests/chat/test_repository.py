"""Storing a chat turn: one statement on PostgreSQL, three through SQLAlchemy on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from cschat.chat import repository
from cschat.chat.models import ChatMessage, ChatSession
from cschat.core.config import Settings
from cschat.core.db import Database

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
OWNER = "lucia@example.com"
TRACE = [{"type": "tool_call", "tool": "count_tickets", "parameters": {"category": "Facturación"}}]


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.db)
    yield database
    await database.dispose()


def turn(session_id: str, at: datetime, client_id: str | None) -> tuple[ChatMessage, ChatMessage]:
    common = {"session_id": session_id, "owner_email": OWNER, "client_message_id": client_id}
    question = ChatMessage(role="user", content="¿Cuántos?", created_at=at, **common)
    answer = ChatMessage(role="assistant", content="Tickets: 3", trace=TRACE, provider="local",
                         latency_ms=7, created_at=at, **common)  # fmt: skip
    return question, answer


async def test_a_new_session_and_a_later_turn_are_stored_with_their_ids(db: Database) -> None:
    chat = ChatSession(id="s1", owner_email=OWNER, owner_id="u1", title="¿Cuántos?",
                       created_at=NOW, updated_at=NOW)  # fmt: skip
    first = turn("s1", NOW, "c1")
    later = NOW + timedelta(minutes=5)
    second = turn("s1", later, "c2")
    async with db.transaction() as session:
        await repository.store_turn(session, new_session=chat, session_id="s1", now=NOW,
                                    question=first[0], answer=first[1])  # fmt: skip
    async with db.transaction() as session:
        await repository.store_turn(session, new_session=None, session_id="s1", now=later,
                                    question=second[0], answer=second[1])  # fmt: skip
    ids = [m.id for m in (*first, *second)]
    assert all(ids) and ids == sorted(ids)
    async with db.sessionmaker() as session:
        stored = await session.get(ChatSession, "s1")
        messages = (await session.scalars(select(ChatMessage).order_by(ChatMessage.id))).all()
    assert stored is not None
    assert (stored.title, stored.owner_id, stored.created_at, stored.updated_at) == (
        "¿Cuántos?",
        "u1",
        NOW,
        later,
    )
    assert [m.id for m in messages] == ids
    assert [(m.role, m.client_message_id, m.created_at) for m in messages] == [
        ("user", "c1", NOW), ("assistant", "c1", NOW), ("user", "c2", later),
        ("assistant", "c2", later),
    ]  # fmt: skip
    assert [m.trace for m in messages] == [None, TRACE, None, TRACE]
    assert (messages[1].provider, messages[1].latency_ms, messages[1].content) == (
        "local",
        7,
        "Tickets: 3",
    )


async def test_a_client_message_id_taken_meanwhile_is_an_integrity_error(db: Database) -> None:
    chat = ChatSession(id="s2", owner_email=OWNER, title="t", created_at=NOW, updated_at=NOW)
    first = turn("s2", NOW, "same")
    async with db.transaction() as session:
        await repository.store_turn(session, new_session=chat, session_id="s2", now=NOW,
                                    question=first[0], answer=first[1])  # fmt: skip
    again = turn("s2", NOW, "same")
    async with db.sessionmaker() as session:
        with pytest.raises(IntegrityError):
            await repository.store_turn(session, new_session=None, session_id="s2", now=NOW,
                                        question=again[0], answer=again[1])  # fmt: skip
        await session.rollback()
        # Nothing of the refused turn stays, and the session can go on.
        assert await session.scalar(text("SELECT count(*) FROM chat_messages")) == 2
