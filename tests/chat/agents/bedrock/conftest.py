"""An emulator over this test's database, and a provider pointed at it with real boto3 clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cschat.auth.principal import Principal
from cschat.chat.agents.base import AgentEvent, AgentRequest
from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.core.config import Settings
from cschat.core.db import Database, make_engine
from cschat.tickets.tools import run_tool
from tests.fakes.bedrock import Scripted, emulator_server, scripted_server
from tests.tickets.data import DEMO_NOW, load_demo

SUPERVISOR = Principal(
    email="sara@example.com", role="Supervisor", user_id="u-1", groups=("Supervisors",)
)


@pytest.fixture
async def seeded(settings: Settings) -> Settings:
    engine = make_engine(settings.db.effective_url(), settings.db)
    await load_demo(engine, ZoneInfo("UTC"), count=300, days=60)
    await engine.dispose()
    return settings


@pytest.fixture
def emulator(seeded: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Emulator]]:
    db = Database(seeded.db)
    with emulator_server(db) as (url, state):
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT", url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        yield url, state


@pytest.fixture
def scripted(emulator: tuple[str, Emulator], monkeypatch: pytest.MonkeyPatch) -> Iterator[Scripted]:
    """Agents made after this talk to a scripted InvokeAgent instead of the emulator."""
    with scripted_server() as (url, state):
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", url)
        yield state


@pytest.fixture
def make_agent(
    emulator: tuple[str, Emulator], make_settings: Callable[..., Settings]
) -> Iterator[Callable[..., BedrockAgent]]:
    made: list[BedrockAgent] = []

    def build(**overrides: Any) -> BedrockAgent:
        env = {
            "AGENT_PROVIDER": "bedrock",
            "BEDROCK_AGENT_ID": "AGENT12345",
            "BEDROCK_AGENT_ALIAS_ID": "ALIAS12345",
            "BEDROCK_RETRY_DELAY": "0.01",
            "BEDROCK_MAX_RETRIES": "1",
            **overrides,
        }
        agent = BedrockAgent(make_settings(**env).agent, region="us-east-1")
        made.append(agent)
        return agent

    yield build
    for agent in made:
        agent.close()


@pytest.fixture
async def app_db(seeded: Settings) -> AsyncIterator[Database]:
    """The app's side of the test database (the emulator has its own pool)."""
    db = Database(seeded.db)
    yield db
    await db.dispose()


class DbTools:
    """The app's own ToolRunner shape: run_tool on the test database for one caller."""

    def __init__(self, db: Database, principal: Principal) -> None:
        self.db = db
        self.principal = principal
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((name, dict(params)))
        async with self.db.sessionmaker() as session:
            return await run_tool(
                name,
                params,
                session=session,
                principal=self.principal,
                tz=ZoneInfo("UTC"),
                now=DEMO_NOW,
            )


def request(
    text: str, *, principal: Principal = SUPERVISOR, session_id: str = "sess-1"
) -> AgentRequest:
    return AgentRequest(
        session_id=session_id,
        text=text,
        role=principal.role,
        user_email=principal.email,
        user_id=principal.user_id,
        groups=principal.groups,
        now=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        tz="Europe/Madrid",
    )


async def collect(agent: BedrockAgent, req: AgentRequest, tools: Any) -> list[AgentEvent]:
    return [event async for event in agent.run(req, tools)]
