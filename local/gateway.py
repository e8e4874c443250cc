"""An HTTP server that plays API Gateway: route, run the REQUEST authorizer, call the proxy handler."""
from __future__ import annotations

import base64
import json
import re
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from local import apigw
from local.pool import FunctionPool
from local.template import ApiSpec, Route

Response = tuple[int, list[tuple[str, str]], bytes]
JSON = [("Content-Type", "application/json")]


def _json(status: int, body: dict) -> Response:
    return status, JSON, json.dumps(body).encode()


def _route_pattern(path: str) -> re.Pattern:
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


class Gateway:
    def __init__(self, api: ApiSpec, pools: dict[str, FunctionPool], authorizer_ttl: int = 300):
        self.api = api
        self.routes: list[tuple[re.Pattern, Route, FunctionPool]] = [
            (_route_pattern(route.path), route, pools[spec.logical_id])
            for spec in api.functions.values() for route in spec.routes
        ]
        # Literal segments win over {params}, as in API Gateway.
        self.routes.sort(key=lambda r: (r[1].path.count("{"), -len(r[1].path)))
        self.authorizer = pools.get(api.authorizer_function or "")
        self.authorizer_ttl = authorizer_ttl
        self._cache: dict[tuple, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()

    def _match(self, method: str, path: str):
        for pattern, route, pool in self.routes:
            found = pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, pool, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def handle(self, req: apigw.HttpRequest) -> Response:
        matched = self._match(req.method, req.path)
        if matched is None:
            # What API Gateway answers for a path or method it has no resource for.
            return _json(403, {"message": "Missing Authentication Token"})
        route, pool, params = matched
        event = apigw.base_event(req, route.path, params, self.api.stage)
        authorizer = None
        if route.authorized and self.authorizer is not None:
            outcome = self._authorize(event)
            if isinstance(outcome, tuple):
                return outcome
            authorizer = outcome
        try:
            result = pool.invoke(apigw.proxy_event(event, req.body, authorizer))
            return self._response(result)
        except Exception:  # noqa: BLE001 - a crashing function is a 502, as API Gateway answers
            traceback.print_exc(file=sys.stderr)
            return _json(502, {"message": "Internal server error"})

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
    # One buffered write per response, sent at once: headers and body as two small unbuffered writes
    # meet Nagle's algorithm and the client's delayed ACK, a 40 ms stall per request.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: "GatewayServer"

    def _serve(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        req = apigw.HttpRequest(
            method=self.command, path=url.path, query=url.query,
            headers=list(self.headers.items()), body=self.rfile.read(length) if length else b"",
            source_ip=self.client_address[0],
        )
        status, headers, body = self.server.gateway.handle(req)
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if self.server.access_log:
            ms = (time.perf_counter() - started) * 1000
            print(f"{self.command} {self.path} -> {status} ({ms:.0f} ms)", flush=True)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - our own access log above
        pass


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 3000, access_log: bool = False):
        super().__init__((host, port), _Handler)
        self.gateway = gateway
        self.access_log = access_log
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
