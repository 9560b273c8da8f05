"""AGENT_PROVIDER picks the agent; bedrock is refused with a clear message until it exists."""

from __future__ import annotations

import pytest

from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.agents.local.filters import Vocabulary
from cschat.chat.agents.registry import AgentNotAvailable, create_agent
from cschat.core.config import AgentSettings, ConfigError


def test_local_is_the_default() -> None:
    agent = create_agent(AgentSettings.model_validate({}), vocabulary=Vocabulary(values={}))
    assert isinstance(agent, LocalAgent)
    assert agent.name == "local"


def test_bedrock_is_not_available_yet() -> None:
    settings = AgentSettings.model_validate({"AGENT_PROVIDER": "bedrock"})
    with pytest.raises(AgentNotAvailable, match="AGENT_PROVIDER: 'bedrock' is not available yet"):
        create_agent(settings, vocabulary=Vocabulary(values={}))
    assert issubclass(AgentNotAvailable, ConfigError)
