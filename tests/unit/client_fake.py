"""A small in-memory stand-in of the imagegraphics API over real HTTP, for the client's unit tests.

It answers the routes the client calls with the API's shapes (presigned-style upload form, asset
records going PENDING -> READY, jobs whose progress advances one asset per poll, output files), and
lets a test script faults: a status with headers for the next N matching calls, or a dropped
connection.
"""
from __future__ import annotations

import email.parser
import io
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

KEY = "test-key"
JOBS = "/api/v1/assets/addons/image_graphics"


def png(color=(200, 30, 30, 255), size=(8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG")
    return out.getvalue()


@dataclass
class Fault:
    method: str
    path: str  # a prefix of the request path, or the whole path when it ends with "$"
    status: int = 503  # 0: close the connection without an answer
    headers: dict = field(default_factory=dict)
    body: dict | None = None
    times: int = 1


class FakeApi:
    def __init__(self):
        self.assets: dict[str, dict] = {}
        self.files: dict[str, tuple[bytes, str]] = {}  # path -> (bytes, content type)
        self.jobs: dict[int, dict] = {}
        self.recipes: dict[str, dict] = {}
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.output_type = "image/png"  # what rendered outputs are served as
        self.output_suffix = ".png"  # the end of output URLs ("" to leave the type to Content-Type)
        self.max_assets = 1000  # the request's limit on assets
        self.outputs_per_asset = 1  # >1: each asset's outcome is listed that many times, named <name>-<n>
        self.delay = 0.0  # seconds each answer takes
        self.in_flight = self.max_in_flight = 0  # requests being answered now, and the most at once
        self.page_max = 100  # the largest page a list answers
        self.list_queries: list[dict] = []  # the query of every list call
        self.status_lag = 0  # looks at a job with every outcome listed that still say QUEUED

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, path: str, status: int = 503, headers: dict | None = None,
             body: dict | None = None, times: int = 1) -> None:
        self.faults.append(Fault(method, path, status, headers or {}, body, times))

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p in self.calls if m == method and p.startswith(path))

    # -- the API

    def create_asset(self, body: dict) -> tuple[int, dict]:
        if "url" in body:
            return self.create_from_url(body)
        errors = [{"loc": [name], "msg": "field required"} for name in ("filename", "content_type") if name not in body]
        if errors:
            return 400, {"message": "invalid request body", "errors": errors}
        recipe = body.get("recipe")
        if recipe is not None and recipe not in self.recipes:
            return 404, {"message": f"recipe {recipe!r} not found", "errors": [{"loc": ["recipe"], "msg": "no such recipe"}]}
        asset_id = uuid.uuid4().hex
        self.assets[asset_id] = {"asset_id": asset_id, "status": "PENDING", "filename": body["filename"],
                                 "content_type": body["content_type"], "metadata": body.get("metadata", {}),
                                 "recipe": recipe, "polls": 0, "uploaded": False, "created_at": self.stamp()}
        fields = {"key": f"incoming/{asset_id}", "policy": "eyJ4IjoxfQ==", "x-amz-signature": "0" * 64}
        return 201, {"asset_id": asset_id, "status": "PENDING", "upload": {"url": f"{self.url}/_upload/bucket", "fields": fields}}

    def stamp(self) -> str:
        return f"2026-01-01T00:{len(self.assets) // 60:02d}:{len(self.assets) % 60:02d}.000Z"

    def create_from_url(self, body: dict) -> tuple[int, dict]:
        """As the service: a URL of a private address is a 400 at `url`; any other is fetched later (here:
        one with "missing" in it answers 404)."""
        url = body["url"]
        if "//10." in url:
            return 400, {"message": "invalid request body",
                         "errors": [{"loc": ["url"], "msg": "must be a URL of a public host: 10.0.0.1 is not a "
                                                            "public address"}]}
        asset_id = uuid.uuid4().hex
        filename = body.get("filename") or url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        self.assets[asset_id] = {"asset_id": asset_id, "status": "PENDING", "filename": filename,
                                 "content_type": None, "metadata": body.get("metadata", {}),
                                 "recipe": body.get("recipe"), "polls": 0, "uploaded": True, "source_url": url,
                                 "created_at": self.stamp()}
        return 201, {"asset_id": asset_id, "status": "PENDING", "source_url": url}

    def upload(self, content_type: str, raw: bytes) -> tuple[int, dict | None]:
        message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        parts = {part.get_param("name", header="content-disposition"): part for part in message.get_payload()}
        asset_id = parts["key"].get_payload(decode=True).decode().removeprefix("incoming/")
        data = parts["file"].get_payload(decode=True)
        record = self.assets[asset_id]
        record["uploaded"], record["bytes"] = True, data
        return 204, None

    def describe_asset(self, asset_id: str) -> tuple[int, dict]:
        record = self.assets.get(asset_id)
        if record is None:
            return 404, {"message": "asset not found", "errors": [{"loc": ["asset_id"], "msg": "no such asset"}]}
        record["polls"] += 1
        if record["status"] == "PENDING" and record["uploaded"] and record["polls"] >= 2:  # checked on the 2nd look
            if "missing" in record.get("source_url", ""):
                record.update(status="REJECTED", reason="the URL answered 404")
            elif "reject" in record["filename"]:
                record.update(status="REJECTED", reason="not an image: cannot identify image file")
            else:
                record["status"] = "READY"
                recipe = self.recipes.get(record["recipe"] or "")
                if recipe and recipe.get("error"):  # the recipe could not start a job for this upload
                    record["recipe_error"] = recipe["error"]
                elif recipe:
                    record["recipe_job_id"] = self.start_job([asset_id], recipe.get("name", "image-graphics"))
        visible = {k: v for k, v in record.items() if k not in ("polls", "uploaded", "bytes", "recipe")}
        return 200, visible

    def page(self, items: list[dict], query: dict, key: str) -> tuple[int, dict]:
        """Newest first (the fake's lists are in creation order), `limit` capped at `page_max`, the cursor
        an index; a full page always has a cursor, as DynamoDB's does."""
        items = items[::-1]
        start = int(query.get("next", "0"))
        limit = min(int(query.get("limit", "50")), self.page_max)
        chunk = items[start:start + limit]
        more = len(chunk) == limit
        return 200, {key: chunk, "next": str(start + limit) if more else None}

    def list_assets(self, query: dict) -> tuple[int, dict]:
        self.list_queries.append(query)
        items = [{k: v for k, v in r.items() if k not in ("polls", "uploaded", "bytes", "recipe")}
                 for r in self.assets.values()]
        for name in ("status", "source_asset_id"):
            if name in query:
                items = [a for a in items if a.get(name) == query[name]]
        return self.page(items, query, "assets")

    def list_jobs(self, query: dict) -> tuple[int, dict]:
        self.list_queries.append(query)
        items = [{"job_id": job_id, "status": "OK", "progress": {"total": len(job["assets"]), "done": len(job["assets"]),
                                                                 "succeeded": len(job["assets"]), "failed": 0},
                  "created_at": "2026-01-01T00:00:00.000Z", "finished_at": "2026-01-01T00:00:09.000Z"}
                 for job_id, job in self.jobs.items()]
        return self.page(items, query, "jobs")

    def delete_asset(self, asset_id: str, cascade: bool) -> tuple[int, dict]:
        if asset_id not in self.assets:
            return 404, {"message": "asset not found", "errors": [{"loc": ["asset_id"], "msg": "no such asset"}]}
        order, deleted, kept = [asset_id], [], []
        while order:
            current = order.pop(0)
            record = self.assets.pop(current)
            deleted.append({"asset_id": current, "conversions": record.get("conversions", []),
                            "objects": 1 + len(record.get("conversions", []))})
            made = [a for a, r in self.assets.items() if r.get("source_asset_id") == current]
            if cascade:
                order += made
            else:
                kept += made
        return 200, {"deleted": deleted, "kept_derived": kept}

    @staticmethod
    def flow_errors(body: dict) -> list[dict]:
        errors = []
        operations = body.get("operations")
        if not operations:
            errors.append({"loc": ["operations"], "msg": "at least one operation is required"})
        for i, op in enumerate(operations or []):
            mode = op.get("bg_remove", {}).get("options", {}).get("mode", "auto")
            if mode not in ("auto", "portrait", "product"):
                errors.append({"loc": ["operations", i, "bg_remove", "options", "mode"],
                               "msg": "must be one of auto, portrait, product"})
        return errors

    def validate(self, raw: bytes) -> tuple[int, dict]:
        body = json.loads(raw)
        errors = [{"loc": [key], "msg": "unknown key; valid keys are operations, options, webhook"}
                  for key in body if key not in ("operations", "options", "webhook")] + self.flow_errors(body)
        if errors:
            return 400, {"message": "invalid request", "errors": errors}
        disposition = (body.get("options") or {}).get("disposition") or {}
        fmt = disposition.get("format", "png")
        ext = {"png": "png", "webp": "webp", "jpeg": "jpg"}[fmt]
        return 200, {"valid": True, "output": {"kind": "conversion", "format": fmt, "content_type": f"image/{fmt}",
                                               "name": disposition.get("conversion_name", "image-graphics"),
                                               "extension": ext}}

    def submit(self, raw: bytes) -> tuple[int, dict]:
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"message": "the body is not JSON", "errors": [{"loc": ["body"], "msg": "not JSON"}]}
        errors = self.flow_errors(body)
        if len(body.get("assets") or []) > self.max_assets:
            errors.append({"loc": ["assets"], "msg": f"at most {self.max_assets} assets"})
        if errors:
            return 400, {"message": "invalid request", "errors": errors}
        ids = [next(iter(entry)) for entry in body["assets"]]
        for i, asset_id in enumerate(ids):
            if self.assets.get(asset_id, {}).get("status") != "READY":
                return 409, {"message": "asset not ready", "errors": [{"loc": ["assets", i, asset_id], "msg": "not READY"}]}
        name = body["assets"][0][ids[0]].get("options", {}).get("disposition", {}).get("conversion_name", "image-graphics")
        return 200, {"job_id": self.start_job(ids, name)}

    def read_recipe(self, name: str) -> tuple[int, dict]:
        recipe = self.recipes.get(name)
        if recipe is None:
            return 404, {"message": f"recipe {name!r} not found", "errors": [{"loc": ["name"], "msg": "not found"}]}
        return 200, {"name": name, "operations": [{"bg_remove": {}}], "options": recipe.get("options", {}),
                     "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}

    def start_job(self, asset_ids: list[str], name: str) -> int:
        job_id = len(self.jobs) + 1
        self.jobs[job_id] = {"assets": asset_ids, "name": name, "done": 0}
        return job_id

    def job_status(self, job_id: int) -> tuple[int, dict]:
        job = self.jobs.get(job_id)
        if job is None:
            return 404, {"message": "job not found", "errors": [{"loc": ["job_id"], "msg": "no such job"}]}
        output, error = [], []
        for index, asset_id in enumerate(job["assets"][:job["done"]]):
            if "fail" in self.assets[asset_id]["filename"]:
                error.append({"name": job["name"], "asset_id": asset_id, "status": 422, "code": "unknown_foreground",
                              "error": "no foreground found: the image has no distinct subject"})
                continue
            for n in range(self.outputs_per_asset):
                path = f"/files/{job_id}-{index}-{n}{self.output_suffix}"
                self.files.setdefault(path, (png(), self.output_type))
                name = job["name"] if self.outputs_per_asset == 1 else f"{job['name']}-{n + 1}"
                output.append({"name": name, "asset_id": asset_id, "url": self.url + path + "?X-Amz-Signature=abc"})
        total = len(job["assets"])
        status = "QUEUED" if job["done"] < total else ("OK" if output else "ERROR")
        if job["done"] >= total and job.setdefault("lag", self.status_lag) > 0:
            job["lag"] -= 1  # every outcome listed, the job's own status not yet moved (as the service may)
            status = "QUEUED"
        job["done"] = min(total, job["done"] + 1)  # one more asset finished by the next look
        succeeded = len(output) // self.outputs_per_asset
        return 200, {"job_id": job_id, "status": status, "output": output, "error": error,
                     "progress": {"total": total, "done": succeeded + len(error), "succeeded": succeeded,
                                  "failed": len(error)}, "created_at": "2026-01-01T00:00:00Z", "finished_at": None}

    # -- HTTP

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, *args):
                pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_DELETE(self):
                self._serve("DELETE")

            def _serve(self, method: str):
                with fake.lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    if fake.delay:
                        time.sleep(fake.delay)
                    self._serve_one(method)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

            def _serve_one(self, method: str):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?")[0]
                with fake.lock:
                    fake.calls.append((method, path))
                    fault = next((f for f in fake.faults if f.times > 0 and f.method == method
                                  and (path == f.path[:-1] if f.path.endswith("$") else path.startswith(f.path))),
                                 None)
                    if fault:
                        fault.times -= 1
                    else:
                        answer = self._route(method, path, raw)
                if fault and fault.status == 0:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault:
                    answer = (fault.status, fault.body or {"message": "Service Unavailable"}, fault.headers)
                self._answer(*answer)

            def _route(self, method, path, raw):
                if path.startswith("/files/"):
                    data, kind = fake.files[path]
                    return 200, data, {"Content-Type": kind}
                if path.startswith("/_upload/"):
                    status, body = fake.upload(self.headers["Content-Type"], raw)
                    return status, body, {}
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    return 401, {"message": "Unauthorized"}, {}
                if method == "POST" and path == "/api/v1/assets":
                    return (*fake.create_asset(json.loads(raw)), {})
                if method == "POST" and path == JOBS:
                    return (*fake.submit(raw), {})
                if method == "POST" and path == f"{JOBS}/validate":
                    return (*fake.validate(raw), {})
                if method == "GET" and path.startswith("/api/v1/recipes/"):
                    return (*fake.read_recipe(path.rsplit("/", 1)[1]), {})
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                if method == "GET" and path == "/api/v1/assets":
                    return (*fake.list_assets(query), {})
                if method == "GET" and path == f"{JOBS}/jobs":
                    return (*fake.list_jobs(query), {})
                if method == "DELETE" and path.startswith("/api/v1/assets/"):
                    return (*fake.delete_asset(path.rsplit("/", 1)[1], query.get("cascade") == "true"), {})
                if method == "GET" and path.startswith(f"{JOBS}/jobs/"):
                    return (*fake.job_status(int(path.rsplit("/", 1)[1])), {})
                if method == "GET" and path.startswith("/api/v1/assets/"):
                    return (*fake.describe_asset(path.rsplit("/", 1)[1]), {})
                return 403, {"message": "Missing Authentication Token"}, {}

            def _answer(self, status, body, headers):
                data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


# Fixtures of both client test modules (each imports them).
@pytest.fixture
def api():
    with FakeApi() as fake:
        yield fake


@pytest.fixture(autouse=True)
def pauses(monkeypatch):
    """Polls and retries take no time; every pause asked for is recorded."""
    from imagegraphics_client import engine, transport

    recorded: list[float] = []
    monkeypatch.setattr(transport, "_pause", lambda seconds, stop=None: recorded.append(seconds))
    monkeypatch.setattr(engine, "POLL_FIRST", 0.001)
    monkeypatch.setattr(engine, "FIRST_CHECK", 0.001)
    monkeypatch.setattr(engine, "POLL_MAX", 0.005)
    return recorded


def cli(api: FakeApi, *args: str) -> int:
    """The console script's main against the fake, with its endpoint and key."""
    from imagegraphics_client.cli import main
    return main(["--endpoint", api.url, "--api-key", KEY, *args])


def creates(api: FakeApi) -> int:
    """Assets the client created (POST /api/v1/assets itself, not the routes under it)."""
    return sum(1 for m, p in api.calls if m == "POST" and p == "/api/v1/assets")
