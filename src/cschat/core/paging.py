"""The `offset` query parameter of paged lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from cschat.core.db import MAX_BIGINT

# A larger OFFSET than BIGINT failed in the driver (a 500).
Offset = Annotated[int, Query(ge=0, le=MAX_BIGINT, description="Rows to skip")]
