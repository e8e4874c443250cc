"""moto's server (S3, SQS, DynamoDB over real HTTP) in a child process.

A process of its own keeps moto's request handling off the handlers' interpreter lock. The child
serves until its stdin closes, so it cannot outlive the stack even when the parent is killed.

moto checks a DynamoDB condition and applies the update without a lock, so two concurrent
UpdateItem calls can both pass `remaining > 0` or both read the same counter. DynamoDB makes each
call atomic; here DynamoDB calls are served one at a time to match (SQS long polls are not, they
would block everything else).
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading


class MotoProcess:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self._proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "local.motoserver", self.host, str(self.port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        ready = self._readline(timeout)
        if not ready.startswith("READY "):
            self.stop()
            raise RuntimeError(f"moto server did not start: {ready!r}")
        self.port = int(ready.split()[1])

    def _readline(self, timeout: float) -> str:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return line[0].strip() if line else ""

    def stop(self) -> None:
        if self._proc is None:
            return
        try:
            self._proc.stdin.close()  # the child's signal to shut down
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc.stdout.close()
        self._proc = None


def _atomic_dynamodb(app):
    lock = threading.Lock()

    def wsgi(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with lock:
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wsgi


def _serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when moto stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    app = _atomic_dynamodb(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
    server.shutdown()
    thread.join()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
