"""The Cognito user pool through its admin API (boto3, run in worker threads)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
import structlog
from anyio import to_thread
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cschat.core.config import Settings
from cschat.core.errors import BadRequest, UpstreamError
from cschat.users.directory import DirectoryUser
from cschat.users.models import ROLES

log = structlog.get_logger(__name__)
T = TypeVar("T")

_USER_NOT_FOUND = "UserNotFoundException"


class CognitoDirectory:
    """Users and groups of COGNITO_USER_POOL_ID; the groups are named after the roles."""

    name = "cognito"

    def __init__(self, settings: Settings) -> None:
        # Endpoint and credentials come from boto's own chain (AWS_ENDPOINT_URL_<SERVICE>, roles).
        cognito = settings.cognito
        self.pool_id = cognito.user_pool_id or ""
        self._client: Any = boto3.client(
            "cognito-idp",
            region_name=cognito.effective_region(settings.aws.region),
            config=Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3}),
        )

    async def _call(
        self, operation: str, expect: tuple[str, ...] = (), **kwargs: Any
    ) -> dict[str, Any]:
        """Run one admin call; ClientErrors with a code in `expect` are the caller's to handle."""
        method: Callable[..., dict[str, Any]] = getattr(self._client, operation)
        try:
            return await to_thread.run_sync(functools.partial(method, **kwargs))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            if code in expect:
                raise
            log.warning("cognito_admin_failed", operation=operation, code=code)
            if code in ("InvalidPasswordException", "InvalidParameterException"):
                message = exc.response.get("Error", {}).get("Message", "")
                raise BadRequest(f"password: Cognito refused it ({message})") from None
            raise UpstreamError(f"Cognito refused {operation} ({code}).") from None
        except BotoCoreError as exc:
            log.warning("cognito_admin_unreachable", operation=operation, error=type(exc).__name__)
            raise UpstreamError("Cognito is unreachable: try again shortly.") from None

    async def _ignore_missing(self, operation: str, **kwargs: Any) -> None:
        # The account may have been removed in the Cognito console already: nothing to undo.
        try:
            await self._call(operation, (_USER_NOT_FOUND,), UserPoolId=self.pool_id, **kwargs)
        except ClientError:
            log.info("cognito_user_missing", operation=operation)

    async def create_user(
        self, *, email: str, role: str, given_name: str | None, family_name: str | None
    ) -> str | None:
        attributes = [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ]
        attributes += [
            {"Name": name, "Value": value}
            for name, value in (("given_name", given_name), ("family_name", family_name))
            if value
        ]
        try:
            # SUPPRESS: our own invitation mail is the only one the invitee gets.
            created = await self._call(
                "admin_create_user",
                ("UsernameExistsException",),
                UserPoolId=self.pool_id,
                Username=email,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )
            user_attributes = created["User"].get("Attributes", [])
        except ClientError:
            existing = await self._call("admin_get_user", UserPoolId=self.pool_id, Username=email)
            user_attributes = existing.get("UserAttributes", [])
        await self.set_role(email=email, role=role)
        return _attribute(user_attributes, "sub")

    async def set_password(self, *, email: str, password: str) -> None:
        await self._call(
            "admin_set_user_password",
            UserPoolId=self.pool_id,
            Username=email,
            Password=password,
            Permanent=True,
        )

    async def set_role(self, *, email: str, role: str) -> None:
        await self._call(
            "admin_add_user_to_group", UserPoolId=self.pool_id, Username=email, GroupName=role
        )
        for other in ROLES:
            if other != role:
                await self._ignore_missing(
                    "admin_remove_user_from_group", Username=email, GroupName=other
                )

    async def set_enabled(self, *, email: str, enabled: bool) -> None:
        operation = "admin_enable_user" if enabled else "admin_disable_user"
        await self._ignore_missing(operation, Username=email)

    async def delete_user(self, *, email: str) -> None:
        await self._ignore_missing("admin_delete_user", Username=email)

    async def _group_members(self, group: str) -> set[str]:
        members: set[str] = set()
        kwargs: dict[str, Any] = {"UserPoolId": self.pool_id, "GroupName": group}
        while True:
            try:
                page = await self._call(
                    "list_users_in_group", ("ResourceNotFoundException",), **kwargs
                )
            except ClientError:
                return members  # no such group: nobody has that role
            members.update(u["Username"] for u in page.get("Users", []))
            if not page.get("NextToken"):
                return members
            kwargs["NextToken"] = page["NextToken"]

    async def list_users(self) -> list[DirectoryUser]:
        supervisors = await self._group_members("Supervisor")
        users: list[DirectoryUser] = []
        kwargs: dict[str, Any] = {"UserPoolId": self.pool_id}
        while True:
            page = await self._call("list_users", **kwargs)
            for u in page.get("Users", []):
                attributes = u.get("Attributes", [])
                email = _attribute(attributes, "email")
                if not email:
                    continue
                users.append(
                    DirectoryUser(
                        email=email.strip().lower(),
                        sub=_attribute(attributes, "sub"),
                        enabled=bool(u.get("Enabled", True)),
                        role="Supervisor" if u["Username"] in supervisors else "Agent",
                        given_name=_attribute(attributes, "given_name"),
                        family_name=_attribute(attributes, "family_name"),
                    )
                )
            if not page.get("PaginationToken"):
                return users
            kwargs["PaginationToken"] = page["PaginationToken"]


def _attribute(attributes: list[dict[str, str]], name: str) -> str | None:
    return next((a["Value"] for a in attributes if a.get("Name") == name), None)
