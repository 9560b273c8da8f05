"""What the independent references share: where `shared/` lives (beside the repository) and the
column each metric is computed from."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("CSCHAT_SHARED_DIR", REPO_ROOT.parent / "shared"))
REFERENCE_CSV = SHARED_DIR / "data" / "support_tickets_2024.csv"

# The column each metric is computed from: a ticket without it is not measured (`measured`).
MEASURED_BY = {
    "avg_resolution_hours": "resolution_minutes",
    "median_resolution_hours": "resolution_minutes",
    "avg_first_response_minutes": "first_response_minutes",
    "avg_csat": "csat",
}
