"""The agent protocol: a request in, a stream of small events out, whatever the provider."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from cschat.core.errors import AppError

Role = Literal["Agent", "Supervisor"]
StepKind = Literal["rationale", "tool_call", "observation", "failure"]


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """One earlier message of the session, oldest first in `AgentRequest.history`."""

    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True, slots=True)
class AgentRequest:
    """Everything an agent needs to answer one message; `now` is aware, `tz` an IANA name."""

    session_id: str
    text: str
    role: Role
    user_email: str
    now: datetime
    tz: str
    user_id: str | None = None
    groups: tuple[str, ...] = ()
    history: tuple[HistoryTurn, ...] = ()


class ToolRunner(Protocol):
    """Runs one analytics tool of DESIGN §7 for the caller and returns its JSON result."""

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of the trace: why, which tool with which parameters, what came back."""

    kind: StepKind
    rationale: str | None = None
    tool: str | None = None
    parameters: Mapping[str, Any] | None = None
    observation: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The step as stored with the message and returned in `trace`."""
        out: dict[str, Any] = {"type": self.kind}
        if self.rationale is not None:
            out["rationale"] = self.rationale
        if self.tool is not None:
            out["tool"] = self.tool
        if self.parameters is not None:
            out["parameters"] = dict(self.parameters)
        if self.observation is not None:
            out["observation"] = dict(self.observation)
        return out


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer text, in order."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallEvent:
    """The agent is calling a tool."""

    name: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolResultEvent:
    """A tool returned."""

    name: str
    result: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """A trace step as it happens."""

    step: TraceStep


@dataclass(frozen=True, slots=True)
class CitationEvent:
    """Where numbers in the answer came from: a tool, its parameters and the data's age."""

    tool: str
    params: Mapping[str, Any]
    data_as_of: str | None = None
    ticket_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DoneEvent:
    """The answer is complete; `text` is the whole of it, `trace` every step."""

    text: str
    language: str
    trace: tuple[TraceStep, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """The answer failed; `message` is safe to show to the user, in their language."""

    code: str
    message: str
    trace: tuple[TraceStep, ...] = field(default_factory=tuple)
    # The HTTP mapping (status, Retry-After) when an upstream failed before any text was sent.
    error: AppError | None = None


AgentEvent = (
    TextDelta
    | ToolCallEvent
    | ToolResultEvent
    | TraceEvent
    | CitationEvent
    | DoneEvent
    | ErrorEvent
)


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """The outcome of `Agent.test_connection`: whether the provider answers, and which one it is."""

    success: bool
    message: str
    agent_info: dict[str, Any]


class Agent(Protocol):
    """A chat agent provider; `run` streams events and ends with one DoneEvent or ErrorEvent."""

    name: str

    def run(self, request: AgentRequest, tools: ToolRunner) -> AsyncIterator[AgentEvent]: ...

    async def info(self) -> dict[str, Any]:
        """`{agent_id, agent_alias_id, region, arn, provider}`; ids null where they do not apply."""
        ...

    async def test_connection(self) -> ConnectionCheck:
        """Check that the provider can answer, without asking it a question."""
        ...

    def close(self) -> None:
        """Release what the provider holds (threads, clients); called at shutdown."""
        ...
