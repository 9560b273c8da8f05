"""Chat rules: sessions and ownership, idempotent sends, history, running the agent, storing."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.principal import Principal
from cschat.chat import repository
from cschat.chat.agents.base import (
    Agent,
    AgentEvent,
    AgentRequest,
    DoneEvent,
    ErrorEvent,
    HistoryTurn,
    ToolRunner,
)
from cschat.chat.models import ChatMessage, ChatSession
from cschat.chat.schemas import ChatCreate, FeedbackCreate, SessionUpdate
from cschat.core.errors import AppError, BadRequest, Forbidden, NotFound, Unprocessable

log = structlog.get_logger(__name__)

TITLE_CHARS = 80
# When an agent raises, its language is unknown here: both of the product's languages.
_FAILED = (
    "El agente ha fallado de forma inesperada. Inténtalo de nuevo en un momento. / "
    "The agent failed unexpectedly. Please try again in a moment."
)


@dataclass
class Turn:
    """One question being answered: its session, the stored question and the earlier turns."""

    chat: ChatSession
    question: ChatMessage
    history: tuple[HistoryTurn, ...]
    is_new: bool


@dataclass
class Outcome:
    """What the agent produced for one question."""

    text: str = ""
    trace: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    latency_ms: int = 0
    # The provider's HTTP mapping of an upstream failure (502/503 with Retry-After/504).
    failure: AppError | None = None


def owner_key(principal: Principal) -> str:
    return principal.email.lower()


def title_of(text: str) -> str:
    """The first question, on one line, cut at a word boundary."""
    line = " ".join(text.split())
    if len(line) <= TITLE_CHARS:
        return line
    return line[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def check_length(text: str, max_chars: int) -> None:
    """A message over the configured length is a 422 naming the field."""
    if not text.strip():
        raise Unprocessable("message: must not be blank.")
    if len(text) > max_chars:
        raise Unprocessable(f"message: at most {max_chars} characters (got {len(text)}).")


async def stored_answer(
    session: AsyncSession, principal: Principal, body: ChatCreate
) -> tuple[ChatMessage, ChatMessage] | None:
    """The question and answer already stored for this `client_message_id`, if any."""
    if body.client_message_id is None:
        return None
    question = await repository.by_client_id(
        session, owner_key(principal), body.client_message_id, "user"
    )
    if question is None:
        return None
    answer = await repository.answer_to(session, question)
    return (question, answer) if answer is not None else None


async def begin(
    session: AsyncSession,
    principal: Principal,
    body: ChatCreate,
    *,
    history_turns: int,
    now: datetime,
) -> Turn:
    """Find (or name) the session and read the turns before the question; nothing written yet.

    Question and answer are written together by `finish`, in one transaction, so a request costs
    one commit; a question whose answer never got stored (client gone) can simply be sent again.
    """
    owner = owner_key(principal)
    chat = await repository.get_session(session, body.session_id) if body.session_id else None
    if chat is not None and chat.owner_email != owner:
        # Someone else's session: indistinguishable from a free id taken by another user.
        raise NotFound(f"session_id: no session '{body.session_id}' of yours.")
    history: tuple[HistoryTurn, ...] = ()
    is_new = chat is None
    if chat is None:
        chat = ChatSession(
            id=body.session_id or uuid.uuid4().hex,
            owner_email=owner,
            owner_id=principal.user_id,
            title=title_of(body.message),
            created_at=now,
            updated_at=now,
        )
    else:
        earlier = await repository.recent_messages(session, chat.id, limit=history_turns)
        history = tuple(
            HistoryTurn("user" if m.role == "user" else "assistant", m.content)
            for m in earlier
            if m.error is None
        )
    question = ChatMessage(
        session_id=chat.id,
        owner_email=owner,
        role="user",
        content=body.message,
        client_message_id=body.client_message_id,
        created_at=now,
    )
    return Turn(chat, question, history, is_new=is_new)


def agent_request(turn: Turn, principal: Principal, *, tz: str, now: datetime) -> AgentRequest:
    """What the agent gets: the question, the caller, the clock and the earlier turns."""
    return AgentRequest(
        session_id=turn.chat.id,
        text=turn.question.content,
        role=principal.role,
        user_email=principal.email,
        now=now,
        tz=tz,
        user_id=principal.user_id,
        groups=principal.groups,
        history=turn.history,
    )


async def run_agent(
    agent: Agent, request: AgentRequest, tools: ToolRunner, outcome: Outcome
) -> AsyncIterator[AgentEvent]:
    """The agent's events, always ending in one DoneEvent or ErrorEvent; fills `outcome`."""
    started = time.perf_counter()
    try:
        async for event in agent.run(request, tools):
            if isinstance(event, DoneEvent | ErrorEvent):
                outcome.trace = [step.to_dict() for step in event.trace]
                if isinstance(event, DoneEvent):
                    outcome.text = event.text
                else:
                    outcome.text, outcome.error = event.message, event.code
                    outcome.failure = event.error
                outcome.latency_ms = round((time.perf_counter() - started) * 1000)
                yield event
                return
            yield event
    except Exception as exc:
        log.error("chat.agent_failed", provider=agent.name, error=type(exc).__name__)
    outcome.text, outcome.error = _FAILED, "AgentError"
    outcome.latency_ms = round((time.perf_counter() - started) * 1000)
    yield ErrorEvent("AgentError", _FAILED, ())


