"""Hand-made ID tokens for the rejection tests: valid by default, one thing wrong on demand."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
from fastapi import FastAPI

from cschat.auth.providers.local import AUDIENCE, ISSUER, LocalProvider


def local_claims(address: str, **overrides: Any) -> dict[str, Any]:
    """Valid local-provider claims for `address`; an override of None drops that claim."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "sub-" + address,
        "token_use": "id",
        "email": address,
        "cognito:groups": ["Agent"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def local_token(app: FastAPI, address: str, *, kid: str | None = None, **overrides: Any) -> str:
    """Signed with the app's own key like local tokens; pass the account's `sub`."""
    provider = app.state.auth_provider
    assert isinstance(provider, LocalProvider)
    return jwt.encode(
        local_claims(address, **overrides),
        provider.key.private_key,
        algorithm="RS256",
        headers={"kid": kid or provider.key.kid},
    )


def hs256_token(claims: dict[str, Any], secret: bytes, *, kid: str) -> str:
    """HS256 by hand: PyJWT itself refuses to use a PEM key as an HMAC secret."""
    header = jwt.utils.base64url_encode(
        json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode()
    )
    body = jwt.utils.base64url_encode(json.dumps(claims).encode())
    signing_input = header + b"." + body
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()
