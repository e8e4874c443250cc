"""A webhook receiver on 127.0.0.1 for the tests: records each POST, answers the statuses it is told."""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """`answers` are used in turn (the last one repeats); `delay` holds every answer back."""

    answers: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                index = min(len(receiver.received), len(receiver.answers)) - 1
                try:
                    self.send_response(receiver.answers[index])
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/imagegraphics"

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


class Trickler:
    """A raw TCP receiver on 127.0.0.1 that reads the request, then answers at its own pace:
    `script` is a list of (bytes, pause before sending them); a pause of None holds the line open
    without sending anything more."""

    def __init__(self, script):
        self.script, self.stop = script, threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(0.2)
            try:
                conn.recv(65536)
            except OSError:
                pass
            for data, pause in self.script:
                if pause is None or self.stop.wait(pause):
                    self.stop.wait(30)
                    return
                try:
                    conn.sendall(data)
                except OSError:
                    return

    def __enter__(self) -> "Trickler":
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.close()
        self.thread.join(5)
