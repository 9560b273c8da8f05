"""Every route must declare who may call it; the app refuses to start otherwise.

A route declares access by depending (directly or through another dependency) on `CurrentUser`,
`SupervisorUser`, `key_or_supervisor(...)`, or `PublicRoute` for an explicit opt-out. This makes
"signed in" the default in practice: a route that forgets cannot ship, and the role-matrix test
walks the same list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from cschat.auth.dependencies import current_user, public, supervisor_user

Access = Literal["public", "user", "supervisor", "key_or_supervisor"]

_MARKERS: dict[Callable[..., Any], Access] = {
    public: "public",
    current_user: "user",
    supervisor_user: "supervisor",
}
# The strictest requirement found wins when a route has several.
_STRENGTH: dict[Access, int] = {"public": 0, "user": 1, "key_or_supervisor": 2, "supervisor": 3}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


@dataclass(frozen=True)
class RouteInfo:
    """One API route as served (prefixes and router-level dependencies applied)."""

    path: str
    methods: frozenset[str]
    access: Access | None


def _access(dependant: Dependant) -> Access | None:
    found: list[Access] = []
    for call in _calls(dependant):
        marker: Access | None = _MARKERS.get(call) or getattr(call, "access", None)
        if marker is not None:
            found.append(marker)
    if not found:
        return None
    return max(found, key=_strength)


def _strength(access: Access) -> int:
    return _STRENGTH[access]


def api_routes(app: FastAPI) -> list[RouteInfo]:
    """Every API route of the app with the access it declared (FastAPI's own docs excluded)."""
    routes = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        routes.append(
            RouteInfo(
                path=str(context.path),
                methods=frozenset(context.methods or ()),
                access=_access(context.dependant),
            )
        )
    return routes


def check_routes_declare_access(app: FastAPI) -> None:
    """RuntimeError naming every API route that declares no access."""
    missing = [
        f"{','.join(sorted(route.methods))} {route.path}"
        for route in api_routes(app)
        if route.access is None
    ]
    if missing:
        raise RuntimeError(
            "Routes without declared access (use CurrentUser, SupervisorUser, "
            f"key_or_supervisor(...) or PublicRoute): {'; '.join(missing)}"
        )
