"""Reading the audit log back through the API, as a Supervisor would."""

from __future__ import annotations

from typing import Any

import httpx


async def audit_items(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every matching audit event, oldest first."""
    response = await client.get("/api/audit", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return list(reversed(body["items"]))


async def audit_trail(client: httpx.AsyncClient, **params: Any) -> list[tuple[str, str | None]]:
    """(action, target) of every matching event, oldest first."""
    return [(item["action"], item["target"]) for item in await audit_items(client, **params)]
