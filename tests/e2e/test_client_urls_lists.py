"""imagegraphics-client with URL arguments, `list`, `jobs` and `delete`, against the local stack: the
service fetches each URL from a server on 127.0.0.1 (the local stack allows loopback http)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from local import samples
from local.client import Client

pytestmark = pytest.mark.e2e

SCRIPT = Path(sys.executable).with_name("imagegraphics-client")
# No model: a white backdrop and a size, for tests about the client rather than the cut.
WHITE = {"operations": [{"bg_add": {"options": {"color": "#ffffff"}}}],
         "options": {"size": {"width": 64, "height": 64}}}
MANIFEST = ".imagegraphics-manifest.jsonl"


class Images:
    """Serves a few JPEGs at /catalogue/<name>.jpg on 127.0.0.1, 404 for anything else; records each GET."""

    def __init__(self):
        self.files = {f"/catalogue/{name}.jpg": samples.product(80, 80, "JPEG") for name in ("red-shoe", "a", "b", "c")}
        self.requested: list[str] = []
        images = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                path = self.path.split("?")[0]
                images.requested.append(path)
                body = images.files.get(path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "image/jpeg" if body else "text/plain")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def images():
    served = Images()
    threading.Thread(target=served.server.serve_forever, daemon=True).start()
    yield served
    served.server.shutdown()
    served.server.server_close()


def _cli(stack, tenant: str = "alpha"):
    env = dict(os.environ, IMAGEGRAPHICS_ENDPOINT=stack.url, IMAGEGRAPHICS_API_KEY=stack.key_for(tenant))

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(SCRIPT), "--timeout", "300", *args], capture_output=True, text=True, env=env,
                              timeout=600, check=False)
        assert "Traceback" not in done.stderr, done.stderr
        return done
    return run


@pytest.fixture
def client(stack):
    return _cli(stack)


@pytest.fixture
def lists(stack):
    """A tenant no other test writes to, so its lists hold exactly what these tests made."""
    return _cli(stack, "lists")


def test_run_with_a_url_downloads_a_result_named_after_it_and_a_rerun_skips_it(client, images, tmp_path):
    request = tmp_path / "white.json"
    request.write_text(json.dumps(WHITE))
    url = images.url("/catalogue/red-shoe.jpg?w=800")
    out = tmp_path / "out"
    done = client("run", "--request", str(request), "--out", str(out), url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out / "red-shoe.png")]
    with Image.open(out / "red-shoe.png") as image:
        assert image.size == (64, 64)
    assert images.requested == ["/catalogue/red-shoe.jpg"]  # fetched by the service, once
    [line] = [json.loads(s) for s in (out / MANIFEST).read_text().splitlines() if '"done"' in s]
    assert (line["input"], line["outputs"]) == (url, ["red-shoe.png"])

    again = client("run", "--request", str(request), "--out", str(out), url)
    assert again.returncode == 0, again.stderr
    assert "1 of 1 files were done by an earlier run" in again.stderr
    assert images.requested == ["/catalogue/red-shoe.jpg"]  # not created, so not fetched, again


def test_upload_of_a_url_that_answers_404_is_rejected_with_its_reason_and_exits_1(client, images, stack):
    url = images.url("/catalogue/missing.jpg")
    done = client("upload", url)
    assert done.returncode == 1
    assert f"rejected: {url}: the URL answered 404" in done.stderr
    [asset_id] = done.stdout.split()
    record = Client(stack.url, stack.key_for("alpha")).asset(asset_id)
    assert (record["status"], record["reason"], record["source_url"]) == ("REJECTED", "the URL answered 404", url)


def test_list_shows_the_new_assets_newest_first_and_pages_with_limit(lists, images):
    urls = [images.url(f"/catalogue/{name}.jpg") for name in ("a", "b", "c")]
    uploaded = lists("--concurrency", "1", "upload", *urls)  # one at a time: created in this order
    assert uploaded.returncode == 0, uploaded.stderr
    ids = uploaded.stdout.split()
    assert len(ids) == 3

    table = lists("list")
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.startswith("ASSET ID") and "FROM / REASON" in header
    assert [row.split()[0] for row in rows[:3]] == ids[::-1]
    assert all(row.split()[1] == "READY" and row.endswith(url) for row, url in zip(rows, urls[::-1]))

    first = lists("--json", "list", "--limit", "2")
    page = json.loads(first.stdout)
    assert [a["asset_id"] for a in page["assets"]] == ids[:0:-1] and page["next"]
    assert "2 assets shown" in first.stderr
    rest = lists("list", "--ids", "--limit", "1", "--next", page["next"])
    assert rest.stdout.split() == ids[:1]
    everything = lists("list", "--ids", "--all", "--status", "READY")
    assert everything.stdout.split()[:3] == ids[::-1]


def test_jobs_lists_a_run_with_its_counts(lists, images, tmp_path):
    request = tmp_path / "white.json"
    request.write_text(json.dumps(WHITE))
    done = lists("run", "--request", str(request), "--out", str(tmp_path / "out"), images.url("/catalogue/a.jpg"))
    assert done.returncode == 0, done.stderr
    jobs = json.loads(lists("--json", "jobs", "--limit", "1").stdout)["jobs"]
    assert f"job {jobs[0]['job_id']} OK" in done.stderr
    assert jobs[0]["status"] == "OK" and jobs[0]["progress"] == {"total": 1, "done": 1, "succeeded": 1, "failed": 0}
    table = lists("jobs", "--status", "ok", "--limit", "1").stdout.splitlines()
    assert table[0].split()[:4] == ["JOB", "ID", "STATUS", "TOTAL"]
    assert table[1].split()[:6] == [str(jobs[0]["job_id"]), "OK", "1", "1", "1", "0"]


def test_delete_removes_assets_reports_a_missing_id_and_cascade_takes_derived_assets(lists, images, stack, tmp_path):
    api = Client(stack.url, stack.key_for("lists"))
    uploaded = lists("--concurrency", "1", "upload", images.url("/catalogue/b.jpg"), images.url("/catalogue/c.jpg"))
    assert uploaded.returncode == 0, uploaded.stderr
    source, other = uploaded.stdout.split()
    job_id = api.submit({"assets": [{source: {"options": {"size": {"width": 32, "height": 32},
                                                          "disposition": {"create_asset": True}}}}],
                         "operations": WHITE["operations"]})
    [made] = [o["asset_id"] for o in api.wait_job(job_id)["output"]]
    derived = lists("list", "--ids", "--source-asset-id", source)
    assert derived.stdout.split() == [made]

    missing = "0" * 32
    done = lists("delete", other, missing)
    assert done.returncode == 1
    assert done.stdout.startswith(f"deleted {other}: 0 conversions, ")
    assert f"not deleted: {missing}: no such asset for this key" in done.stderr
    assert api.call("GET", f"/api/v1/assets/{other}").status_code == 404

    done = lists("delete", "--cascade", source)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(f"deleted {source}: ")
    assert done.stdout.splitlines()[1].startswith(f"deleted {made}: ") and f"made from {source}" in done.stdout
    for gone in (source, made):
        assert api.call("GET", f"/api/v1/assets/{gone}").status_code == 404
    listed = lists("list", "--ids", "--all").stdout.split()
    assert not {source, made, other} & set(listed)

    refused = lists("delete")
    assert refused.returncode == 2 and "required: ASSET_ID" in refused.stderr
