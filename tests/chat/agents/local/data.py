"""A handful of tickets around a fixed now (Friday 2026-11-27 10:00 Europe/Madrid)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cschat.chat.agents.local.filters import Vocabulary

TZ = "Europe/Madrid"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo(TZ))
LUCIA = "lucia.fernandez@demo.cschat.dev"
DIEGO = "diego.navarro@demo.cschat.dev"
EMILY = "emily.carter@demo.cschat.dev"

VOCABULARY = Vocabulary(
    values={
        "category": ["Billing", "Technical", "Account Access", "Shipping", "Refunds",
                     "Product Question", "Cancellation"],
        "priority": ["Low", "Medium", "High", "Urgent"],
        "channel": ["Email", "Chat", "Phone", "Web", "Social"],
        "team": ["Equipo Norte", "Equipo Sur", "Tier 2", "Enterprise"],
        "agent": [LUCIA, DIEGO, EMILY],
    },
    aliases={"agent": {"Lucía Fernández": LUCIA, "Diego Navarro": DIEGO, "Emily Carter": EMILY}},
)  # fmt: skip


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def tickets() -> list[dict[str, Any]]:
    """Seven tickets: three resolved this week (one just after local midnight), one last week."""
    base = {"first_response_minutes": None, "csat": None, "resolution_minutes": None,
            "resolved_at": None, "resolution": None, "description": ""}  # fmt: skip
    rows = [
        dict(id=1, category="Billing", priority="High", channel="Email", status="resolved",
             agent=LUCIA, team="Equipo Norte", created_at=_utc(2026, 11, 23, 8),
             resolved_at=_utc(2026, 11, 24, 10), resolution_minutes=1560,
             first_response_minutes=30, csat=5, subject="Cobro duplicado en la factura",
             resolution="Se reembolsó el cargo duplicado."),
        dict(id=2, category="Billing", priority="Urgent", channel="Chat", status="closed",
             agent=DIEGO, team="Equipo Sur", created_at=_utc(2026, 11, 25, 9),
             resolved_at=_utc(2026, 11, 25, 13), resolution_minutes=240,
             first_response_minutes=5, csat=4, subject="Cobro duplicado tras cambiar de tarjeta",
             resolution="Se anuló el segundo cobro."),
        dict(id=3, category="Shipping", priority="Medium", channel="Phone", status="resolved",
             agent=LUCIA, team="Equipo Norte", created_at=_utc(2026, 11, 16, 10),
             resolved_at=_utc(2026, 11, 18, 10), resolution_minutes=2880,
             first_response_minutes=90, csat=3, subject="El paquete llegó dañado",
             resolution="Se envió un paquete nuevo."),
        dict(id=4, category="Technical", priority="Low", channel="Web", status="open",
             agent=EMILY, team="Tier 2", created_at=_utc(2026, 11, 26, 12),
             subject="La app se cierra al abrir"),
        dict(id=5, category="Refunds", priority="High", channel="Email", status="resolved",
             agent=EMILY, team="Tier 2", created_at=_utc(2026, 11, 26, 22, 30),
             resolved_at=_utc(2026, 11, 26, 23, 30), resolution_minutes=60,
             first_response_minutes=15, csat=4, subject="Refund not received",
             resolution="Refund re-issued to the original card."),
        dict(id=6, category="Billing", priority="Medium", channel="Email", status="resolved",
             agent=LUCIA, team="Equipo Norte", created_at=_utc(2026, 10, 5, 9),
             resolved_at=_utc(2026, 10, 6, 9), resolution_minutes=1440,
             first_response_minutes=60, csat=2, subject="Factura con otro NIF",
             resolution="Se emitió una factura rectificativa."),
        dict(id=7, category="Account Access", priority="Urgent", channel="Chat",
             status="in_progress", agent=DIEGO, team="Equipo Sur",
             created_at=_utc(2026, 11, 27, 8), subject="No puedo iniciar sesión"),
    ]  # fmt: skip
    return [
        {**base, "source": "demo", "external_id": f"DEMO-{row['id']:07d}", **row} for row in rows
    ]
