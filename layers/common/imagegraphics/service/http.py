"""What every API function shares: the tenant from the authorizer, JSON bodies, errors as JSON."""
from __future__ import annotations

import base64
import binascii

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from imagegraphics.api import error_body, status_of
from imagegraphics.errors import Forbidden, ImageGraphicsError, InvalidRequest, Unauthorized, detail
from imagegraphics.observability import logger
from imagegraphics.request import MESSAGE, json_object
from imagegraphics.stores.keys import ALL_SCOPES


def tenant_of(app: APIGatewayRestResolver) -> str:
    """The tenant the authorizer resolved from the API key (requestContext.authorizer.tenant)."""
    authorizer = app.current_event.request_context.raw_event.get("authorizer") or {}
    tenant = authorizer.get("tenant")
    if not tenant:
        raise Unauthorized("Unauthorized")
    logger.append_keys(tenant=tenant)
    return tenant


def raw_body(app: APIGatewayRestResolver, message: str = MESSAGE) -> str | bytes | None:
    """The body as the client sent it. API Gateway base64-encodes a body that is not UTF-8 text
    (isBase64Encoded); it comes back as bytes, for json_object to refuse with a 400 that says why.
    (Powertools' decoded_body decodes those bytes as UTF-8 itself: a UnicodeDecodeError, a 500.)"""
    event = app.current_event
    if not event.is_base64_encoded or not event.body:
        return event.body
    try:
        return base64.b64decode(event.body, validate=True)
    except binascii.Error:
        raise InvalidRequest(message, [detail((), "the request body is marked base64 but is not")]) from None


def json_body(app: APIGatewayRestResolver, message: str = "invalid request body") -> dict:
    """The request body as a JSON object, or a 400 that says why not."""
    return json_object(raw_body(app, message), message)


def json_response(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def install_error_handlers(app: APIGatewayRestResolver) -> None:
    """Domain errors answer their own status with `{"message", "errors"}`; anything else is a logged 500."""

    @app.exception_handler(ImageGraphicsError)
    def _domain_error(exc: ImageGraphicsError) -> Response:
        logger.info("request refused", extra={"status": exc.status, "error": exc.message})
        return json_response(status_of(exc), error_body(exc).body())

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected error")
        return json_response(status_of(exc), error_body(exc).body())


def require_scope(app: APIGatewayRestResolver, scope: str) -> str:
    """The caller's tenant, if its key carries `scope` (or every scope, "*"); else 403."""
    tenant = tenant_of(app)
    authorizer = app.current_event.request_context.raw_event.get("authorizer") or {}
    scopes = str(authorizer.get("scopes", ALL_SCOPES)).replace(",", " ").split()
    if ALL_SCOPES not in scopes and scope not in scopes:
        raise Forbidden(f"this API key lacks the scope {scope}")
    return tenant
