"""One place that turns AUTH_PROVIDER into a provider instance."""

from __future__ import annotations

import httpx

from cschat.auth.keys import load_signing_key
from cschat.auth.providers.base import AuthProvider
from cschat.auth.providers.cognito import CognitoProvider
from cschat.auth.providers.local import LocalProvider
from cschat.core.config import Settings


def create_provider(settings: Settings, http: httpx.AsyncClient) -> AuthProvider:
    """The provider AUTH_PROVIDER names; created once in the app's lifespan."""
    if settings.auth.provider == "cognito":
        return CognitoProvider(settings, http)
    return LocalProvider(settings, load_signing_key(settings))
