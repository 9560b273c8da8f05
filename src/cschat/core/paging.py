"""The `offset` query parameter of paged lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# The largest OFFSET both engines accept (BIGINT); a larger one failed in the driver (a 500).
MAX_OFFSET = 2**63 - 1

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]
