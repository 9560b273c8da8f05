"""The fake's fixed data: token, limits, pipelines, owners' names and value pools."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TOKEN = "fake-token"
SEARCH_CAP = 10_000
BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: generated history ends here
YEAR_MS = 365 * 86_400_000

DEFAULT_PROPERTIES = ("createdate", "hs_lastmodifieddate", "hs_object_id")
DATE_PROPERTIES = frozenset({"createdate", "hs_lastmodifieddate", "closed_date"})
NUMERIC_PROPERTIES = frozenset({"hs_object_id", "time_to_close", "time_to_first_agent_reply"})

# Pipeline "0" is HubSpot's default support pipeline (stages carry ticketState); "77" is a
# custom one whose stages carry only isClosed, to exercise the fallback.
PIPELINES: list[dict[str, Any]] = [
    {
        "id": "0",
        "label": "Support Pipeline",
        "displayOrder": 0,
        "stages": [
            {"id": "1", "label": "New", "metadata": {"ticketState": "OPEN", "isClosed": "false"}},
            {
                "id": "2",
                "label": "Waiting on contact",
                "metadata": {"ticketState": "OPEN", "isClosed": "false"},
            },
            {
                "id": "3",
                "label": "Waiting on us",
                "metadata": {"ticketState": "OPEN", "isClosed": "false"},
            },
            {
                "id": "4",
                "label": "Closed",
                "metadata": {"ticketState": "CLOSED", "isClosed": "true"},
            },
        ],
    },
    {
        "id": "77",
        "label": "Escalations",
        "displayOrder": 1,
        "stages": [
            {"id": "771", "label": "Escalated", "metadata": {"isClosed": "false"}},
            {"id": "772", "label": "In progress", "metadata": {"isClosed": "false"}},
            {"id": "773", "label": "Resolved", "metadata": {"isClosed": "true"}},
        ],
    },
]
OPEN_STAGES = [("0", "1"), ("0", "2"), ("0", "3"), ("77", "771"), ("77", "772")]
CLOSED_STAGES = [("0", "4"), ("0", "4"), ("0", "4"), ("77", "773")]

TEAMS = [("11", "Billing Squad"), ("12", "Tech Support"), ("13", "Customer Care")]
FIRST = ["Lucía", "Marco", "Ana", "Pedro", "Sofía", "Jorge", "Elena", "Raúl", "Nora", "Iván"]
LAST = ["Fernández", "Rossi", "García", "López", "Martín", "Ruiz", "Díaz", "Moreno", "Vega", "Sanz"]
CATEGORIES = ["BILLING_ISSUE", "PRODUCT_ISSUE", "GENERAL_INQUIRY", "FEATURE_REQUEST", None]
PRIORITIES = ["LOW", "MEDIUM", "HIGH", "URGENT", None]
SOURCES = ["EMAIL", "CHAT", "PHONE", "FORM", None]
SUBJECTS = ["Refund not received", "Cannot log in", "Invoice wrong", "App crashes", "Late parcel"]


def iso(ms: int) -> str:
    """HubSpot's datetime property format: ISO 8601 UTC with milliseconds and `Z`."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def to_ms(value: str) -> int:
    if value.lstrip("-").isdigit():
        return int(value)
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
