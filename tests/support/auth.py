"""Signed-in test clients.

STOPGAP until the identity issue lands: it overrides `current_user` with a fixed Principal. The
identity issue replaces this module with a real sign-in (create the user, POST /auth/login, keep the
cookies); tests that use `sign_in` need no change then.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from cschat.auth.dependencies import Principal, Role, current_user


async def sign_in(app: FastAPI, client: httpx.AsyncClient, *, email: str, role: Role) -> None:
    principal = Principal(email=email, role=role, user_id=f"user-{email}", groups=(role,))

    async def fixed(request: Request) -> Principal:
        return principal

    app.dependency_overrides[current_user] = fixed
