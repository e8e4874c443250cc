"""API Gateway's own answers, as template.yaml defines them: gateway responses and the CORS preflight.

The bodies are the template's GatewayResponses templates rendered here (not a second copy of them),
so a client sees locally the 401 or 403 the deployed API answers, headers included.
"""
from __future__ import annotations

import json
import re

from local.responses import Response
from local.template import ApiSpec, GatewayResponseSpec

# The response types this gateway produces, at API Gateway's default status for each.
DEFAULT_STATUS = {
    "UNAUTHORIZED": 401,
    "ACCESS_DENIED": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "BAD_REQUEST_BODY": 400,
    "REQUEST_TOO_LARGE": 413,
    "THROTTLED": 429,
    "AUTHORIZER_FAILURE": 500,
    "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "DEFAULT_5XX": 502,  # a function that failed, or answered something that is not a proxy response
}
# API Gateway's templates where the API defines none (its explicit-deny message says "Message").
BUILT_IN_TEMPLATE = '{"message":$context.error.messageString}'
BUILT_IN_TEMPLATES = {"ACCESS_DENIED": '{"Message":$context.error.messageString}'}
_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")


def render(template: str, variables: dict[str, str | None]) -> str:
    """`$context.name` replaced by its value ("" when unknown), as API Gateway fills a template."""
    return _VARIABLE.sub(lambda m: variables.get(m.group(1)) or "", template)


class GatewayResponses:
    def __init__(self, api: ApiSpec):
        self.api = api

    def spec(self, kind: str, status: int) -> GatewayResponseSpec | None:
        """The type's own definition, else the API's DEFAULT_4XX or DEFAULT_5XX, as API Gateway picks."""
        own = self.api.gateway_responses.get(kind)
        if own is not None:
            return own
        return self.api.gateway_responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")

    def headers(self, kind: str, status: int | None = None) -> list[tuple[str, str]]:
        """The static headers (CORS...) the API adds to this type of answer."""
        spec = self.spec(kind, status or DEFAULT_STATUS[kind])
        return list(spec.headers) if spec else []

    def answer(self, kind: str, message: str | None, request_id: str, status: int | None = None) -> Response:
        """The gateway response of this type: status, headers and the rendered JSON body."""
        default = status or DEFAULT_STATUS[kind]
        spec = self.spec(kind, default)
        own = self.api.gateway_responses.get(kind)
        template = spec.template if spec and spec.template else BUILT_IN_TEMPLATES.get(kind, BUILT_IN_TEMPLATE)
        body = render(template, {
            "error.messageString": json.dumps(message) if message is not None else "null",
            "error.message": message,
            "requestId": request_id,
        })
        headers = [("Content-Type", "application/json")] + (list(spec.headers) if spec else [])
        return (own.status if own and own.status else default), headers, body.encode()

    def preflight(self, methods: list[str]) -> Response | None:
        """What SAM's mock OPTIONS method answers on a path with these methods; None without Cors."""
        cors = self.api.cors
        if cors is None:
            return None
        allowed = cors.allow_methods or ",".join(sorted({m.upper() for m in methods} | {"OPTIONS"}))
        headers = [("Access-Control-Allow-Origin", cors.allow_origin), ("Access-Control-Allow-Methods", allowed)]
        if cors.allow_headers:
            headers.append(("Access-Control-Allow-Headers", cors.allow_headers))
        if cors.max_age is not None:
            headers.append(("Access-Control-Max-Age", cors.max_age))
        if cors.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return 200, [("Content-Type", "application/json"), *headers], b"{}"
