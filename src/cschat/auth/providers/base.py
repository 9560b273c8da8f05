"""What an identity provider does; everything above it sees only ID-token claims."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from cschat.users.models import User

# Anything that is not a well-formed, trusted ID token gets this one sentence, never the reason.
INVALID_TOKEN = "The session token is invalid or expired: sign in again."  # noqa: S105


@dataclass(frozen=True)
class TokenSet:
    """Tokens from a sign-in or refresh, with the verified claims of the ID token."""

    id_token: str
    claims: dict[str, Any]
    refresh_token: str | None = None


@dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser to sign in, and the state the callback must carry back."""

    url: str
    state: str
    code_verifier: str | None = None


class AuthProvider(Protocol):
    """An identity provider: `local` (built-in accounts) or `cognito`."""

    name: Literal["local", "cognito"]

    async def verify_id_token(self, token: str) -> dict[str, Any]:
        """The claims of a valid ID token of this provider; Unauthorized otherwise."""
        ...

    def login_redirect(self, *, base_url: str) -> LoginRedirect:
        """The sign-in page URL (hosted UI or built-in page) with fresh state."""
        ...

    async def exchange_code(
        self, session: AsyncSession, *, code: str, code_verifier: str | None
    ) -> TokenSet:
        """Trade an authorization code for tokens."""
        ...

    async def issue_tokens(self, session: AsyncSession, user: User) -> TokenSet:
        """Tokens for a user who proved a password here (local only)."""
        ...

    async def refresh(self, session: AsyncSession, refresh_token: str) -> TokenSet:
        """New tokens from a refresh token; Unauthorized when it is not valid."""
        ...

    async def revoke(self, session: AsyncSession, refresh_token: str) -> None:
        """Make a refresh token (and the tokens rotated from it) unusable."""
        ...

    def logout_url(self) -> str | None:
        """Where the browser should go to end the provider's own session, if anywhere."""
        ...

    def jwks(self) -> dict[str, Any] | None:
        """Public keys this app signs with (local), or None."""
        ...

    async def close(self) -> None: ...
