"""The Bedrock Agent provider: InvokeAgent streamed, retried, mapped, with return of control."""

from __future__ import annotations

import asyncio
import codecs
import functools
import time
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from botocore.exceptions import ClientError

from cschat.chat.agents.base import (
    AgentEvent,
    AgentRequest,
    CitationEvent,
    ConnectionCheck,
    DoneEvent,
    ErrorEvent,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    ToolRunner,
    TraceEvent,
    TraceStep,
)
from cschat.chat.agents.bedrock import control, errors
from cschat.chat.agents.bedrock.client import make_clients, make_executor
from cschat.chat.agents.bedrock.request import invoke_params
from cschat.chat.agents.bedrock.stream import invoke_stream
from cschat.chat.agents.bedrock.trace import TraceReader, capped
from cschat.chat.agents.local.language import detect_language
from cschat.core.config import AgentSettings, ConfigError
from cschat.core.errors import AppError, UpstreamError

log = structlog.get_logger(__name__)

MAX_CONTROL_ROUNDS = 5
_FAILED = {
    "es": "No he podido obtener respuesta del agente. Inténtalo de nuevo en un momento.",
    "en": "I could not get an answer from the agent. Please try again in a moment.",
}


def _citations(chunk: Mapping[str, Any]) -> list[CitationEvent]:
    out = []
    for citation in (chunk.get("attribution") or {}).get("citations") or []:
        part = ((citation.get("generatedResponsePart") or {}).get("textResponsePart")) or {}
        for ref in citation.get("retrievedReferences") or []:
            metadata = ref.get("metadata") or {}
            location = ref.get("location") or {}
            source = metadata.get("tool") or location.get("type") or "knowledge_base"
            out.append(
                CitationEvent(
                    tool=str(source),
                    params={
                        "text": part.get("text"),
                        "content": (ref.get("content") or {}).get("text"),
                        "location": location,
                    },
                    data_as_of=str(metadata["data_as_of"]) if metadata.get("data_as_of") else None,
                )
            )
    return out


def _tool_citation(
    name: str, params: Mapping[str, Any], result: Mapping[str, Any]
) -> CitationEvent:
    as_of = result.get("data_as_of")
    return CitationEvent(name, params, str(as_of) if as_of else None)


class _Attempt:
    """What one invocation round streamed, to decide whether a retry is still safe, and when
    the whole answer must be over (`time.monotonic()`)."""

    def __init__(self, deadline: float, echoes: int) -> None:
        self.deadline = deadline
        self.echoes = echoes  # function results this round sends back (Bedrock traces them)
        self.text_sent = False
        self.control: Mapping[str, Any] | None = None


