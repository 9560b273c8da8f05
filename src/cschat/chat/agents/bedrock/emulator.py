"""A Bedrock Agent emulator for development and tests (`cschat bedrock emulator`).

It speaks the real wire format, so boto3 clients pointed at it through
`AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME` / `AWS_ENDPOINT_URL_BEDROCK_AGENT` run unchanged:
InvokeAgent answers as an `application/vnd.amazon.eventstream` of chunk, trace and returnControl
events (or in-stream exceptions), GetAgentAlias as JSON. Faults are switched through
`POST /_emulator/config`; requests received are listed by `GET /_emulator/requests`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cschat.chat.agents.base import (
    AgentEvent,
    AgentRequest,
    CitationEvent,
    DoneEvent,
    ErrorEvent,
    HistoryTurn,
    TextDelta,
    TraceEvent,
)
from cschat.chat.agents.bedrock import answers, eventstream
from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.vocabulary import VocabularyCache, merged_synonyms
from cschat.core.db import Database
from cschat.tickets.tools import ACTION_GROUP

Mode = Literal["direct", "return_control", "echo"]
ALIAS_ARN_PREFIX = "arn:aws:bedrock:us-east-1:000000000000:agent-alias"
# Bedrock keeps a session's conversation by sessionId; so does the emulator, within bounds.
MAX_SESSIONS = 10_000
MAX_SESSION_TURNS = 50


@dataclass
class EmulatorConfig:
    """Behaviour and faults; every field can be changed at run time."""

    mode: Mode = "direct"
    latency: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between chunks
    throttle_before: int = 0  # the next N invocations get HTTP 429 ThrottlingException
    error_before: str | None = None  # e.g. "AccessDeniedException": HTTP error before the stream
    error_before_times: int = 0
    exception_mid_stream: str | None = None  # e.g. "internalServerException" after N chunks
    exception_after_chunks: int = 1
    exception_times: int = 0
    alias_status: str = "PREPARED"
    endless_control: bool = False  # ask for the same function again on every result

    def update(self, values: dict[str, Any]) -> None:
        """Change the named settings; an unknown name is a ValueError naming it."""
        names = {f.name for f in fields(self)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        if values.get("mode", self.mode) not in ("direct", "return_control", "echo"):
            raise ValueError("mode must be direct, return_control or echo")
        for key, value in values.items():
            setattr(self, key, value)


_HTTP_ERRORS = {
    "ThrottlingException": 429,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ValidationException": 400,
    "ConflictException": 409,
    "InternalServerException": 500,
    "BadGatewayException": 502,
    "ServiceQuotaExceededException": 400,
    "DependencyFailedException": 424,
}


def _error(code: str, message: str) -> Response:
    return JSONResponse(
        {"message": message},
        status_code=_HTTP_ERRORS.get(code, 400),
        headers={"x-amzn-errortype": code},
    )


@dataclass
class _Pending:
    outbox: asyncio.Queue[Any]
    request: tuple[str, str, dict[str, Any], asyncio.Future[dict[str, Any]]]


class Emulator:
    """State shared by the emulator's routes."""

    def __init__(self, db: Database | None, *, tz: str, config: EmulatorConfig) -> None:
        self.db = db
        self.tz = tz
        self.config = config
        self.requests: list[dict[str, Any]] = []
        self.pending: dict[str, _Pending] = {}
        # sessionId -> the session's earlier turns, oldest first (Bedrock's session memory).
        self.sessions: OrderedDict[str, list[HistoryTurn]] = OrderedDict()
        self._agent: LocalAgent | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def local_agent(self) -> LocalAgent:
        """The local agent over the database's values, built on first use."""
        if self._agent is None:
            if self.db is None:
                raise ValueError("this emulator has no database: only mode 'echo' can answer")
            # Read again when the data changes, as the app's own local agent does: tickets
            # synced or ingested later must be matched by their own values.
            vocabulary = VocabularyCache(self.db.sessionmaker, merged_synonyms(None))
            self._agent = LocalAgent(vocabulary)
        return self._agent

    def _remember(self, session_id: str, question: str, answer: str) -> None:
        turns = self.sessions.pop(session_id, [])
        turns += [HistoryTurn("user", question), HistoryTurn("assistant", answer)]
        self.sessions[session_id] = turns[-MAX_SESSION_TURNS:]
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)

    async def _drive(
        self,
        events: AsyncIterator[AgentEvent],
        outbox: asyncio.Queue[Any],
        request: AgentRequest,
        end_session: bool,
    ) -> None:
        try:
            async for event in events:
                if isinstance(event, DoneEvent) and not end_session:
                    self._remember(request.session_id, request.text, event.text)
                await outbox.put(event)
        finally:
            if end_session:
                self.sessions.pop(request.session_id, None)
            await outbox.put(None)

    async def start(self, body: dict[str, Any], session_id: str) -> asyncio.Queue[Any]:
        """Begin answering `inputText`; events (and control requests) arrive in the queue."""
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        attributes = (body.get("sessionState") or {}).get("sessionAttributes") or {}
        request = answers.agent_request(
            session_id,
            body.get("inputText", ""),
            attributes,
            self.tz,
            history=tuple(self.sessions.get(session_id, ())),
        )
        if self.config.mode == "echo":
            events = answers.echo(request.text)
        elif self.config.mode == "return_control":
            events = (await self.local_agent()).run(request, answers.ReturnedControl(outbox))
        else:
            assert self.db is not None
            tools = answers.DatabaseTools(self.db, request)
            events = (await self.local_agent()).run(request, tools)
        task = asyncio.create_task(
            self._drive(events, outbox, request, end_session=bool(body.get("endSession")))
        )
        # Held until the answer ends: the loop keeps only weak references to tasks.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return outbox

    def resume(self, state: dict[str, Any]) -> asyncio.Queue[Any] | None:
        """Hand the client's function result to the waiting answer; None if the id is unknown."""
        pending = self.pending.pop(str(state.get("invocationId")), None)
        if pending is None:
            return None
        if self.config.endless_control:
            pending.outbox.put_nowait(pending.request)
            return pending.outbox
        future = pending.request[3]
        results = state.get("returnControlInvocationResults") or [{}]
        result = results[0].get("functionResult") or {}
        text = ((result.get("responseBody") or {}).get("TEXT") or {}).get("body", "")
        if result.get("responseState") == "FAILURE":
            future.set_exception(answers.failed_result(text))
        else:
            future.set_result(json.loads(text))
        return pending.outbox


