"""A stage path in front of the local stack, as API Gateway puts `/Prod` before every route of a stage.

The local gateway serves the routes at the root; pages that must work under a stage are loaded through
this proxy on loopback: `/Prod/<route>` is passed to the stack as `/<route>`, as it is (no redirect
followed), and anything else is a 404.
"""
from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class _Handler(BaseHTTPRequestHandler):
    server: "StageProxy"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        prefix = f"/{self.server.stage}/"
        if not self.path.startswith(prefix):
            self._answer(404, [("Content-Type", "text/plain")], b"not under the stage")
            return
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
            upstream.request("GET", self.path[len(prefix) - 1:], headers=headers)
            answer = upstream.getresponse()
            self._answer(answer.status, answer.getheaders(), answer.read())
        finally:
            upstream.close()

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class StageProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, stage: str = "Prod"):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream, self.stage = urlsplit(upstream), stage
        self._thread = threading.Thread(target=self.serve_forever, name="stage-proxy", daemon=True)

    @property
    def url(self) -> str:
        """The stage's base URL, e.g. http://127.0.0.1:PORT/Prod."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/{self.stage}"

    def __enter__(self) -> "StageProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()
