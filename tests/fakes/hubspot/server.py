"""The fake's HTTP app (both API layouts) and a threaded uvicorn server on a free port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.hubspot.catalog import PIPELINES
from tests.fakes.hubspot.errors import error
from tests.fakes.hubspot.state import FAILURE_KINDS, FakeHubSpot
from tests.support.uvicorn_thread import serve_in_thread


class EscapedJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped (just as valid), so that a lone surrogate in a property can
    travel as a `\\udXXX` escape; Starlette's own rendering cannot encode one."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode()


def create_app(state: FakeHubSpot) -> Starlette:
    """The fake's HTTP app: both the /crm/v3 and the dated layouts."""

    async def guard(request: Request, kind: str, search: bool = False) -> JSONResponse | None:
        with state.lock:
            state.requests[kind] = state.requests.get(kind, 0) + 1
        if request.headers.get("authorization") != f"Bearer {state.token}":
            return error(
                401,
                "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
                "INVALID_AUTHENTICATION",
            )
        return state.injected_failure() or state.over_limit(search)

    async def search(request: Request) -> JSONResponse:
        if (refused := await guard(request, "search", search=True)) is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return error(400, "Invalid JSON body.", "VALIDATION_ERROR")
        status, out = state.search(body)
        return EscapedJSONResponse(out, status_code=status)

    async def list_tickets(request: Request) -> JSONResponse:
        if (refused := await guard(request, "list")) is not None:
            return refused
        return EscapedJSONResponse(state.list_page(dict(request.query_params)))

    async def pipelines(request: Request) -> JSONResponse:
        if (refused := await guard(request, "pipelines")) is not None:
            return refused
        if request.path_params.get("object_type", "tickets") != "tickets":
            return JSONResponse({"results": []})
        return JSONResponse({"results": PIPELINES})

    async def owners(request: Request) -> JSONResponse:
        if (refused := await guard(request, "owners")) is not None:
            return refused
        return JSONResponse(state.owners_page(dict(request.query_params)))

    async def admin(request: Request) -> JSONResponse:
        # Demo controls (not HubSpot's API): POST /_fake/{change|reopen|archive|create}?n=10,
        # POST /_fake/fail?kind=ten_secondly&n=3.
        action = request.path_params["action"]
        try:
            count = int(request.query_params.get("n", "1"))
        except ValueError:
            return error(400, "n must be an integer.", "VALIDATION_ERROR")
        edits = {
            "change": state.change,
            "reopen": state.reopen,
            "archive": state.archive,
            "create": state.create,
        }
        if action in edits:
            return JSONResponse({"ids": edits[action](count)})
        kind = request.query_params.get("kind", "")
        if action == "fail" and kind in FAILURE_KINDS:
            state.fail_next(count, kind)
            return JSONResponse({"queued": count, "kind": kind})
        return error(404, f"unknown fake control {action!r}", "OBJECT_NOT_FOUND")

    routes = [Route("/_fake/{action}", admin, methods=["POST"])]
    for objects, pipes, owner_path in (
        ("/crm/v3/objects/tickets", "/crm/v3/pipelines/{object_type}", "/crm/v3/owners"),
        (
            "/crm/objects/{version}/tickets",
            "/crm/pipelines/{version}/{object_type}",
            "/crm/owners/{version}",
        ),
    ):
        routes += [
            Route(f"{objects}/search", search, methods=["POST"]),
            Route(objects, list_tickets, methods=["GET"]),
            Route(pipes, pipelines, methods=["GET"]),
            Route(owner_path, owners, methods=["GET"]),
            Route(f"{owner_path}/", owners, methods=["GET"]),
        ]
    return Starlette(routes=routes)


@contextmanager
def serve(state: FakeHubSpot, port: int = 0) -> Iterator[str]:
    """Serve the fake on 127.0.0.1 (a free port unless given); yields its base URL."""
    config = uvicorn.Config(
        create_app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    with serve_in_thread(config, what="the fake HubSpot server") as url:
        yield url
