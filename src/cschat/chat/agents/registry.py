"""One place that turns `AGENT_PROVIDER` into an agent."""

from __future__ import annotations

from cschat.chat.agents.base import Agent
from cschat.chat.agents.local.agent import LocalAgent, VocabularySource
from cschat.chat.agents.local.filters import Vocabulary
from cschat.core.config import AgentSettings


def create_agent(
    settings: AgentSettings,
    *,
    vocabulary: Vocabulary | VocabularySource,
    region: str = "us-east-1",
) -> Agent:
    """The agent `AGENT_PROVIDER` names; bedrock checks its required settings here (start-up)."""
    if settings.provider == "bedrock":
        # Imported on demand: boto3 and the thread pool only when Bedrock is configured.
        from cschat.chat.agents.bedrock.agent import BedrockAgent

        return BedrockAgent(settings, region=region)
    return LocalAgent(vocabulary)
