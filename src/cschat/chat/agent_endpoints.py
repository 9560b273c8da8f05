"""Which agent answers, and whether it is reachable."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cschat.auth.dependencies import CurrentUser, SupervisorUser
from cschat.chat.dependencies import AgentDep
from cschat.chat.schemas import AgentInfoRead, ConnectionCheckRead

router = APIRouter(tags=["agent"])


@router.get(
    "/api/agent/info", summary="The agent provider and its ids", response_model=AgentInfoRead
)
async def agent_info(agent: AgentDep, _user: CurrentUser) -> dict[str, Any]:
    return await agent.info()


@router.post(
    "/api/agent/test-connection",
    summary="Check that the agent provider answers (Supervisor)",
    response_model=ConnectionCheckRead,
)
async def check_agent_connection(agent: AgentDep, _user: SupervisorUser) -> dict[str, Any]:
    check = await agent.test_connection()
    return {"success": check.success, "message": check.message, "agent_info": check.agent_info}
