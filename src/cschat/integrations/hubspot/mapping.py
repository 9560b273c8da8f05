"""HubSpot ticket objects to `tickets` rows: stage -> status, owner -> agent and team."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String

from cschat.tickets.ingest.normalise import MAX_MINUTES
from cschat.tickets.models import FIRST_TIME, LAST_TIME, ROW_COLUMNS, Ticket
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
_EPOCH_MS = re.compile(r"-?[0-9]+")
# Widths PostgreSQL enforces (SQLite does not): one longer value would fail the whole page there.
_WIDTHS = {
    c.name: c.type.length
    for c in Ticket.__table__.columns
    if isinstance(c.type, String) and c.type.length and c.name in ROW_COLUMNS
}


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
        if not isinstance(pipeline, dict) or not _plain(pipeline.get("id")):
            continue  # nothing can point at it
        for stage in pipeline.get("stages") or []:
            if not isinstance(stage, dict) or not _plain(stage.get("id")):
                continue
            metadata = stage.get("metadata") or {}
            state = str(metadata.get("ticketState") or "").upper()
            closed = state == "CLOSED" if state else str(metadata.get("isClosed")).lower() == "true"
            label = _plain(stage.get("label")) or stage["id"]
            stages[(pipeline["id"], stage["id"])] = Stage(
                pipeline=_plain(pipeline.get("label")) or pipeline["id"],
                label=label,
                closed=closed,
                status=stage_status(label, closed=closed),
            )
    return stages


def owner_map(owners: list[dict[str, Any]]) -> dict[str, Owner]:
    """Owner id -> agent email, display name and primary team (archived owners included)."""
    out: dict[str, Owner] = {}
    for owner in owners:
        if not isinstance(owner, dict) or not _plain(owner.get("id")):
            continue  # no ticket can name it
        parts = (_plain(owner.get("firstName")), _plain(owner.get("lastName")))
        teams = [t for t in owner.get("teams") or [] if isinstance(t, dict)]
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
        out[owner["id"]] = Owner(
            email=_plain(owner.get("email")),
            name=" ".join(p for p in parts if p) or None,
            team=_plain(primary.get("name")) if primary else None,
        )
    return out


def _plain(value: Any) -> str | None:
    """A metadata field (pipeline, stage, owner) if it is storable text, else None."""
    try:
        return _storable(value, "value") or None
    except ValueError:
        return None


def parse_time(value: str | None) -> datetime | None:
    """A HubSpot datetime property: ISO 8601 (search, list) or epoch milliseconds, within the
    years `tickets` keeps (ValueError otherwise)."""
    if not value:
        return None
    try:
        if _EPOCH_MS.fullmatch(value):
            moment = datetime.fromtimestamp(int(value) / 1000, UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            # HubSpot's times carry an offset; a naive one is UTC, not the server's zone.
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, OSError):
        raise ValueError(f"time {value[:40]!r} is out of range") from None
    if not FIRST_TIME <= moment <= LAST_TIME:
        raise ValueError(f"time {value[:40]!r} is out of range")
    return moment


def epoch_ms(value: str | None) -> int | None:
    moment = parse_time(value)
    return None if moment is None else round(moment.timestamp() * 1000)


def _minutes(milliseconds: str | None) -> float | None:
    if milliseconds in (None, ""):
        return None
    minutes = max(0.0, float(milliseconds) / 60_000)
    if not math.isfinite(minutes) or minutes > MAX_MINUTES:  # nan, inf, a unit mix-up
        raise ValueError(f"duration {milliseconds[:40]!r} is out of range")
    return minutes


def _after(start: datetime, milliseconds: str | None) -> datetime | None:
    """`milliseconds` (checked by `_minutes`) after `start`, exactly; None when not given or
    past the last storable time."""
    if milliseconds in (None, ""):
        return None
    try:
        moment = start + timedelta(milliseconds=max(0.0, float(milliseconds)))
    except OverflowError:
        return None
    return moment if moment <= LAST_TIME else None


def _storable(value: Any, what: str) -> str | None:
    """`value` if it is text (or null) that both databases can hold, else ValueError."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text")
    if "\x00" in value:
        raise ValueError(f"{what} contains a NUL character")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError(f"{what} holds a lone surrogate") from None
    return value


def ticket_id(obj: Any) -> str:
    """A search or list result's ticket id; ValueError when it has none usable."""
    if not isinstance(obj, dict):
        raise ValueError("ticket is not a JSON object")
    raw = obj.get("id")
    # HubSpot sends ids as text; a JSON integer names the same ticket.
    found = str(raw) if type(raw) is int else _storable(raw, "id")
    if not found:
        raise ValueError("ticket has no id")
    return found


def _properties(obj: dict[str, Any]) -> dict[str, str | None]:
    # HubSpot documents every property value as text or null.
    props = obj.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("properties is not a JSON object")
    for name, value in props.items():
        _storable(name, "a property name")
        _storable(value, f"property {name!r}")
    return props


def _text(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _title(value: str | None) -> str | None:
    return value.replace("_", " ").capitalize() if value else None


def to_row(
    obj: dict[str, Any], stages: dict[tuple[str, str], Stage], owners: dict[str, Owner]
) -> Row:
    """One `tickets` row (in `ROW_COLUMNS` order) from one HubSpot ticket object; ValueError
    (or KeyError, TypeError) names what makes it unusable."""
    external_id = ticket_id(obj)
    props = _properties(obj)
    created = parse_time(props.get("createdate") or obj.get("createdAt"))
    if created is None:
        raise ValueError("ticket has no createdate")
    pipeline_id, stage_id = _text(props.get("hs_pipeline")), _text(props.get("hs_pipeline_stage"))
    stage = stages.get((pipeline_id, stage_id)) if pipeline_id and stage_id else None
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
    first_reply = props.get("time_to_first_agent_reply")
    values = {
        "source": SOURCE,
        "external_id": external_id,
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
        # HubSpot gives the time to the first reply; its moment follows (as ingest derives it).
        "first_response_minutes": _minutes(first_reply),
        "first_response_at": _after(created, first_reply),
        # A re-opened ticket keeps no resolution time: it is open again.
        "resolved_at": parse_time(props.get("closed_date")) if closed else None,
        "resolution_minutes": _minutes(props.get("time_to_close")) if closed else None,
        "csat": None,
        "language": None,
        "tags": None,
        "attributes": attributes,
    }
    for column, width in _WIDTHS.items():
        cell = values[column]
        if isinstance(cell, str) and len(cell) > width:
            raise ValueError(f"{column} is longer than {width} characters")
    return tuple(values[c] for c in ROW_COLUMNS)
