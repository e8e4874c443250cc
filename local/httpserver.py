"""The HTTP server in front of the local gateway (`local.gateway.Gateway`).

It stays on http.server (no new dependency), with the parts that were unsafe replaced: body framing
is `local.framing`'s strict reader, every method reaches the router (405/404, not an HTML 501), and
http.server's own refusals are JSON. Werkzeug's server was the alternative, but it is http.server
underneath with the same HTML error pages, and it reads an invalid Content-Length as 0, which turns
the body into a second request.
"""
from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING, TextIO
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from local import apigw
from local.framing import MAX_BODY_BYTES, FramingError, read_body
from local.responses import REQUEST_ID_HEADER, json_error, with_request_id

if TYPE_CHECKING:
    from local.gateway import Gateway

UPLOAD_PREFIX = "/_upload/"  # the local S3 form-upload endpoint (local.uploads), never an API route
_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a method is an RFC 9110 token
_HOP_BY_HOP = ("content-length", "connection", "transfer-encoding")
_NO_BODY = (204, 304)
_BODILESS = ("GET", "HEAD", "OPTIONS", "DELETE")  # methods whose requests carry no content here
_BLANK_LINES = 8  # empty lines ignored before a request line (RFC 9112 §2.2: at least one)


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
            self._started = time.perf_counter()  # the request's time, not the idle keep-alive wait
            for _ in range(_BLANK_LINES):  # a client's stray CRLF after its previous request
                if self.raw_requestline not in (b"\r\n", b"\n"):
                    break
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
        if not _METHOD.fullmatch(self.command):
            self.send_error(400, f"invalid method {self.command[:40]!r}")
            return
        try:
            body = read_body(self.headers, self.rfile, self.request_version, self.server.max_body)
        except FramingError as exc:
            # The stream may hold the rest of this body, which must never be read as a request.
            self._refuse(exc.status, "Bad request framing", exc.loc, exc.msg)
            return
        url = urlsplit(self.path)
        req = apigw.HttpRequest(method=self.command, path=url.path, query=url.query,
                                headers=list(self.headers.items()), body=body, source_ip=self.client_address[0])
        status, headers, data = self.server.gateway.handle(req)
        # A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3), but
        # unless its method takes none (a GET), what its client sent after the head is most likely
        # the body it meant: those bytes must never be read as a request, so the answer closes.
        unframed = self.command not in _BODILESS and not (
            self.headers.get("Content-Length") or self.headers.get("Transfer-Encoding"))
        self._send(status, headers, data, close=unframed)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, close: bool = False) -> int:
        """The one way out for every answer, so each request gets exactly one access-log line."""
        self._log_access(status, headers)
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

    def _log_access(self, status: int, headers: list[tuple[str, str]]) -> None:
        log = self.server.access_log
        if log is None:
            return
        ms = (time.perf_counter() - getattr(self, "_started", time.perf_counter())) * 1000
        request_id = next((v for k, v in headers if k == REQUEST_ID_HEADER), "-")
        # A refused request line has no method or path to show.
        method, path = self.command or "-", getattr(self, "path", "") or "-"
        line = f"{time.strftime('%H:%M:%S')} {method} {path[:200]} -> {status} ({ms:.0f} ms) {request_id}"
        with self.server.access_lock:  # whole lines, from concurrent request threads
            print(line, file=log, flush=True)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's refusals (bad request line, too many headers, ...): JSON, then close."""
        if code == 505:  # a request line claiming HTTP/2 or later: the client's error, as any bad line is
            code, message = 400, f"{message}: this server speaks HTTP/1.1 (and 1.0)"
        reason = self.responses.get(code, ("Error",))[0]
        self._refuse(code, reason, ["request"], message or reason)

    def _refuse(self, status: int, message: str, loc: list, msg: str) -> None:
        """A request refused before it reached the gateway (framing, request line): JSON, then close."""
        request_id = apigw.new_request_id()
        gateway = self.server.gateway
        answer = gateway.own_error(status, message, loc, msg, request_id) if gateway is not None else \
            json_error(status, message, loc, msg, request_id=request_id)
        self._send(*with_request_id(answer, request_id), close=True)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - our own access log above
        pass


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, gateway: Gateway | None, host: str = "127.0.0.1", port: int = 3000,
                 access_log: TextIO | None = None, max_body: int = MAX_BODY_BYTES):
        super().__init__((host, port), _Handler)
        self.gateway = gateway  # may be set after binding, once the port is known
        self.access_log, self.max_body = access_log, max_body  # access_log: one line per request, or none
        self.access_lock = threading.Lock()
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
