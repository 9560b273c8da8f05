"""HubSpot ticket objects to `tickets` rows: stage -> status, owner -> agent and team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cschat.tickets.models import ROW_COLUMNS
from cschat.tickets.upsert import Row

SOURCE = "hubspot"

# Properties with a column of their own; everything else requested lands in `attributes`.
MAPPED_PROPERTIES = (
    "subject",
    "content",
    "hs_resolution",
    "hs_ticket_category",
    "hs_ticket_priority",
    "source_type",
    "createdate",
    "closed_date",
    "time_to_close",
    "time_to_first_agent_reply",
    "hubspot_owner_id",
    "hs_pipeline",
    "hs_pipeline_stage",
)
BOOKKEEPING_PROPERTIES = ("hs_lastmodifieddate", "hs_object_id")

CHANNELS = {"FORM": "Web"}  # HubSpot's source types, else title case (EMAIL -> Email)
RESOLVED_WORDS = ("resolved", "solved")
STATUS_WORDS = (
    ("escalat", "escalated"),
    ("progress", "in_progress"),
    ("waiting on contact", "pending"),
    ("waiting on customer", "pending"),
    ("pending", "pending"),
    ("on hold", "pending"),
)


@dataclass(frozen=True)
class Stage:
    pipeline: str
    label: str
    closed: bool
    status: str


@dataclass(frozen=True)
class Owner:
    email: str | None
    name: str | None
    team: str | None


def stage_status(label: str, *, closed: bool) -> str:
    """Our status for a HubSpot stage: closed ones by label, open ones by keyword, else `open`."""
    words = label.casefold().strip()
    if closed:
        return "resolved" if any(w in words for w in RESOLVED_WORDS) else "closed"
    if words == "new" or words.startswith("new "):
        return "new"
    for keyword, status in STATUS_WORDS:
        if keyword in words:
            return status
    return "open"


def stage_map(pipelines: list[dict[str, Any]]) -> dict[tuple[str, str], Stage]:
    """(pipeline id, stage id) -> Stage, from `ticketState` or, lacking it, `isClosed`."""
    stages: dict[tuple[str, str], Stage] = {}
    for pipeline in pipelines:
        for stage in pipeline.get("stages") or []:
            metadata = stage.get("metadata") or {}
            state = str(metadata.get("ticketState") or "").upper()
            closed = state == "CLOSED" if state else str(metadata.get("isClosed")).lower() == "true"
            label = str(stage.get("label") or stage["id"])
            stages[(str(pipeline["id"]), str(stage["id"]))] = Stage(
                pipeline=str(pipeline.get("label") or pipeline["id"]),
                label=label,
                closed=closed,
                status=stage_status(label, closed=closed),
            )
    return stages


def owner_map(owners: list[dict[str, Any]]) -> dict[str, Owner]:
    """Owner id -> agent email, display name and primary team (archived owners included)."""
    out: dict[str, Owner] = {}
    for owner in owners:
        name = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p) or None
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
        out[str(owner["id"])] = Owner(
            email=owner.get("email") or None,
            name=name,
            team=primary.get("name") if primary else None,
        )
    return out


def parse_time(value: str | None) -> datetime | None:
    """A HubSpot datetime property: ISO 8601 (search, list) or epoch milliseconds."""
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def epoch_ms(value: str | None) -> int | None:
    moment = parse_time(value)
    return None if moment is None else round(moment.timestamp() * 1000)


def _minutes(milliseconds: str | None) -> float | None:
    if milliseconds in (None, ""):
        return None
    return max(0.0, float(milliseconds) / 60_000)


def _text(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _title(value: str | None) -> str | None:
    return value.replace("_", " ").capitalize() if value else None


def to_row(
    obj: dict[str, Any], stages: dict[tuple[str, str], Stage], owners: dict[str, Owner]
) -> Row:
    """One `tickets` row (in `ROW_COLUMNS` order) from one HubSpot ticket object."""
    props: dict[str, str | None] = obj.get("properties") or {}
    created = parse_time(props.get("createdate") or obj.get("createdAt"))
    if created is None:
        raise ValueError("ticket has no createdate")
    pipeline_id, stage_id = str(props.get("hs_pipeline")), str(props.get("hs_pipeline_stage"))
    stage = stages.get((pipeline_id, stage_id))
    closed = stage.closed if stage else False
    owner_id = _text(props.get("hubspot_owner_id"))
    owner = owners.get(owner_id) if owner_id else None
    source_type = _text(props.get("source_type"))
    attributes: dict[str, Any] = {
        "hubspot_pipeline": stage.pipeline if stage else pipeline_id,
        "hubspot_stage": stage.label if stage else stage_id,
        "hubspot_owner_id": owner_id,
        "agent_name": owner.name if owner else None,
        "hs_lastmodifieddate": props.get("hs_lastmodifieddate"),
    }
    for name, value in sorted(props.items()):
        if name not in MAPPED_PROPERTIES and name not in BOOKKEEPING_PROPERTIES:
            attributes[name] = value
    values = {
        "source": SOURCE,
        "external_id": str(obj["id"]),
        "subject": _text(props.get("subject")),
        "description": _text(props.get("content")),
        "resolution": _text(props.get("hs_resolution")),
        "category": _text(props.get("hs_ticket_category")),
        "priority": _title(_text(props.get("hs_ticket_priority"))),
        "channel": CHANNELS.get(source_type, _title(source_type)) if source_type else None,
        "status": stage.status if stage else "open",
        "agent": owner.email if owner else None,
        "team": owner.team if owner else None,
        "customer": None,
        "created_at": created,
        "first_response_at": None,
        "first_response_minutes": _minutes(props.get("time_to_first_agent_reply")),
        # A re-opened ticket keeps no resolution time: it is open again.
        "resolved_at": parse_time(props.get("closed_date")) if closed else None,
        "resolution_minutes": _minutes(props.get("time_to_close")) if closed else None,
        "csat": None,
        "language": None,
        "tags": None,
        "attributes": attributes,
    }
    return tuple(values[c] for c in ROW_COLUMNS)
