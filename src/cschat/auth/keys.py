"""The local provider's RSA signing key and its public JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from cschat.core.config import ConfigError, Settings

DEV_JWT_KEY_FILE = Path("data/jwt_private_key.pem")


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey
    kid: str
    jwk: dict[str, Any]


def generate_private_key_pem() -> str:
    """A new 2048-bit RSA private key in PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _dev_private_key_pem() -> str:
    """Generated once into ./data so development sessions survive restarts."""
    if DEV_JWT_KEY_FILE.exists():
        return DEV_JWT_KEY_FILE.read_text()
    DEV_JWT_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    pem = generate_private_key_pem()
    # Write then rename, so a second worker starting at the same time never reads half a key;
    # if one got there first, everyone uses its key.
    partial = DEV_JWT_KEY_FILE.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    try:
        os.link(partial, DEV_JWT_KEY_FILE)
    except FileExistsError:
        pem = DEV_JWT_KEY_FILE.read_text()
    finally:
        partial.unlink()
    return pem


def _thumbprint(jwk: dict[str, Any]) -> str:
    # RFC 7638: SHA-256 of the required members in lexical order, no whitespace.
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    )


def load_signing_key(settings: Settings) -> SigningKey:
    """JWT_PRIVATE_KEY when set, else (outside production) the key kept in ./data."""
    configured = settings.auth.jwt_private_key
    pem = configured.get_secret_value() if configured else _dev_private_key_pem()
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise ConfigError("JWT_PRIVATE_KEY: not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError("JWT_PRIVATE_KEY: must be an RSA key (tokens are RS256)")
    public = key.public_key()
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(public, as_dict=True)
    kid = _thumbprint(jwk)
    return SigningKey(
        private_key=key,
        public_key=public,
        kid=kid,
        jwk={**jwk, "kid": kid, "alg": "RS256", "use": "sig"},
    )
