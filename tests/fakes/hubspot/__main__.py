"""`python -m tests.fakes.hubspot --port 8765 --tickets 5000`: serve the fake for a demo."""

from __future__ import annotations

import argparse
import threading
from contextlib import suppress

from tests.fakes.hubspot.catalog import TOKEN
from tests.fakes.hubspot.server import serve
from tests.fakes.hubspot.state import FakeHubSpot


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake HubSpot CRM for demos.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--limits", action="store_true", help="enforce 100/10 s and 4 search/s")
    args = parser.parse_args()
    state = FakeHubSpot(args.tickets, seed=args.seed)
    if args.limits:
        state.enforce_limits()
    with serve(state, args.port) as url:
        print(f"fake HubSpot on {url} (token {TOKEN!r}, {args.tickets} tickets); Ctrl-C stops")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
