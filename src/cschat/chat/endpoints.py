"""The chat API: ask (JSON or Server-Sent Events), sessions, feedback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.audit import service as audit
from cschat.auth.dependencies import CurrentUser, Principal, SettingsDep
from cschat.chat import repository, service, sse
from cschat.chat.agents.base import TextDelta, TraceEvent
from cschat.chat.dependencies import AgentDep, MessageLimiterDep
from cschat.chat.schemas import (
    ChatCreate,
    ChatRead,
    FeedbackCreate,
    MessageRead,
    SessionDetailRead,
    SessionListRead,
    SessionRead,
    SessionUpdate,
)
from cschat.chat.tools import SessionToolRunner
from cschat.core.db import Database, DatabaseDep, ReadSessionDep, SessionDep
from cschat.core.errors import Conflict, Forbidden
from cschat.core.paging import Offset

router = APIRouter(tags=["chat"])
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def _replay(body: ChatCreate, user: Principal, db: Database) -> dict[str, Any] | None:
    """The stored answer to a repeated `client_message_id`, if there is one."""
    if body.client_message_id is None:
        return None
    async with db.sessionmaker() as session:
        found = await service.stored_answer(session, user, body)
    return service.answer_json(found[1], replayed=True) if found else None


async def _finish(
    session: AsyncSession, turn: service.Turn, outcome: service.Outcome, provider: str
) -> dict[str, Any]:
    """Write question and answer in one commit; a concurrent duplicate send is a 409."""
    if outcome.error is not None:
        # A failed tool query may have aborted the transaction the tools shared (PostgreSQL).
        await session.rollback()
    try:
        answer = await service.finish(
            session, turn, outcome, provider=provider, now=datetime.now(UTC)
        )
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "client_message_id or session_id: used by a message sent at the same time; "
            "send it again to get the stored answer."
        ) from None
    return service.answer_json(answer)


def _tools_session(db: Database, session: AsyncSession, read: AsyncSession) -> AsyncSession:
    # Without a replica the request's own connection serves the tools too: one checkout less.
    return session if db.read_engine is db.engine else read


@router.post(
    "/api/chat",
    summary="Ask a question; the answer with its trace",
    response_model=ChatRead,
    responses={
        500: {"description": "The agent failed; the failure is stored with the session"},
        502: {"description": "The upstream agent (Bedrock) refused or sent an unusable answer"},
        503: {"description": "The upstream agent is throttling; see Retry-After"},
        504: {"description": "The upstream agent did not answer in time"},
    },
)
async def chat(
    body: ChatCreate,
    user: CurrentUser,
    db: DatabaseDep,
    settings: SettingsDep,
    agent: AgentDep,
    limiter: MessageLimiterDep,
) -> Any:
    service.check_length(body.message, settings.chat.max_message_chars)
    if (replay := await _replay(body, user, db)) is not None:
        return replay
    await limiter.take(user.email)
    now = datetime.now(UTC)
    async with db.sessionmaker() as session, db.read_sessionmaker() as read:
        turn = await service.begin(
            session, user, body, history_turns=settings.chat.history_turns, now=now
        )
        outcome = service.Outcome()
        request = service.agent_request(turn, user, tz=settings.app.timezone, now=now)
        tools = SessionToolRunner(_tools_session(db, session, read), user, settings.app.tz, now)
        async for _ in service.run_agent(agent, request, tools, outcome):
            pass
        answer = await _finish(session, turn, outcome, agent.name)
    if outcome.error is not None:
        failure = {"error": outcome.error, "detail": outcome.text, **answer}
        # An upstream failure keeps its status (503 with Retry-After, 504, 502); ours is a 500.
        if (mapped := outcome.failure) is not None:
            return JSONResponse(failure, status_code=mapped.status_code, headers=mapped.headers)
        return JSONResponse(failure, status_code=500)
    return answer


@router.post(
    "/api/chat/stream",
    summary="Ask a question; the answer as Server-Sent Events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Events `session`, `trace`*, `delta`*, then `done` or `error`",
        }
    },
)
async def chat_stream(
    body: ChatCreate,
    user: CurrentUser,
    db: DatabaseDep,
    settings: SettingsDep,
    agent: AgentDep,
    limiter: MessageLimiterDep,
) -> StreamingResponse:
    service.check_length(body.message, settings.chat.max_message_chars)
    replay = await _replay(body, user, db)
    if replay is None:
        await limiter.take(user.email)
    now = datetime.now(UTC)
    session = db.sessionmaker()
    # Validation and ownership errors are plain JSON responses, before the stream starts.
    try:
        turn = None
        if replay is None:
            turn = await service.begin(
                session, user, body, history_turns=settings.chat.history_turns, now=now
            )
    except BaseException:
        await session.close()
        raise

    async def events() -> AsyncIterator[str]:
        async with session, db.read_sessionmaker() as read:
            if turn is None:
                assert replay is not None
                yield sse.event("session", {"session_id": replay["session_id"], "replayed": True})
                yield sse.event("delta", {"text": replay["response"]})
                yield sse.event("done" if replay["success"] else "error", replay)
                return
            yield sse.event("session", {"session_id": turn.chat.id, "replayed": False})
            outcome = service.Outcome()
            request = service.agent_request(turn, user, tz=settings.app.timezone, now=now)
            tools = SessionToolRunner(_tools_session(db, session, read), user, settings.app.tz, now)
            async for event in service.run_agent(agent, request, tools, outcome):
                if isinstance(event, TextDelta):
                    yield sse.event("delta", {"text": event.text})
                elif isinstance(event, TraceEvent):
                    yield sse.event("trace", event.step.to_dict())
            try:
                answer = await _finish(session, turn, outcome, agent.name)
            except Conflict as exc:
                failure = {"success": False, "error": exc.code, "detail": exc.detail}
                yield sse.event("error", failure)
                return
        if outcome.error is None:
            yield sse.event("done", answer)
        else:
            yield sse.event("error", {"error": outcome.error, "detail": outcome.text, **answer})

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get(
    "/api/chat/sessions",
    summary="My chat sessions, most recent first (Supervisors: anyone's with `owner`)",
    response_model=SessionListRead,
)
async def list_sessions(
    request: Request,
    session: ReadSessionDep,
    writer: SessionDep,
    user: CurrentUser,
    owner: Annotated[str | None, Query(max_length=320)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    whose = service.owner_key(user)
    if owner is not None and owner.lower() != whose:
        if not user.is_supervisor:
            raise Forbidden("owner: an Agent may only list its own sessions.")
        whose = owner.lower()
        await audit.record(
            writer, actor=user.email, action="chat.session_read", target=whose, request=request
        )
    rows, total = await repository.list_sessions(session, whose, limit=limit, offset=offset)
    return {"sessions": [SessionRead.model_validate(r) for r in rows], "total": total}


@router.get(
    "/api/chat/sessions/{session_id}",
    summary="One session with its messages (Supervisors may read anyone's)",
    response_model=SessionDetailRead,
)
async def get_session(
    request: Request,
    session_id: str,
    session: ReadSessionDep,
    writer: SessionDep,
    user: CurrentUser,
) -> Any:
    chat = await service.readable_session(session, user, session_id)
    if chat.owner_email != service.owner_key(user):
        await audit.record(
            writer,
            actor=user.email,
            action="chat.session_read",
            target=chat.owner_email,
            details={"session_id": chat.id},
            request=request,
        )
    messages = await repository.messages(session, chat.id)
    return {
        **SessionRead.model_validate(chat).model_dump(),
        "messages": [MessageRead.model_validate(m) for m in messages],
    }


@router.patch(
    "/api/chat/sessions/{session_id}",
    summary="Rename one of my sessions",
    response_model=SessionRead,
)
async def rename_session(
    session_id: str, body: SessionUpdate, session: SessionDep, user: CurrentUser
) -> Any:
    return await service.rename(session, user, session_id, body)


@router.delete(
    "/api/chat/sessions/{session_id}",
    summary="Delete one of my sessions and its messages",
    status_code=204,
)
async def delete_session(session_id: str, session: SessionDep, user: CurrentUser) -> Response:
    await service.delete(session, user, session_id)
    return Response(status_code=204)


@router.post(
    "/api/chat/messages/{message_id}/feedback",
    summary="Rate an answer: up, or down with a category; optional comment",
    response_model=MessageRead,
)
async def feedback(
    message_id: int, body: FeedbackCreate, session: SessionDep, user: CurrentUser
) -> Any:
    return await service.give_feedback(session, user, message_id, body, datetime.now(UTC))
