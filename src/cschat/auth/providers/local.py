"""Built-in accounts: RS256 ID tokens shaped like Cognito's, rotating refresh tokens, codes."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlencode

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth import repository
from cschat.auth.keys import SigningKey
from cschat.auth.providers.base import INVALID_TOKEN, LoginRedirect, TokenSet
from cschat.auth.token_cache import VerifiedTokens
from cschat.core.config import Settings
from cschat.core.db import utcnow
from cschat.core.errors import BadRequest, Unauthorized
from cschat.core.security import new_token, token_digest
from cschat.users import repository as users_repository
from cschat.users.models import User

ISSUER = "cschat-local"
AUDIENCE = "cschat"
CODE_TTL_SECONDS = 60
LEEWAY_SECONDS = 5


class RefreshTokenReused(Unauthorized):
    """A rotated refresh token came back; its chain is revoked and that must be committed."""

    def __init__(self) -> None:
        super().__init__(
            "This refresh token was already used: every session from it is now revoked."
        )


class LocalProvider:
    """Sign-in without any cloud: the app is its own identity provider."""

    name: Literal["local", "cognito"] = "local"

    def __init__(self, settings: Settings, key: SigningKey) -> None:
        self.settings = settings
        self.key = key
        self._jwks = {"keys": [key.jwk]}
        self._verified = VerifiedTokens(leeway_seconds=LEEWAY_SECONDS)

    async def verify_id_token(self, token: str) -> dict[str, Any]:
        cached = self._verified.get(token)
        if cached is not None:
            return cached
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256" or header.get("kid") != self.key.kid:
                raise Unauthorized(INVALID_TOKEN)
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key.public_key,
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "email", "token_use"]},
            )
        except jwt.PyJWTError:
            raise Unauthorized(INVALID_TOKEN) from None
        if claims.get("token_use") != "id":
            raise Unauthorized(INVALID_TOKEN)
        self._verified.put(token, claims)
        return claims

    def login_redirect(self, *, base_url: str) -> LoginRedirect:
        state = new_token(16)
        query = urlencode({"redirect_uri": self.settings.auth.oauth_redirect_uri, "state": state})
        return LoginRedirect(
            url=f"{base_url.rstrip('/')}/auth/local/authorize?{query}", state=state
        )

    async def create_code(self, session: AsyncSession, *, user: User, redirect_uri: str) -> str:
        """A single-use code for the built-in sign-in page's redirect."""
        code = new_token(32)
        await repository.add_code(
            session,
            code_hash=token_digest(code),
            user_id=user.id,
            redirect_uri=redirect_uri,
            expires_at=utcnow() + timedelta(seconds=CODE_TTL_SECONDS),
        )
        return code

    async def exchange_code(
        self, session: AsyncSession, *, code: str, code_verifier: str | None
    ) -> TokenSet:
        stored = await repository.consume_code(session, token_digest(code), utcnow())
        if stored is None or stored.redirect_uri != self.settings.auth.oauth_redirect_uri:
            raise BadRequest("code: the sign-in code is invalid, expired or already used")
        user = await users_repository.get_by_id(session, stored.user_id)
        if user is None:
            raise BadRequest("code: the sign-in code is invalid, expired or already used")
        return await self.issue_tokens(session, user)

    async def issue_tokens(
        self, session: AsyncSession, user: User, *, family_id: str | None = None
    ) -> TokenSet:
        claims = self._claims(user)
        id_token = jwt.encode(
            claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid}
        )
        refresh_token = new_token(32)
        await repository.add_refresh_token(
            session,
            token_hash=token_digest(refresh_token),
            family_id=family_id or uuid.uuid4().hex,
            user_id=user.id,
            expires_at=utcnow() + timedelta(seconds=self.settings.auth.refresh_token_ttl_seconds),
        )
        return TokenSet(id_token=id_token, claims=claims, refresh_token=refresh_token)

    def _claims(self, user: User) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user.id,
            "token_use": "id",
            "email": user.email,
            "email_verified": True,
            "cognito:username": user.email,
            "cognito:groups": [user.role],
            "auth_time": now,
            "iat": now,
            "exp": now + self.settings.auth.id_token_ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if user.given_name:
            claims["given_name"] = user.given_name
        if user.family_name:
            claims["family_name"] = user.family_name
        return claims

    async def refresh(self, session: AsyncSession, refresh_token: str) -> TokenSet:
        now = utcnow()
        stored = await repository.get_refresh_token(session, token_digest(refresh_token))
        if stored is None or stored.expires_at <= now:
            raise Unauthorized("The refresh token is invalid or expired: sign in again.")
        if stored.used_at is not None or stored.revoked_at is not None:
            # Reuse of a rotated token means it leaked: end the whole chain.
            await repository.revoke_family(session, stored.family_id, now)
            raise RefreshTokenReused()
        if not await repository.mark_refresh_token_used(session, stored.id, now):
            await repository.revoke_family(session, stored.family_id, now)
            raise RefreshTokenReused()
        user = await users_repository.get_by_id(session, stored.user_id)
        if user is None or user.status != "active":
            raise Unauthorized("This account is not active: sign in again.")
        return await self.issue_tokens(session, user, family_id=stored.family_id)

    async def revoke(self, session: AsyncSession, refresh_token: str) -> None:
        stored = await repository.get_refresh_token(session, token_digest(refresh_token))
        if stored is not None:
            await repository.revoke_family(session, stored.family_id, utcnow())

    def logout_url(self) -> str | None:
        return None

    def jwks(self) -> dict[str, Any] | None:
        return self._jwks

    async def close(self) -> None:
        return None
