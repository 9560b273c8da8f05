"""HubSpot's error bodies: the generic one and the 429 with `policyName`."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse


def error_body(message: str, category: str) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }


def error(status: int, message: str, category: str) -> JSONResponse:
    return JSONResponse(error_body(message, category), status_code=status)


def rate_limited(policy: str) -> JSONResponse:
    label = {"TEN_SECONDLY_ROLLING": "ten_secondly_rolling", "SECONDLY": "secondly"}.get(
        policy, "daily"
    )
    body = {
        "status": "error",
        "message": f"You have reached your {label} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "groupName": "publicapi",
    }
    return JSONResponse(body, status_code=429)
