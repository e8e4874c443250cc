"""moto's server (S3, SQS, DynamoDB over real HTTP) in a child process.

A process of its own keeps moto's request handling off the handlers' interpreter lock. The child
serves until its stdin closes, so it cannot outlive the stack even when the parent is killed.

moto checks a DynamoDB condition and applies the update without a lock, so two concurrent
UpdateItem calls can both pass `remaining > 0` or both read the same counter. DynamoDB makes each
call atomic; here DynamoDB calls are served one at a time to match (SQS long polls are not, they
would block everything else).

moto's own costs that grow with what it holds (every model object kept, whole-table copies per
transaction, whole-table sorts per query) are removed by local.motopatches.

Every request is counted by service, operation and table, queue or bucket, with the time moto took
to answer it:
`GET /_local/aws-calls` answers those counts as JSON (bench/scale.py reads them). No bucket name
may start with "_", so the path can never be an S3 request.
"""
from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs

from local import motopatches


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


CALLS_PATH = "/_local/aws-calls"
# The service a request was signed for: SigV4's credential scope, in the header or a presigned URL.
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_S3_OBJECT_OPERATIONS = {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject",
                         "POST": "PostObject"}
_S3_BUCKET_OPERATIONS = {"GET": "ListObjects", "PUT": "CreateBucket", "HEAD": "HeadBucket",
                         "DELETE": "DeleteBucket", "POST": "PostObject"}
_MAX_READ_BODY = 1 << 20  # JSON bodies of DynamoDB and SQS calls, read to name their table or queue


def describe_call(environ: dict) -> tuple[str, str, str]:
    """(service, operation, resource) of one request to moto, e.g. ("dynamodb", "PutItem", "<table>"),
    ("s3", "GetObject", "<bucket>"), ("sqs", "ReceiveMessage", "<queue name>")."""
    query = environ.get("QUERY_STRING", "")
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", "")) or _SCOPE.search(
        query.replace("X-Amz-Credential=", "Credential=").replace("%2F", "/"))
    method = environ.get("REQUEST_METHOD", "GET")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:  # JSON protocols (DynamoDB, SQS): Service_Version.Operation, the resource in the body
        return scope.group(1) if scope else "unsigned", target.rpartition(".")[2], _json_resource(environ)
    parts = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)
    bucket, has_key = parts[0], len(parts) > 1 and parts[1] != ""
    if "delete" in parse_qs(query, keep_blank_values=True) and method == "POST":
        return "s3", "DeleteObjects", bucket
    # A browser's form upload (POST) carries its signature in the form, not the header.
    service = scope.group(1) if scope else ("s3" if method == "POST" else "unsigned")
    table = _S3_OBJECT_OPERATIONS if has_key else _S3_BUCKET_OPERATIONS
    return service, table.get(method, method), bucket


def _json_resource(environ: dict) -> str:
    """The TableName or QueueUrl's name in a JSON request's body; the body is put back for moto."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    if not 0 < length <= _MAX_READ_BODY:
        return ""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        fields = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(fields, dict):
        return ""
    if isinstance(fields.get("TableName"), str):
        return fields["TableName"]
    if isinstance(fields.get("QueueUrl"), str):
        return fields["QueueUrl"].rstrip("/").rpartition("/")[2]
    tables = fields.get("RequestItems")
    if isinstance(tables, dict):  # BatchGetItem, BatchWriteItem
        return ",".join(sorted(tables))
    actions = fields.get("TransactItems")
    if isinstance(actions, list):  # TransactWriteItems, TransactGetItems: [{"Put": {"TableName": ...}}, ...]
        return ",".join(sorted({a.get("TableName", "") for item in actions if isinstance(item, dict)
                                for a in item.values() if isinstance(a, dict)}))
    return ""


class CallCounter:
    """WSGI middleware: counts each request by (service, operation, resource) and the seconds moto
    spent answering it."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, str], list] = {}

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [{"service": s, "operation": o, "resource": r, "count": n, "seconds": round(t, 6)}
                    for (s, o, r), (n, t) in sorted(self._counts.items())]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == CALLS_PATH:
            body = json.dumps(self.snapshot()).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        call = describe_call(environ)
        started = time.perf_counter()
        try:
            return list(self.app(environ, start_response))  # the whole answer, so its time is counted
        finally:
            with self._lock:
                entry = self._counts.setdefault(call, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - started


def _serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    motopatches.apply()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when moto stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    app = CallCounter(_atomic_dynamodb(DomainDispatcherApplication(create_backend_app)))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
    server.shutdown()
    thread.join()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