async def finish(
    session: AsyncSession, turn: Turn, outcome: Outcome, *, provider: str, now: datetime
) -> ChatMessage:
    """Store the session (if new, else its new `updated_at`), the question and the answer (or the
    failure) with its trace. Plain inserts: the messages are not tracked by `session`."""
    if turn.is_new:
        turn.chat.updated_at = now
    turn.question.trace = None
    answer = ChatMessage(
        session_id=turn.question.session_id,
        owner_email=turn.question.owner_email,
        role="assistant",
        content=outcome.text,
        trace=outcome.trace,
        provider=provider,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
        client_message_id=turn.question.client_message_id,
        created_at=now,
    )
    await repository.store_turn(
        session,
        new_session=turn.chat if turn.is_new else None,
        # The question carries the id: a rollback after a failed tool expires `turn.chat`.
        session_id=turn.question.session_id,
        now=now,
        question=turn.question,
        answer=answer,
    )
    return answer


def answer_json(answer: ChatMessage, *, replayed: bool = False) -> dict[str, Any]:
    """The seed's `{success, response, session_id, trace}` plus the message's provenance."""
    return {
        "success": answer.error is None,
        "response": answer.content,
        "session_id": answer.session_id,
        "message_id": answer.id,
        "trace": answer.trace or [],
        "provider": answer.provider,
        "latency_ms": answer.latency_ms,
        "error": answer.error,
        "replayed": replayed,
    }


async def readable_session(
    session: AsyncSession, principal: Principal, session_id: str
) -> ChatSession:
    """One's own session, or anyone's for a Supervisor (the endpoint audits that)."""
    chat = await repository.get_session(session, session_id)
    if chat is None:
        raise NotFound(f"session_id: no session '{session_id}'.")
    if chat.owner_email != owner_key(principal) and not principal.is_supervisor:
        raise NotFound(f"session_id: no session '{session_id}'.")
    return chat


async def own_session(session: AsyncSession, principal: Principal, session_id: str) -> ChatSession:
    """One's own session; a Supervisor may read others' but not change them."""
    chat = await repository.get_session(session, session_id)
    if chat is None or (chat.owner_email != owner_key(principal) and not principal.is_supervisor):
        raise NotFound(f"session_id: no session '{session_id}'.")
    if chat.owner_email != owner_key(principal):
        raise Forbidden("Only the owner may change or delete a session.")
    return chat


async def rename(
    session: AsyncSession, principal: Principal, session_id: str, body: SessionUpdate
) -> ChatSession:
    chat = await own_session(session, principal, session_id)
    chat.title = body.title.strip() or chat.title
    await session.flush()
    return chat


async def delete(session: AsyncSession, principal: Principal, session_id: str) -> None:
    chat = await own_session(session, principal, session_id)
    await repository.delete_session(session, chat.id)


async def give_feedback(
    session: AsyncSession,
    principal: Principal,
    message_id: int,
    body: FeedbackCreate,
    now: datetime,
) -> ChatMessage:
    """Rate one of one's own answers; rating again replaces the earlier rating."""
    message = await repository.get_message(session, message_id)
    if message is None or message.owner_email != owner_key(principal):
        raise NotFound(f"message_id: no message {message_id} of yours.")
    if message.role != "assistant":
        raise BadRequest("message_id: only answers can be rated, not questions.")
    message.feedback = body.rating
    message.feedback_category = body.category
    message.feedback_comment = body.comment
    message.feedback_at = now
    await session.flush()
    return message
