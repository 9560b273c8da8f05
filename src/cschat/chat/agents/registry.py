"""One place that turns `AGENT_PROVIDER` into an agent."""

from __future__ import annotations

from cschat.chat.agents.base import Agent
from cschat.chat.agents.local.agent import LocalAgent, VocabularySource
from cschat.chat.agents.local.filters import Vocabulary
from cschat.core.config import AgentSettings, ConfigError


class AgentNotAvailable(ConfigError):
    """The configured provider exists in the contract but is not built yet."""


def create_agent(
    settings: AgentSettings,
    *,
    vocabulary: Vocabulary | VocabularySource,
    region: str = "us-east-1",
) -> Agent:
    """The agent `AGENT_PROVIDER` names; `vocabulary` gives the local agent the data's values."""
    if settings.provider == "local":
        return LocalAgent(vocabulary)
    if settings.provider == "bedrock":
        from cschat.chat.agents.bedrock.agent import BedrockAgent

        return BedrockAgent(settings, region=region)
    raise AgentNotAvailable(
        f"AGENT_PROVIDER: {settings.provider!r} is not available yet; use 'local'"
    )
