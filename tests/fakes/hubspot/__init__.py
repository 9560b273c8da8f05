"""A fake HubSpot CRM (tickets, ticket pipelines, owners) speaking HubSpot's wire format.

A real HTTP server (Starlette under uvicorn in a thread, on a free loopback port) that follows the
v3 reference specs: list with opaque cursors, search with filter groups, one sort, `total`, numeric
`after` and a 400 past 10,000 results, pipelines whose stages carry `ticketState`/`isClosed`, paged
owners (archived ones with `archived=true`), a Bearer check, switchable 429s shaped like
HubSpot's (with `policyName`) and 5xx, optional enforcement of HubSpot's rolling limits, and both
the `/crm/v3` and the dated (`/crm/objects/2026-03`) layouts. Tickets are generated
deterministically from a seed.

Demo: `python -m tests.fakes.hubspot --port 8765 --tickets 5000` then
`HUBSPOT_BASE_URL=http://127.0.0.1:8765 HUBSPOT_TOKEN=fake-token cschat hubspot sync`. Tests edit
it through `FakeHubSpot` methods (change, reopen, archive, create, fail_next, enforce_limits),
odd data through `FakeTicket.raw` and paging misbehaviours through `FakeHubSpot.quirks`;
a demo through `POST /_fake/{change|reopen|archive|create}?n=N` and `POST /_fake/fail?kind=K&n=N`.
"""

from tests.fakes.hubspot.catalog import PIPELINES, TOKEN
from tests.fakes.hubspot.server import create_app, serve
from tests.fakes.hubspot.state import FakeHubSpot, FakeTicket

__all__ = ["PIPELINES", "TOKEN", "FakeHubSpot", "FakeTicket", "create_app", "serve"]
