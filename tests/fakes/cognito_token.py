"""A stand-in for Cognito's hosted UI and OAuth endpoints, issuing moto's real tokens.

A real HTTP server on a free loopback port. `GET /oauth2/authorize` plays the hosted UI: with the
test-only `username` and `password` query parameters it signs in through moto's
`admin_initiate_auth` and redirects to `redirect_uri?code&state`. `POST /oauth2/token` trades a code
(single use; `redirect_uri`, client and PKCE S256 checked as Cognito does) or a refresh token for
the tokens moto issued. `POST /oauth2/revoke` records revoked refresh tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
from botocore.exceptions import ClientError


@dataclass
class PendingCode:
    tokens: dict[str, Any]
    redirect_uri: str
    client_id: str
    challenge: str | None


@dataclass
class CognitoTokenFake:
    moto_endpoint: str
    pool_id: str
    client_id: str
    client_secret: str | None
    region: str = "us-east-1"
    codes: dict[str, PendingCode] = field(default_factory=dict)
    revoked: list[str] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def idp(self) -> Any:
        return boto3.client(
            "cognito-idp",
            region_name=self.region,
            endpoint_url=self.moto_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        result = self.idp().admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return dict(result["AuthenticationResult"])

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        result = self.idp().admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
        return dict(result["AuthenticationResult"])


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler(fake: CognitoTokenFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/oauth2/authorize":
                self._json(404, {"error": "not_found"})
                return
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if query.get("client_id") != fake.client_id:
                self._json(400, {"error": "invalid_client"})
                return
            try:
                tokens = fake.sign_in(query["username"], query["password"])
            except (KeyError, ClientError):
                self._json(400, {"error": "access_denied"})
                return
            code = secrets.token_urlsafe(16)
            fake.codes[code] = PendingCode(
                tokens=tokens,
                redirect_uri=query.get("redirect_uri", ""),
                client_id=query["client_id"],
                challenge=query.get("code_challenge"),
            )
            params = urlencode({"code": code, "state": query.get("state", "")})
            target = f"{query['redirect_uri']}?{params}"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _client_ok(self, form: dict[str, str]) -> bool:
            if form.get("client_id", fake.client_id) != fake.client_id:
                return False
            if fake.client_secret is None:
                return True
            expected = base64.b64encode(f"{fake.client_id}:{fake.client_secret}".encode()).decode()
            return self.headers.get("Authorization") == f"Basic {expected}"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.token_requests.append(
                {
                    "path": self.path,
                    "form": form,
                    "authorization": self.headers.get("Authorization"),
                }
            )
            if not self._client_ok(form):
                self._json(401, {"error": "invalid_client"})
                return
            if self.path == "/oauth2/revoke":
                fake.revoked.append(form.get("token", ""))
                self._json(200, {})
                return
            if self.path != "/oauth2/token":
                self._json(404, {"error": "not_found"})
                return
            grant = form.get("grant_type")
            if grant == "authorization_code":
                self._code_grant(form)
            elif grant == "refresh_token":
                try:
                    tokens = fake.refresh(form.get("refresh_token", ""))
                except ClientError:
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(
                    200,
                    {
                        "id_token": tokens["IdToken"],
                        "access_token": tokens["AccessToken"],
                        "expires_in": tokens["ExpiresIn"],
                        "token_type": "Bearer",
                    },
                )
            else:
                self._json(400, {"error": "unsupported_grant_type"})

        def _code_grant(self, form: dict[str, str]) -> None:
            pending = fake.codes.pop(form.get("code", ""), None)
            if pending is None or pending.redirect_uri != form.get("redirect_uri"):
                self._json(400, {"error": "invalid_grant"})
                return
            if pending.challenge is not None and (
                _challenge(form.get("code_verifier", "")) != pending.challenge
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            tokens = pending.tokens
            self._json(
                200,
                {
                    "id_token": tokens["IdToken"],
                    "access_token": tokens["AccessToken"],
                    "refresh_token": tokens["RefreshToken"],
                    "expires_in": tokens["ExpiresIn"],
                    "token_type": "Bearer",
                },
            )

    return Handler


@contextmanager
def cognito_token_server(fake: CognitoTokenFake) -> Iterator[CognitoTokenFake]:
    """Serve `fake` on a free loopback port; `fake.url` is its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
