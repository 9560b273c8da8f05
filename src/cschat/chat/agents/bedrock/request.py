"""The InvokeAgent parameters for one chat message: session, attributes, streaming, trace."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from cschat.chat.agents.base import AgentRequest
from cschat.core.config import AgentSettings
from cschat.core.errors import BadRequest

SESSION_ID = re.compile(r"[0-9a-zA-Z._:-]{2,100}")
WEEK_START = "Monday"  # DESIGN: ISO weeks, as the local agent reads "esta semana"


def check_session_id(session_id: str) -> str:
    """Bedrock's rule for `sessionId`: 2-100 characters of `[0-9a-zA-Z._:-]`."""
    if not SESSION_ID.fullmatch(session_id):
        raise BadRequest(
            "session_id: must be 2-100 characters of letters, digits, '.', '_', ':' or '-'."
        )
    return session_id


def bedrock_session_id(request: AgentRequest) -> str:
    """Bedrock's `sessionId` for the caller's chat session: the same for each of its messages."""
    check_session_id(request.session_id)
    # Bedrock remembers a conversation by sessionId alone, for its idle TTL. A chat id that
    # passes to another user (deleted, then chosen again) must not resume the first user's
    # conversation, whose answers the model still holds: the id is the owner's as well.
    owner = request.user_email.lower()
    return hashlib.sha256(f"{owner}\n{request.session_id}".encode()).hexdigest()


def session_attributes(request: AgentRequest) -> dict[str, str]:
    """What the action group needs to scope data to the caller (the seed's shape)."""
    return {
        "role": request.role,
        "user_email": request.user_email,
        "user_id": request.user_id or "",
        "groups": ",".join(request.groups),
    }


def prompt_attributes(request: AgentRequest) -> dict[str, str]:
    """Today and now in the app's time zone, so "esta semana" means what it means locally."""
    now = request.now if request.now.tzinfo else request.now.replace(tzinfo=UTC)
    local = now.astimezone(ZoneInfo(request.tz))
    return {
        "current_date": local.date().isoformat(),
        "current_time": local.strftime("%H:%M"),
        "current_weekday": local.strftime("%A"),
        "time_zone": request.tz,
        "week_start": WEEK_START,
    }


def invoke_params(
    settings: AgentSettings,
    request: AgentRequest,
    *,
    return_control: tuple[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `invoke_agent`; `return_control` = (invocationId, results)."""
    state: dict[str, Any] = {
        "sessionAttributes": session_attributes(request),
        "promptSessionAttributes": prompt_attributes(request),
    }
    if return_control is not None:
        state["invocationId"], state["returnControlInvocationResults"] = return_control
    params: dict[str, Any] = {
        "agentId": settings.bedrock_agent_id,
        "agentAliasId": settings.bedrock_agent_alias_id,
        "sessionId": bedrock_session_id(request),
        "enableTrace": settings.bedrock_enable_trace,
        "sessionState": state,
        "streamingConfigurations": {"streamFinalResponse": settings.bedrock_stream_final_response},
    }
    if return_control is None:
        params["inputText"] = request.text
    return params
