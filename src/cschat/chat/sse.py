"""Server-Sent Events framing."""

from __future__ import annotations

import json
from typing import Any


def event(name: str, data: Any) -> str:
    """One SSE event: `event:` name, one `data:` line of JSON, a blank line."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"
