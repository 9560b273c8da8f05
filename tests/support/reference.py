"""Where the project's shared reference material lives: `shared/` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("CSCHAT_SHARED_DIR", REPO_ROOT.parent / "shared"))
REFERENCE_CSV = SHARED_DIR / "data" / "support_tickets_2024.csv"
