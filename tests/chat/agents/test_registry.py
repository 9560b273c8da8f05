"""AGENT_PROVIDER picks the agent; bedrock needs its agent and alias ids."""

from __future__ import annotations

import pytest

from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.local.agent import LocalAgent
from cschat.chat.agents.local.filters import Vocabulary
from cschat.chat.agents.registry import create_agent
from cschat.core.config import AgentSettings, ConfigError


def test_local_is_the_default() -> None:
    agent = create_agent(AgentSettings.model_validate({}), vocabulary=Vocabulary(values={}))
    assert isinstance(agent, LocalAgent)
    assert agent.name == "local"


def test_bedrock_creates_the_bedrock_provider() -> None:
    settings = AgentSettings.model_validate(
        {"AGENT_PROVIDER": "bedrock", "BEDROCK_AGENT_ID": "A1", "BEDROCK_AGENT_ALIAS_ID": "B2"}
    )
    agent = create_agent(settings, vocabulary=Vocabulary(values={}), region="eu-west-1")
    assert isinstance(agent, BedrockAgent) and agent.name == "bedrock"
    agent.close()


def test_bedrock_without_ids_names_the_variable() -> None:
    settings = AgentSettings.model_validate({"AGENT_PROVIDER": "bedrock"})
    with pytest.raises(
        ConfigError, match=r"^BEDROCK_AGENT_ID: required when AGENT_PROVIDER=bedrock$"
    ):
        create_agent(settings, vocabulary=Vocabulary(values={}))
