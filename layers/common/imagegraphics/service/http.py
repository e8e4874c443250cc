"""What every API function shares: the tenant from the authorizer, JSON bodies, errors as JSON, CORS."""
from __future__ import annotations

import base64
import binascii
import os

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from imagegraphics.api import error_body, status_of
from imagegraphics.errors import (
    Forbidden, ImageGraphicsError, InvalidRequest, ServiceUnavailable, Unauthorized, detail)
from imagegraphics.observability import logger, serving
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


def request_id(app: APIGatewayRestResolver) -> str | None:
    """API Gateway's id of this request (requestContext.requestId), the logs' correlation id."""
    return (app.current_event.raw_event.get("requestContext") or {}).get("requestId")


def error_response(app: APIGatewayRestResolver, exc: BaseException) -> Response:
    """`{"message", "errors", "request_id"}` at the error's status; a 503 says when to retry."""
    body = error_body(exc).model_copy(update={"request_id": request_id(app)}).body()
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, ServiceUnavailable) else None
    return Response(status_code=status_of(exc), content_type=content_types.APPLICATION_JSON, body=body,
                    headers=headers)


def install_error_handlers(app: APIGatewayRestResolver) -> None:
    """Domain errors answer their own status with `{"message", "errors", "request_id"}`; anything else
    is a logged 500. Every route runs `serving` its request's id, for the job messages it queues."""

    def _serving(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        with serving(request_id(app)):
            return next_middleware(app)

    app.use(middlewares=[_serving])

    @app.exception_handler(ImageGraphicsError)
    def _domain_error(exc: ImageGraphicsError) -> Response:
        logger.info("request refused", extra={"status": exc.status, "error": exc.message})
        return error_response(app, exc)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected error")
        return error_response(app, exc)


# What a browser may send on a cross-origin call (the preflight's answer lists them too, from the
# template's Cors), and which answer headers its script may read.
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "X-FileSpin-Api-Key"]
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-Id"]
CORS_ORIGIN_VARIABLE = "CORS_ALLOW_ORIGIN"


class ApiCors(CORSConfig):
    """Access-Control-Allow-Origin on every answer to a request with an allowed Origin.

    The allowed origin (one origin, or "*") is the template's CorsAllowedOrigin, passed as
    CORS_ALLOW_ORIGIN and read when an answer is built, not at import; unset, no CORS headers.
    """

    def __init__(self) -> None:
        super().__init__(allow_origin="*", allow_headers=CORS_ALLOW_HEADERS, expose_headers=CORS_EXPOSE_HEADERS)

    def allowed_origin(self, extracted_origin: str | None) -> str | None:
        allowed = os.environ.get(CORS_ORIGIN_VARIABLE, "").strip()
        if not extracted_origin or not allowed:
            return None
        if allowed == "*":
            return "*"
        return extracted_origin if extracted_origin == allowed else None


def cors() -> CORSConfig:
    """For each function's resolver: `APIGatewayRestResolver(cors=cors())`."""
    return ApiCors()


def require_scope(app: APIGatewayRestResolver, scope: str) -> str:
    """The caller's tenant, if its key carries `scope` (or every scope, "*"); else 403."""
    tenant = tenant_of(app)
    authorizer = app.current_event.request_context.raw_event.get("authorizer") or {}
    scopes = str(authorizer.get("scopes", ALL_SCOPES)).replace(",", " ").split()
    if ALL_SCOPES not in scopes and scope not in scopes:
        raise Forbidden(f"this API key lacks the scope {scope}")
    return tenant
