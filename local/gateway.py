"""An HTTP server that plays API Gateway: route, run the REQUEST authorizer, call the proxy handler.

It stays on http.server (no new dependency), with the parts that were unsafe replaced: body framing
is `local.framing`'s strict reader, every method reaches the router (405/404, not an HTML 501), and
http.server's own refusals are JSON. Werkzeug's server was the alternative, but it is http.server
underneath with the same HTML error pages, and it reads an invalid Content-Length as 0, which turns
the body into a second request.
"""
from __future__ import annotations

import base64
import re
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, NamedTuple
from urllib.parse import unquote, urlsplit

from local import apigw
from local.framing import MAX_BODY_BYTES, FramingError, read_body
from local.pool import FunctionPool
from local.responses import Response, json_error
from local.responses import json_response as _json
from local.template import ApiSpec, Route

UPLOAD_PREFIX = "/_upload/"  # the local S3 form-upload endpoint (local.uploads), never an API route
_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a method is an RFC 9110 token
_HOP_BY_HOP = ("content-length", "connection", "transfer-encoding")
_NO_BODY = (204, 304)


def _route_pattern(path: str) -> re.Pattern:
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


def _guarded(call: Callable[..., Response], *args) -> Response:
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 - a crashing function is a 502, as API Gateway answers
        traceback.print_exc(file=sys.stderr)
        return _json(502, {"message": "Internal server error"})


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
        self.authorizer = pools.get(api.authorizer_function or "")
        self.authorizer_ttl = authorizer_ttl
        self._cache: dict[tuple, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()

    def _match(self, method: str, path: str) -> Matched | Response:
        for resource in self.resources:
            found = resource.pattern.match(path)
            if found is None:
                continue
            target = resource.methods.get(method) or resource.methods.get("ANY")
            if target is None:
                allowed = ", ".join(sorted(resource.methods))
                return json_error(405, "Method Not Allowed", ["method"],
                                  f"{method} is not allowed on {resource.path}; allowed: {allowed}",
                                  [("Allow", allowed)])
            return Matched(*target, {k: unquote(v) for k, v in found.groupdict().items()})
        return json_error(404, "Not Found", ["path"], f"no route matches {path}")

    def handle(self, req: apigw.HttpRequest) -> Response:
        if self.uploads is not None and req.path.startswith(UPLOAD_PREFIX):
            return _guarded(self.uploads, req)
        matched = self._match(req.method, req.path)
        if not isinstance(matched, Matched):
            return matched
        route, pool, params = matched
        event = apigw.base_event(req, route.path, params, self.api.stage)
        authorizer = None
        if route.authorized and self.authorizer is not None:
            outcome = self._authorize(event)
            if isinstance(outcome, tuple):
                return outcome
            authorizer = outcome
        return _guarded(lambda: self._response(pool.invoke(apigw.proxy_event(event, req.body, authorizer))))

    def _authorize(self, event: dict) -> dict | Response:
        headers = {k.lower(): v for k, v in (event["headers"] or {}).items()}
        identity = tuple(headers.get(h.lower()) for h in self.api.identity_headers)
        if any(not value for value in identity):
            return _json(401, {"message": "Unauthorized"})
        arn = apigw.method_arn(self.api.stage, event["httpMethod"], event["path"])
        response = self._cached(identity) if identity else None
        if response is None:
            try:
                response = self.authorizer.invoke(apigw.authorizer_event(event, self.api.stage))
            except Exception as exc:  # noqa: BLE001
                if str(exc) == "Unauthorized":
                    return _json(401, {"message": "Unauthorized"})
                traceback.print_exc(file=sys.stderr)
                return _json(500, {"message": None})
        try:
            allowed, denied = apigw.evaluate_policy(response, arn)
            context = apigw.authorizer_context(response)
        except apigw.AuthorizerError as exc:
            print(f"authorizer configuration error: {exc}", file=sys.stderr)
            return _json(500, {"message": None})
        if identity and self.authorizer_ttl > 0:
            with self._cache_lock:
                self._cache[identity] = (time.monotonic() + self.authorizer_ttl, response)
        if not allowed:
            reason = " with an explicit deny" if denied else ""
            return _json(403, {"Message": f"User is not authorized to access this resource{reason}"})
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients reuse connections
    default_request_version = "HTTP/1.0"  # a request line without a version still gets a status line
    # One buffered write per response, sent at once: headers and body as two small unbuffered writes
    # meet Nagle's algorithm and the client's delayed ACK, a 40 ms stall per request.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    timeout = 60  # a client that stops sending mid-request does not hold a thread forever
    server: "GatewayServer"

    def handle_one_request(self) -> None:
        # http.server's own loop, less its `do_<METHOD>` lookup (an HTML 501 for TRACE or FOO):
        # every method reaches the router, which answers 405 or 404.
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.command, self.request_version = "", "", self.default_request_version
                self.send_error(414, "request line longer than 65536 bytes")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if self.parse_request():
                self._serve()
                self.wfile.flush()
        except TimeoutError:
            self.close_connection = True  # idle keep-alive connection, or a stalled request line

    def _serve(self) -> None:
        started = time.perf_counter()
        if not _METHOD.fullmatch(self.command):
            self.send_error(400, f"invalid method {self.command[:40]!r}")
            return
        try:
            body = read_body(self.headers, self.rfile, self.request_version, self.server.max_body)
        except FramingError as exc:
            # The stream may hold the rest of this body, which must never be read as a request.
            self._send(*json_error(exc.status, "Bad request framing", exc.loc, exc.msg), close=True)
            return
        url = urlsplit(self.path)
        req = apigw.HttpRequest(method=self.command, path=url.path, query=url.query,
                                headers=list(self.headers.items()), body=body, source_ip=self.client_address[0])
        status = self._send(*self.server.gateway.handle(req))
        if self.server.access_log:
            ms = (time.perf_counter() - started) * 1000
            print(f"{self.command} {self.path} -> {status} ({ms:.0f} ms)", flush=True)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, close: bool = False) -> int:
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")  # also sets close_connection
        if status not in _NO_BODY:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in _NO_BODY:
            self.wfile.write(body)
        return status

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's refusals (bad request line, too many headers, ...): JSON, then close."""
        reason = self.responses.get(code, ("Error",))[0]
        self._send(*json_error(code, reason, ["request"], message or reason), close=True)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - our own access log above
        pass


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, gateway: Gateway | None, host: str = "127.0.0.1", port: int = 3000,
                 access_log: bool = False, max_body: int = MAX_BODY_BYTES):
        super().__init__((host, port), _Handler)
        self.gateway = gateway  # may be set after binding, once the port is known
        self.access_log, self.max_body = access_log, max_body
        self._thread = threading.Thread(target=self.serve_forever, name="gateway", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.shutdown()
            self._thread.join()
        self.server_close()