class BedrockAgent:
    """`AGENT_PROVIDER=bedrock`: the team's Bedrock Agent through InvokeAgent."""

    name = "bedrock"

    def __init__(self, settings: AgentSettings, *, region: str) -> None:
        missing = [
            var
            for var, value in (
                ("BEDROCK_AGENT_ID", settings.bedrock_agent_id),
                ("BEDROCK_AGENT_ALIAS_ID", settings.bedrock_agent_alias_id),
            )
            if not value
        ]
        if missing:
            raise ConfigError(f"{missing[0]}: required when AGENT_PROVIDER=bedrock")
        self.settings = settings
        self.region = region
        self._executor: ThreadPoolExecutor = make_executor(settings)
        self._runtime, self._control_plane = make_clients(settings, region)

    def close(self) -> None:
        """Stop the worker threads (open streams finish first)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def info(self) -> dict[str, Any]:
        """Which agent this provider talks to."""
        s = self.settings
        return {
            "provider": self.name,
            "agent_id": s.bedrock_agent_id,
            "agent_alias_id": s.bedrock_agent_alias_id,
            "region": self.region,
            # An ARN needs the account id, which only BEDROCK_AGENT_ARN (or GetAgentAlias, in
            # test_connection) gives; null rather than a made-up one without it.
            "arn": s.bedrock_agent_arn,
        }

    async def test_connection(self) -> ConnectionCheck:
        """GetAgentAlias must say PREPARED, then a minimal invocation must answer."""
        info = await self.info()
        s = self.settings
        loop = asyncio.get_running_loop()
        call = functools.partial(
            self._control_plane.get_agent_alias,
            agentId=s.bedrock_agent_id,
            agentAliasId=s.bedrock_agent_alias_id,
        )
        try:
            alias = (await loop.run_in_executor(self._executor, call))["agentAlias"]
        except errors.UPSTREAM_FAILURES as exc:
            return ConnectionCheck(False, errors.to_app_error(exc, retry_after=1).detail, info)
        status = str(alias.get("agentAliasStatus"))
        info["alias_status"] = status
        if alias.get("agentAliasArn"):
            info["arn"] = alias["agentAliasArn"]
        if status != "PREPARED":
            return ConnectionCheck(
                False, f"Agent alias status is {status}; it must be PREPARED.", info
            )
        probe = {
            "agentId": s.bedrock_agent_id,
            "agentAliasId": s.bedrock_agent_alias_id,
            "sessionId": "cschat-connection-check",
            "inputText": "ping",
            "endSession": True,
        }
        try:
            async for _ in invoke_stream(
                self._executor, functools.partial(self._runtime.invoke_agent, **probe)
            ):
                pass
        except errors.UPSTREAM_FAILURES as exc:
            return ConnectionCheck(False, errors.to_app_error(exc, retry_after=1).detail, info)
        return ConnectionCheck(True, "Agent alias PREPARED and answering.", info)

    async def _round(
        self, params: dict[str, Any], attempt: _Attempt, trace: list[TraceStep]
    ) -> AsyncIterator[AgentEvent]:
        call = functools.partial(self._runtime.invoke_agent, **params)
        limit = self.settings.bedrock_trace_max_chars
        # A character's bytes may be split between two chunks.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stream = invoke_stream(self._executor, call)
        reader = TraceReader(attempt.echoes)
        try:
            while True:
                # Each wait ends at the deadline too: a stream gone quiet is cut off then, not
                # when its next event or the read timeout comes.
                deadline = asyncio.timeout(attempt.deadline - time.monotonic())
                try:
                    async with deadline:
                        item = await anext(stream)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    if not deadline.expired():
                        raise  # not ours: the stream's own
                    raise errors.AnswerTimeout from None
                if chunk := item.get("chunk"):
                    text = decoder.decode(bytes(chunk.get("bytes") or b""))
                    if text:
                        attempt.text_sent = True
                        yield TextDelta(text)
                    for citation in _citations(chunk):
                        yield citation
                elif part := item.get("trace"):
                    for step in reader.steps(part):
                        trace.append(step)
                        yield TraceEvent(capped(step, limit))
                elif "returnControl" in item:
                    attempt.control = item["returnControl"]
        finally:
            await stream.aclose()
        if tail := decoder.decode(b"", final=True):
            attempt.text_sent = True
            yield TextDelta(tail)

    async def _with_retries(
        self, params: dict[str, Any], attempt: _Attempt, trace: list[TraceStep]
    ) -> AsyncIterator[AgentEvent]:
        delay = self.settings.bedrock_retry_delay
        for n in range(self.settings.bedrock_max_retries + 1):
            try:
                async for event in self._round(params, attempt, trace):
                    yield event
                return
            except ClientError as exc:
                last = n == self.settings.bedrock_max_retries
                if attempt.text_sent or last or not errors.is_retryable(exc):
                    raise
                log.warning("bedrock.retry", error=errors.error_code(exc), attempt=n + 1)
                await asyncio.sleep(delay * 2**n)

    async def run(self, request: AgentRequest, tools: ToolRunner) -> AsyncIterator[AgentEvent]:
        """Stream the agent's answer; run returned-control functions with `tools`."""
        # Only to word our own error messages; the agent answers in the user's language itself.
        language = detect_language(request.text)
        trace: list[TraceStep] = []
        parts: list[str] = []
        control_result: tuple[str, list[dict[str, Any]]] | None = None
        deadline = time.monotonic() + self.settings.bedrock_answer_timeout
        try:
            for round_no in range(MAX_CONTROL_ROUNDS + 1):
                params = invoke_params(self.settings, request, return_control=control_result)
                echoes = len(control_result[1]) if control_result else 0
                attempt = _Attempt(deadline, echoes)
                attempt.text_sent = bool(parts)  # no retry of a later round after text went out
                async for event in self._with_retries(params, attempt, trace):
                    if isinstance(event, TextDelta):
                        parts.append(event.text)
                    yield event
                if attempt.control is None:
                    if not "".join(parts).strip():
                        raise errors.MalformedStream(
                            "Bedrock ended the answer without any text; check the agent's "
                            "trace and guardrails in AWS."
                        )
                    yield DoneEvent("".join(parts), language, tuple(trace))
                    return
                if round_no == MAX_CONTROL_ROUNDS:
                    break
                results = []
                for call in control.invocations(attempt.control):
                    trace.append(TraceStep("tool_call", tool=call.function, parameters=call.params))
                    yield TraceEvent(capped(trace[-1], self.settings.bedrock_trace_max_chars))
                    yield ToolCallEvent(call.function, call.params)
                    output, result = await control.run(call, tools)
                    trace.append(TraceStep("observation", tool=call.function, observation=output))
                    yield TraceEvent(capped(trace[-1], self.settings.bedrock_trace_max_chars))
                    yield ToolResultEvent(call.function, output)
                    if "error" not in output:
                        yield _tool_citation(call.function, call.params, output)
                    results.append(result)
                if not results:
                    raise errors.MalformedStream(
                        "Bedrock returned control without any function to run; check the agent's "
                        "action groups."
                    )
                control_result = (str(attempt.control.get("invocationId", "")), results)
            log.error("bedrock.too_many_control_rounds", rounds=MAX_CONTROL_ROUNDS)
            looping = UpstreamError(
                f"The Bedrock agent returned control more than {MAX_CONTROL_ROUNDS} times in one "
                "answer; check its instructions and the tickets_analytics action group."
            )
            yield ErrorEvent("AgentError", _FAILED[language], tuple(trace), looping)
        except AppError as exc:
            yield ErrorEvent(exc.code, exc.detail, tuple(trace), exc)
        except errors.UPSTREAM_FAILURES as exc:
            log.error("bedrock.failed", error=type(exc).__name__, text_sent=bool(parts))
            mapped = errors.to_app_error(exc, retry_after=self.settings.bedrock_retry_delay)
            yield ErrorEvent(mapped.code, _FAILED[language], tuple(trace), mapped)
