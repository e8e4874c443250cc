"""The REQUEST authorizer's logic: find the API key in the headers, resolve it, build the policy."""
from __future__ import annotations

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

    `resolve` maps a presented key to (tenant, scopes) or None. The policy covers every route, not
    just the method ARN asked about, because API Gateway caches the answer per key and reuses it
    for the key's other requests.
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
