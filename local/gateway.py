"""API Gateway, played locally: route, answer the CORS preflight, run the REQUEST authorizer, call the
proxy handler, answer API Gateway's own refusals as the template's gateway responses define them.

The HTTP server in front of it is `local.httpserver` (GatewayServer, re-exported here).
"""
from __future__ import annotations

import base64
import re
import sys
import threading
import time
import traceback
from typing import Callable, NamedTuple
from urllib.parse import unquote

from local import apigw
from local.gatewayresponses import GatewayResponses
from local.httpserver import UPLOAD_PREFIX, GatewayServer
from local.pool import FunctionPool
from local.responses import Response, json_error, with_request_id
from local.template import ApiSpec, Route

__all__ = ["UPLOAD_PREFIX", "Gateway", "GatewayServer", "Matched"]

# The gateway response type API Gateway would answer where this gateway answers with its own body
# (no route or method is API Gateway's MISSING_AUTHENTICATION_TOKEN).
OWN_ERROR_KINDS = {400: "BAD_REQUEST_BODY", 404: "MISSING_AUTHENTICATION_TOKEN",
                   405: "MISSING_AUTHENTICATION_TOKEN", 413: "REQUEST_TOO_LARGE"}


def _route_pattern(path: str) -> re.Pattern:
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    # API Gateway (REST) routes `/a/b/` to the resource `/a/b` too, the event's path keeping the slash.
    return re.compile(f"^{pattern}/?$")


def _guarded(call: Callable[..., Response], failed: Callable[[], Response], *args) -> Response:
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 - a crashing function is a 502, as API Gateway answers
        traceback.print_exc(file=sys.stderr)
        return failed()


class Matched(NamedTuple):
    route: Route
    pool: FunctionPool
    params: dict[str, str]


class _Resource:
    """One path template and the methods declared on it."""

    def __init__(self, path: str):
        self.path, self.pattern = path, _route_pattern(path)
        self.methods: dict[str, tuple[Route, FunctionPool]] = {}


class Gateway:
    def __init__(self, api: ApiSpec, pools: dict[str, FunctionPool], authorizer_ttl: int = 300,
                 uploads: Callable[[apigw.HttpRequest], Response] | None = None):
        self.api = api
        resources: dict[str, _Resource] = {}
        for spec in api.functions.values():
            for route in spec.routes:
                resource = resources.setdefault(route.path, _Resource(route.path))
                resource.methods[route.method] = (route, pools[spec.logical_id])
        # Literal segments win over {params}, as in API Gateway.
        self.resources = sorted(resources.values(), key=lambda r: (r.path.count("{"), -len(r.path)))
        self.uploads = uploads
        self.responses = GatewayResponses(api)
        self.authorizer = pools.get(api.authorizer_function or "")
        self.authorizer_ttl = authorizer_ttl
        self._cache: dict[tuple, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()

    def own_error(self, status: int, message: str, loc: list, msg: str, request_id: str,
                  headers: list[tuple[str, str]] | None = None) -> Response:
        """A refusal of this gateway's own (framing, no route): the project's error body with the request
        id, and the headers (CORS) the template gives API Gateway's answer of that kind."""
        kind = OWN_ERROR_KINDS.get(status, "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
        return json_error(status, message, loc, msg, (headers or []) + self.responses.headers(kind, status),
                          request_id=request_id)

    def _match(self, method: str, path: str, request_id: str) -> Matched | Response:
        for resource in self.resources:
            found = resource.pattern.match(path)
            if found is None:
                continue
            target = resource.methods.get(method) or resource.methods.get("ANY")
            if target is None and method == "OPTIONS":
                # The browser's preflight, answered without the authorizer (the template's Cors).
                preflight = self.responses.preflight(list(resource.methods))
                if preflight is not None:
                    return preflight
            if target is None:
                allowed = ", ".join(sorted(resource.methods))
                return self.own_error(405, "Method Not Allowed", ["method"],
                                      f"{method} is not allowed on {resource.path}; allowed: {allowed}",
                                      request_id, [("Allow", allowed)])
            return Matched(*target, {k: unquote(v) for k, v in found.groupdict().items()})
        return self.own_error(404, "Not Found", ["path"], f"no route matches {path}", request_id)

    def handle(self, req: apigw.HttpRequest) -> Response:
        """The answer to one request; every answer carries its request id as X-Request-Id."""
        request_id = apigw.new_request_id()
        return with_request_id(self._handle(req, request_id), request_id)

    def _handle(self, req: apigw.HttpRequest, request_id: str) -> Response:
        def failed() -> Response:
            return self.responses.answer("DEFAULT_5XX", "Internal server error", request_id, 502)

        if self.uploads is not None and req.path.startswith(UPLOAD_PREFIX):
            return _guarded(self.uploads, failed, req)
        matched = self._match(req.method, req.path, request_id)
        if not isinstance(matched, Matched):
            return matched
        route, pool, params = matched
        event = apigw.base_event(req, route.path, params, self.api.stage, request_id)
        authorizer = None
        if route.authorized and self.authorizer is not None:
            outcome = self._authorize(event, request_id)
            if isinstance(outcome, tuple):
                return outcome
            authorizer = outcome
        return _guarded(lambda: self._response(pool.invoke(apigw.proxy_event(event, req.body, authorizer))), failed)

    def _authorize(self, event: dict, request_id: str) -> dict | Response:
        headers = {k.lower(): v for k, v in (event["headers"] or {}).items()}
        identity = tuple(headers.get(h.lower()) for h in self.api.identity_headers)
        if any(not value for value in identity):
            return self.responses.answer("UNAUTHORIZED", "Unauthorized", request_id)
        arn = apigw.method_arn(self.api.stage, event["httpMethod"], event["path"])
        response = self._cached(identity) if identity else None
        if response is None:
            try:
                response = self.authorizer.invoke(apigw.authorizer_event(event, self.api.stage))
            except Exception as exc:  # noqa: BLE001
                if str(exc) == "Unauthorized":
                    return self.responses.answer("UNAUTHORIZED", "Unauthorized", request_id)
                traceback.print_exc(file=sys.stderr)
                return self.responses.answer("AUTHORIZER_FAILURE", None, request_id)
        try:
            allowed, denied = apigw.evaluate_policy(response, arn)
            context = apigw.authorizer_context(response)
        except apigw.AuthorizerError as exc:
            print(f"authorizer configuration error: {exc}", file=sys.stderr)
            return self.responses.answer("AUTHORIZER_CONFIGURATION_ERROR", None, request_id)
        if identity and self.authorizer_ttl > 0:
            with self._cache_lock:
                self._cache[identity] = (time.monotonic() + self.authorizer_ttl, response)
        if not allowed:
            reason = " with an explicit deny" if denied else ""
            return self.responses.answer("ACCESS_DENIED", f"User is not authorized to access this resource{reason}",
                                         request_id)
        return context

    def _cached(self, identity: tuple) -> dict | None:
        with self._cache_lock:
            entry = self._cache.get(identity)
        return entry[1] if entry and entry[0] > time.monotonic() else None

    @staticmethod
    def _response(result) -> Response:
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            raise ValueError(f"malformed proxy response: {result!r:.200}")
        headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((key, str(v)) for v in values)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return result["statusCode"], headers, data