def _chunk(text: str, citations: list[CitationEvent]) -> dict[str, Any]:
    body: dict[str, Any] = {"bytes": base64.b64encode(text.encode()).decode()}
    if citations:
        refs = [
            {
                "content": {"text": json.dumps(dict(c.params), default=str)},
                "location": {"type": "CUSTOM", "customDocumentLocation": {"id": c.tool}},
                "metadata": {"tool": c.tool, "data_as_of": c.data_as_of},
            }
            for c in citations
        ]
        body["attribution"] = {
            "citations": [
                {
                    "generatedResponsePart": {"textResponsePart": {"text": text}},
                    "retrievedReferences": refs,
                }
            ]
        }
    return body


def _trace(event: TraceEvent, ids: dict[str, str], returned: bool) -> dict[str, Any] | None:
    """Bedrock's trace part for one of the local agent's steps; `returned`: its functions are
    returned to the caller (Bedrock traces their calls with executionType RETURN_CONTROL)."""
    step = event.step
    if step.kind == "rationale":
        inner: dict[str, Any] = {"rationale": {"text": step.rationale}}
    elif step.kind == "tool_call":
        params = [
            {"name": k, "type": "string", "value": str(v)}
            for k, v in (step.parameters or {}).items()
        ]
        inner = {
            "invocationInput": {
                "invocationType": "ACTION_GROUP",
                "actionGroupInvocationInput": {
                    "actionGroupName": ACTION_GROUP,
                    "executionType": "RETURN_CONTROL" if returned else "LAMBDA",
                    "function": step.tool,
                    "parameters": params,
                },
            }
        }
    elif step.kind == "observation":
        text = json.dumps(dict(step.observation or {}), default=str)
        inner = {
            "observation": {"type": "ACTION_GROUP", "actionGroupInvocationOutput": {"text": text}}
        }
    else:
        return {**ids, "trace": {"failureTrace": {"failureReason": step.rationale}}}
    return {**ids, "trace": {"orchestrationTrace": inner}}


