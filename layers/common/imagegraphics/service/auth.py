"""The REQUEST authorizer's logic: find the API key in the headers, resolve it, build the policy."""
from __future__ import annotations

import hashlib
import threading
import time
from typing import Callable

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

from imagegraphics.observability import logger

FILESPIN_HEADER = "x-filespin-api-key"


class Unauthorized(Exception):
    """API Gateway turns exactly this message from a REQUEST authorizer into a 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def api_key_from_headers(headers: dict | None) -> str | None:
    """`Authorization: Bearer <key>` first, then `X-FileSpin-Api-Key: <key>`; names are case-insensitive."""
    lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items() if v is not None}
    scheme, _, token = lowered.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    key = lowered.get(FILESPIN_HEADER, "").strip()
    return key or None


def authorize(event: dict, resolve: Callable[[str], tuple[str, list[str]] | None]) -> dict:
    """An Allow policy for the whole API with context {tenant, scopes}, or raise Unauthorized.

    `resolve` maps a presented key to (tenant, scopes) or None. API Gateway does not cache the
    answer (the template sets ReauthorizeEvery: 0; PrincipalCache remembers keys per container
    instead), so every request is authorized anew. The policy still covers every route: what a key
    may do depends only on the key, and each handler checks its scope (require_scope).
    """
    request = APIGatewayAuthorizerRequestEvent(event)
    key = api_key_from_headers(request.headers)
    if key is None:
        logger.info("no API key presented")
        raise Unauthorized()
    found = resolve(key)
    if found is None:
        logger.info("unknown API key")
        raise Unauthorized()
    tenant, scopes = found
    arn = request.parsed_arn
    response = APIGatewayAuthorizerResponse(
        principal_id=tenant,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        # Context values must be strings, numbers or booleans: scopes travel space-separated.
        context={"tenant": tenant, "scopes": " ".join(scopes)},
    )
    response.allow_all_routes()
    logger.info("authorized", extra={"tenant": tenant})
    return response.asdict()


class PrincipalCache:
    """Known keys remembered for `ttl` seconds in this process, by key hash.

    API Gateway cannot cache this authorizer (a key may come in either of two headers, and a cached
    REQUEST authorizer needs every identity source present), so without this each request costs a
    DynamoDB read. Only found keys are remembered: a new key works at once, while a revoked key
    keeps working in a warm container for at most `ttl` seconds.
    """

    def __init__(self, ttl: float = 60.0, max_entries: int = 1024):
        self.ttl, self.max_entries = ttl, max_entries
        self._entries: dict[str, tuple[float, tuple[str, list[str]]]] = {}
        self._lock = threading.Lock()

    def resolve(self, key: str, lookup: Callable[[str], tuple[str, list[str]] | None]):
        """`lookup(key)`'s answer, from memory while fresh."""
        if self.ttl <= 0:
            return lookup(key)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(digest)
        if entry is not None and entry[0] > now:
            return entry[1]
        found = lookup(key)
        if found is not None:
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                    if len(self._entries) >= self.max_entries:
                        self._entries.clear()
                self._entries[digest] = (now + self.ttl, found)
        return found
