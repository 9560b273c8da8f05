"""`Principal`: the caller of a request, as every service sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["Agent", "Supervisor"]


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as every service sees it."""

    email: str
    role: Role
    user_id: str
    groups: tuple[str, ...] = ()
    given_name: str | None = None
    family_name: str | None = None
    via: Literal["cookie", "api_key"] = "cookie"
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "Supervisor"


def role_from_groups(groups: tuple[str, ...] | list[str]) -> Role:
    """The seed's rule: Supervisor when in the `Supervisor` group, else Agent."""
    return "Supervisor" if "Supervisor" in groups else "Agent"