class _Faults:
    """Consumes the one-shot fault counters for one invocation."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.mid_stream = config.exception_mid_stream if config.exception_times > 0 else None
        if self.mid_stream:
            config.exception_times -= 1
        self.after = config.exception_after_chunks
        self.delay = config.chunk_delay


async def _frames(
    emulator: Emulator, outbox: asyncio.Queue[Any], body: dict[str, Any], ids: dict[str, str]
) -> AsyncIterator[bytes]:
    faults = _Faults(emulator.config)
    streaming = bool((body.get("streamingConfigurations") or {}).get("streamFinalResponse"))
    with_trace = bool(body.get("enableTrace"))
    citations: list[CitationEvent] = []
    held: list[str] = []
    chunks = 0
    while (event := await outbox.get()) is not None:
        if isinstance(event, tuple):  # the agent wants a tool run by the client
            _, name, params, _future = event
            invocation_id = str(uuid.uuid4())
            emulator.pending[invocation_id] = _Pending(outbox, event)
            parameters = [
                {"name": k, "type": _type(v), "value": _text(v)} for k, v in params.items()
            ]
            yield eventstream.event(
                "returnControl",
                {
                    "invocationId": invocation_id,
                    "invocationInputs": [
                        {
                            "functionInvocationInput": {
                                "actionGroup": ACTION_GROUP,
                                "function": name,
                                "parameters": parameters,
                                "actionInvocationType": "RESULT",
                            }
                        }
                    ],
                },
            )
            return
        if isinstance(event, TraceEvent) and with_trace:
            returned = emulator.config.mode == "return_control"
            if (part := _trace(event, ids, returned)) is not None:
                yield eventstream.event("trace", part)
        elif isinstance(event, CitationEvent):
            citations.append(event)
        elif isinstance(event, ErrorEvent):
            yield eventstream.exception("internalServerException", event.message)
            return
        elif isinstance(event, TextDelta):
            if not streaming:
                held.append(event.text)
                continue
            if faults.mid_stream and chunks >= faults.after:
                yield eventstream.exception(faults.mid_stream, "Injected fault.")
                return
            if faults.delay and chunks:
                await asyncio.sleep(faults.delay)
            yield eventstream.event("chunk", _chunk(event.text, citations))
            citations, chunks = [], chunks + 1
    if faults.mid_stream and (held or chunks >= faults.after):
        yield eventstream.exception(faults.mid_stream, "Injected fault.")
        return
    if held or citations:
        yield eventstream.event("chunk", _chunk("".join(held), citations))


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "string"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, list) else str(value)


def create_emulator_app(
    db: Database | None = None, *, tz: str = "UTC", config: EmulatorConfig | None = None
) -> Starlette:
    """The emulator as an ASGI app; `app.state.emulator` holds its state."""
    emulator = Emulator(db, tz=tz, config=config or EmulatorConfig())

    async def invoke(request: Request) -> Response:
        """InvokeAgent: faults first, then an event stream (or a resumed one)."""
        path = request.path_params
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error("ValidationException", "The request body is not JSON.")
        emulator.requests.append({**path, "body": body})
        cfg = emulator.config
        if cfg.latency:
            await asyncio.sleep(cfg.latency)
        if cfg.throttle_before > 0:
            cfg.throttle_before -= 1
            return _error("ThrottlingException", "Rate exceeded.")
        if cfg.error_before and cfg.error_before_times > 0:
            cfg.error_before_times -= 1
            return _error(cfg.error_before, f"Injected {cfg.error_before}.")
        headers = {
            "x-amzn-bedrock-agent-content-type": "application/json",
            "x-amz-bedrock-agent-session-id": path["sessionId"],
        }
        if cfg.exception_mid_stream and cfg.exception_times > 0 and cfg.exception_after_chunks <= 0:
            # Before any text means before any work, as when Bedrock throttles or fails an
            # invocation: the session (and a pending invocationId) stay as they were for a retry.
            cfg.exception_times -= 1
            frame = eventstream.exception(cfg.exception_mid_stream, "Injected fault.")
            return Response(frame, media_type=eventstream.CONTENT_TYPE, headers=headers)
        state = body.get("sessionState") or {}
        if state.get("invocationId"):
            outbox = emulator.resume(state)
            if outbox is None:
                return _error("ValidationException", "Unknown invocationId.")
        else:
            try:
                outbox = await emulator.start(body, path["sessionId"])
            except ValueError as exc:
                return _error("ValidationException", str(exc))
        ids = {
            "agentId": path["agentId"],
            "agentAliasId": path["agentAliasId"],
            "sessionId": path["sessionId"],
            "agentVersion": "1",
        }
        return StreamingResponse(
            _frames(emulator, outbox, body, ids),
            media_type=eventstream.CONTENT_TYPE,
            headers=headers,
        )

    async def get_alias(request: Request) -> Response:
        """GetAgentAlias (bedrock-agent), with the configured status."""
        agent_id, alias_id = request.path_params["agentId"], request.path_params["agentAliasId"]
        now = time.time()
        return JSONResponse(
            {
                "agentAlias": {
                    "agentId": agent_id,
                    "agentAliasId": alias_id,
                    "agentAliasName": "emulated",
                    "agentAliasArn": f"{ALIAS_ARN_PREFIX}/{agent_id}/{alias_id}",
                    "routingConfiguration": [{"agentVersion": "1"}],
                    "createdAt": now,
                    "updatedAt": now,
                    "agentAliasStatus": emulator.config.alias_status,
                }
            }
        )

    async def config_endpoint(request: Request) -> Response:
        """Read (GET) or change (POST) behaviour and faults."""
        if request.method == "POST":
            try:
                emulator.config.update(json.loads(await request.body() or b"{}"))
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(asdict(emulator.config))

    async def requests_endpoint(request: Request) -> Response:
        """The InvokeAgent requests received (DELETE clears them)."""
        if request.method == "DELETE":
            emulator.requests.clear()
        return JSONResponse(emulator.requests)

    async def health(_: Request) -> Response:
        """The emulator answers."""
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        # The pool's connections belong to this server's loop: close them on it.
        if db is not None:
            await db.dispose()

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route(
                "/agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text",
                invoke,
                methods=["POST"],
            ),
            Route("/agents/{agentId}/agentaliases/{agentAliasId}/", get_alias, methods=["GET"]),
            Route("/_emulator/config", config_endpoint, methods=["GET", "POST"]),
            Route("/_emulator/requests", requests_endpoint, methods=["GET", "DELETE"]),
            Route("/_emulator/health", health, methods=["GET"]),
        ],
    )
    app.state.emulator = emulator
    return app
