"""The JWKS cache against a real local JWKS server: rotation, throttled refetch, outage."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from cschat.auth.jwks import JwksCache
from cschat.core.errors import Unauthorized, UpstreamError


class JwksServer:
    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.hits = 0
        self.down = False

    def add_key(self, kid: str) -> None:
        public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        self.keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})


@pytest.fixture
def jwks_server() -> Iterator[tuple[JwksServer, str]]:
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            state.hits += 1
            status, body = (
                (503, b"{}") if state.down else (200, json.dumps({"keys": state.keys}).encode())
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


async def test_keys_are_cached_and_refetched_for_a_new_kid(
    jwks_server: tuple[JwksServer, str],
) -> None:
    state, url = jwks_server
    state.add_key("one")
    async with httpx.AsyncClient() as http:
        cache = JwksCache(url, http, min_refetch_seconds=0)
        assert (await cache.key("one")).key_id == "one"
        await cache.key("one")
        assert state.hits == 1
        state.add_key("two")  # the provider rotates its keys
        assert (await cache.key("two")).key_id == "two"
        assert state.hits == 2


async def test_unknown_kids_cannot_hammer_the_provider(
    jwks_server: tuple[JwksServer, str],
) -> None:
    state, url = jwks_server
    state.add_key("one")
    async with httpx.AsyncClient() as http:
        cache = JwksCache(url, http, min_refetch_seconds=60)
        await cache.key("one")
        for _ in range(5):
            with pytest.raises(Unauthorized):
                await cache.key("made-up")
    assert state.hits == 1


async def test_outage_keeps_known_keys_and_is_a_502_without_any(
    jwks_server: tuple[JwksServer, str],
) -> None:
    state, url = jwks_server
    state.add_key("one")
    state.down = True
    async with httpx.AsyncClient() as http:
        cold = JwksCache(url, http, min_refetch_seconds=0)
        with pytest.raises(UpstreamError) as unreachable:
            await cold.key("one")
        assert unreachable.value.status_code == 502
        state.down = False
        warm = JwksCache(url, http, min_refetch_seconds=0)
        await warm.key("one")
        state.down = True
        hits = state.hits
        # An unknown kid makes it ask again; the failed fetch keeps the keys it had.
        with pytest.raises(Unauthorized):
            await warm.key("other")
        assert state.hits == hits + 1
        assert (await warm.key("one")).key_id == "one"
