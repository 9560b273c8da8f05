"""The agent provider and the message limiter, created in the lifespan, as dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cschat.chat.agents.base import Agent
from cschat.chat.ratelimit import MessageLimiter


async def get_agent(request: Request) -> Agent:
    agent: Agent = request.app.state.agent
    return agent


async def get_message_limiter(request: Request) -> MessageLimiter:
    limiter: MessageLimiter = request.app.state.message_limiter
    return limiter


AgentDep = Annotated[Agent, Depends(get_agent)]
MessageLimiterDep = Annotated[MessageLimiter, Depends(get_message_limiter)]
