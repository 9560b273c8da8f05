"""AWS Cognito: hosted UI with state and PKCE, the token endpoint, ID tokens checked by JWKS."""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
import jwt
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from cschat.auth.jwks import JwksCache
from cschat.auth.providers.base import INVALID_TOKEN, LoginRedirect, TokenSet
from cschat.auth.token_cache import VerifiedTokens
from cschat.core.config import Settings
from cschat.core.errors import BadRequest, Unauthorized, UpstreamError, UpstreamTimeout
from cschat.core.security import new_token
from cschat.users.models import User

log = structlog.get_logger(__name__)

LEEWAY_SECONDS = 60
TOKEN_TIMEOUT_SECONDS = 10.0


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class CognitoProvider:
    """Sign-in through a Cognito user pool's hosted UI."""

    name: Literal["local", "cognito"] = "cognito"

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        cognito = settings.cognito
        self.settings = settings
        self.http = http
        self.client_id = cognito.client_id or ""
        self.client_secret = (
            cognito.client_secret.get_secret_value() if cognito.client_secret else None
        )
        self.issuer = cognito.issuer(settings.aws.region)
        self.domain_url = cognito.domain_url()
        self.key_cache = JwksCache(
            cognito.jwks_url or f"{self.issuer}/.well-known/jwks.json",
            http,
            unknown_kid_detail=INVALID_TOKEN,
        )
        self._verified = VerifiedTokens(leeway_seconds=LEEWAY_SECONDS)

    async def verify_id_token(self, token: str) -> dict[str, Any]:
        cached = self._verified.get(token)
        if cached is not None:
            return cached
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized(INVALID_TOKEN) from None
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str):
            raise Unauthorized(INVALID_TOKEN)
        key = await self.key_cache.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.PyJWTError:
            raise Unauthorized(INVALID_TOKEN) from None
        if claims.get("token_use") != "id":
            raise Unauthorized(INVALID_TOKEN)
        self._verified.put(token, claims)
        return claims

    def _client_auth(self) -> dict[str, Any]:
        # Basic auth when the app client has a secret (confidential client), else none.
        if self.client_secret is None:
            return {}
        return {"auth": httpx.BasicAuth(self.client_id, self.client_secret)}

    def login_redirect(self, *, base_url: str) -> LoginRedirect:
        state = new_token(16)
        verifier = new_token(48)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.settings.auth.oauth_redirect_uri,
                "scope": "openid email profile",
                "state": state,
                "code_challenge": pkce_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return LoginRedirect(
            url=f"{self.domain_url}/oauth2/authorize?{query}", state=state, code_verifier=verifier
        )

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = await self.http.post(
                f"{self.domain_url}/oauth2/token",
                data={**form, "client_id": self.client_id},
                **self._client_auth(),
                timeout=TOKEN_TIMEOUT_SECONDS,
            )
        except httpx.TimeoutException:
            raise UpstreamTimeout("Cognito's token endpoint did not answer in time.") from None
        except httpx.HTTPError as exc:
            log.warning("cognito_token_unreachable", error_type=type(exc).__name__)
            raise UpstreamError("Cognito's token endpoint is unreachable.") from None
        if response.status_code in (400, 401):
            error = _oauth_error(response)
            if error in ("invalid_grant", "invalid_request", "unauthorized_client"):
                return {"error": error}
            log.warning("cognito_token_refused", status=response.status_code, error=error)
            raise UpstreamError(f"Cognito refused the request ({error}): check the app client.")
        if response.status_code != 200:
            raise UpstreamError(f"Cognito's token endpoint answered {response.status_code}.")
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            raise UpstreamError(
                "Cognito's token endpoint sent something that is not JSON."
            ) from None
        if not isinstance(body.get("id_token"), str):
            raise UpstreamError("Cognito's token endpoint sent no id_token.")
        return body

    async def exchange_code(
        self, session: AsyncSession, *, code: str, code_verifier: str | None
    ) -> TokenSet:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.settings.auth.oauth_redirect_uri,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        body = await self._token_request(form)
        if "error" in body:
            raise BadRequest("code: the sign-in code is invalid, expired or already used")
        claims = await self.verify_id_token(body["id_token"])
        return TokenSet(
            id_token=body["id_token"], claims=claims, refresh_token=body.get("refresh_token")
        )

    async def issue_tokens(self, session: AsyncSession, user: User) -> TokenSet:
        raise BadRequest("Passwords are checked by Cognito here: sign in through /auth/login-url.")

    async def refresh(self, session: AsyncSession, refresh_token: str) -> TokenSet:
        body = await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
        if "error" in body:
            raise Unauthorized("The refresh token is invalid or expired: sign in again.")
        claims = await self.verify_id_token(body["id_token"])
        # Cognito does not rotate refresh tokens unless it sends a new one.
        return TokenSet(
            id_token=body["id_token"], claims=claims, refresh_token=body.get("refresh_token")
        )

    async def revoke(self, session: AsyncSession, refresh_token: str) -> None:
        try:
            await self.http.post(
                f"{self.domain_url}/oauth2/revoke",
                data={"token": refresh_token, "client_id": self.client_id},
                **self._client_auth(),
                timeout=TOKEN_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            # Sign-out still clears the cookies; the token then just expires on its own.
            log.warning("cognito_revoke_failed", error_type=type(exc).__name__)

    def logout_url(self) -> str | None:
        query = urlencode(
            {"client_id": self.client_id, "logout_uri": self.settings.app.frontend_url}
        )
        return f"{self.domain_url}/logout?{query}"

    def jwks(self) -> dict[str, Any] | None:
        return None

    async def close(self) -> None:
        return None


def _oauth_error(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return "unknown_error"
    return error if isinstance(error, str) else "unknown_error"
