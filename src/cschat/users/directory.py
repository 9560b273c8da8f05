"""Where accounts also live outside our database: nowhere (local) or a Cognito user pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request

from cschat.core.config import Settings


@dataclass(frozen=True)
class DirectoryUser:
    """An account as the directory sees it."""

    email: str
    sub: str | None
    enabled: bool
    role: str
    given_name: str | None = None
    family_name: str | None = None


class Directory(Protocol):
    """The identity provider's own user store, kept in step with ours."""

    name: str

    async def create_user(
        self, *, email: str, role: str, given_name: str | None, family_name: str | None
    ) -> str | None:
        """Create (or find) the account without the provider's own mail; returns its sub."""
        ...

    async def set_password(self, *, email: str, password: str) -> None: ...

    async def set_role(self, *, email: str, role: str) -> None: ...

    async def set_enabled(self, *, email: str, enabled: bool) -> None: ...

    async def delete_user(self, *, email: str) -> None: ...

    async def list_users(self) -> list[DirectoryUser]: ...


class LocalDirectory:
    """Built-in accounts live only in our database, so there is nothing else to update."""

    name = "local"

    async def create_user(
        self, *, email: str, role: str, given_name: str | None, family_name: str | None
    ) -> str | None:
        return None

    async def set_password(self, *, email: str, password: str) -> None:
        return None

    async def set_role(self, *, email: str, role: str) -> None:
        return None

    async def set_enabled(self, *, email: str, enabled: bool) -> None:
        return None

    async def delete_user(self, *, email: str) -> None:
        return None

    async def list_users(self) -> list[DirectoryUser]:
        return []


def create_directory(settings: Settings) -> Directory:
    """The directory of AUTH_PROVIDER."""
    if settings.auth.provider == "cognito":
        from cschat.users.cognito_directory import CognitoDirectory

        return CognitoDirectory(settings)
    return LocalDirectory()


async def get_directory(request: Request) -> Directory:
    directory: Directory = request.app.state.directory
    return directory


DirectoryDep = Annotated[Directory, Depends(get_directory)]
