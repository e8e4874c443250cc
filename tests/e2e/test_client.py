"""imagegraphics-client, the installed console script, against the local stack."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from local import samples

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("imagegraphics-client")
CUTOUT = {"operations": [{"bg_remove": {"options": {"mode": "portrait"}}}],
          "options": {"disposition": {"add_as_conversion": True, "conversion_name": "cutout"}}}


@pytest.fixture
def client(stack):
    """Runs the console script as a user would, with the endpoint and key from the environment."""
    env = dict(os.environ, IMAGEGRAPHICS_ENDPOINT=stack.url, IMAGEGRAPHICS_API_KEY=stack.key_for("alpha"))

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(SCRIPT), "--timeout", "300", *args], capture_output=True, text=True, env=env,
                              timeout=600)
        assert "Traceback" not in done.stderr, done.stderr
        return done
    return run


@pytest.fixture
def files(tmp_path, portrait_bytes):
    portrait = tmp_path / "astronaut.jpg"
    portrait.write_bytes(portrait_bytes)
    flat = tmp_path / "flat.png"
    flat.write_bytes(samples.solid(64, 64, (120, 120, 120)))
    return portrait, flat


def _alpha_mean(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    alpha = image.getchannel("A").crop(box)
    return sum(v * n for v, n in enumerate(alpha.histogram())) / (alpha.width * alpha.height)


def test_run_uploads_renders_and_downloads_the_cutout(client, files, tmp_path):
    request = tmp_path / "cutout.json"
    request.write_text(json.dumps(CUTOUT))
    out = tmp_path / "out"
    done = client("run", "--request", str(request), "--out", str(out), str(files[0]))
    assert done.returncode == 0, done.stderr
    [written] = done.stdout.split()
    path = Path(written)
    assert path == out / "astronaut.png"  # named after its input
    with Image.open(path) as image:
        assert image.size == (256, 256) and image.mode == "RGBA"
        assert _alpha_mean(image, (0, 0, 12, 12)) < 10  # the backdrop corner cut away
        assert _alpha_mean(image, (100, 24, 136, 56)) > 245  # the face kept
    assert "job " in done.stderr and "1 file: 1 written, 0 done before, 0 failed" in done.stderr


def test_upload_submit_wait_download_with_a_failed_asset(client, files, tmp_path):
    uploaded = client("upload", *map(str, files))
    assert uploaded.returncode == 0, uploaded.stderr
    portrait, flat = uploaded.stdout.split()
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"assets": [{portrait: {}}, {flat: {}}],
                                   "operations": [{"bg_remove": {"options": {"mode": "product"}}},
                                                  {"bg_add": {"options": {"color": "#00ff00"}}}]}))
    submitted = client("submit", str(request))
    assert submitted.returncode == 0, submitted.stderr
    job_id = submitted.stdout.strip()
    waited = client("--json", "wait", job_id)
    assert waited.returncode == 1  # one asset failed
    status = json.loads(waited.stdout)
    assert status["status"] == "OK" and status["progress"] == {"total": 2, "done": 2, "succeeded": 1, "failed": 1}
    assert f"failed: {flat} (image-graphics)" in waited.stderr and "unknown_foreground" in waited.stderr
    downloaded = client("download", job_id, "--out", str(tmp_path / "dl"))
    assert downloaded.returncode == 1
    assert downloaded.stdout.split() == [str(tmp_path / "dl" / portrait / "image-graphics.png")]
    with Image.open(downloaded.stdout.strip()) as image:
        assert image.mode == "RGB"  # the green background made every pixel opaque
        assert image.getpixel((2, 2)) == (0, 255, 0)


def test_a_rejected_upload_is_reported_and_exits_1(client, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(samples.solid(32, 32, (1, 2, 3))[:40])  # a PNG cut short: ingest cannot read it
    done = client("upload", str(broken))
    assert done.returncode == 1
    assert len(done.stdout.split()) == 1 and "rejected: " in done.stderr


def test_refusals_exit_2_and_a_refused_key_exits_3(client, stack, files, tmp_path):
    request = tmp_path / "bad.json"
    request.write_text(json.dumps({"operations": [{"bg_remove": {"options": {"mode": "people"}}}]}))
    refused = client("run", "--request", str(request), "--out", str(tmp_path), str(files[0]))
    assert refused.returncode == 2
    assert "was refused (400)" in refused.stderr and "at operations.0.bg_remove.options.mode:" in refused.stderr
    unknown = client("--api-key", "not-a-key", "wait", "1")
    assert unknown.returncode == 3 and "the API key was refused (401" in unknown.stderr
    missing = client("wait", "999999")
    assert missing.returncode == 2 and "(404)" in missing.stderr


def _readme_block(after: str, page: str = "README.md") -> str:
    text = (ROOT / page).read_text()
    start = text.index("```sh\n", text.index(after)) + len("```sh\n")
    return text[start:text.index("```", start)]


def test_the_readme_quick_start_runs_as_written(stack, tmp_path):
    script = _readme_block("## Quick start: the client")
    script = script.replace("http://127.0.0.1:3000", stack.url, 1).replace("=local-dev-key", f"={stack.key_for('alpha')}", 1)
    script = script.replace(".venv/bin/imagegraphics-client", str(SCRIPT))
    (tmp_path / "events").symlink_to(ROOT / "events")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [written] = done.stdout.split()
    assert written == "out/client/astronaut.png"
    with Image.open(tmp_path / written) as image:
        assert image.mode == "RGBA" and _alpha_mean(image, (0, 0, 24, 24)) < 10


@pytest.mark.skipif(not shutil.which("curl"), reason="the walkthrough needs curl")
def test_the_docs_curl_walkthrough_runs_as_written(stack, tmp_path):
    script = _readme_block("The same flow as the client's, with curl", "docs/local-stack.md")
    # Only the two settings change: this stack's address and key.
    script = script.replace("KEY=local-dev-key", f"KEY={stack.key_for('alpha')}", 1)
    script = script.replace("API=http://127.0.0.1:3000", f"API={stack.url}", 1)
    (tmp_path / "events").symlink_to(ROOT / "events")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "upload: 204" in done.stdout and "asset READY" in done.stdout and " OK" in done.stdout
    with Image.open(tmp_path / "out" / "bg-removed.png") as image:
        assert image.size == (512, 512) and image.mode == "RGBA"
        assert _alpha_mean(image, (0, 0, 24, 24)) < 10  # the backdrop corner cut away
        assert _alpha_mean(image, (200, 48, 272, 112)) > 245  # the face kept


def test_run_with_a_recipe_waits_for_the_jobs_ingest_starts(client, alpha, files, tmp_path):
    recipe = {"operations": [{"bg_remove": {"options": {"mode": "portrait"}}}],
              "options": {"disposition": {"add_as_conversion": True, "conversion_name": "recipe-cut"}}}
    saved = alpha.call("PUT", "/api/v1/recipes/client-cutout", json=recipe)
    assert saved.status_code == 200, saved.text
    broken = tmp_path / "broken.png"
    broken.write_bytes(samples.solid(32, 32, (1, 2, 3))[:40])
    out = tmp_path / "out"
    done = client("--json", "run", "--recipe", "client-cutout", "--out", str(out), str(files[0]), str(broken))
    assert done.returncode == 1  # the broken file is rejected and starts no job
    summary = json.loads(done.stdout)
    ok, rejected = summary["files"]
    assert (ok["status"], rejected["status"]) == ("done", "rejected") and rejected["job_id"] is None
    [job] = summary["jobs"]
    assert job["status"] == "OK" and ok["job_id"] == job["job_id"]
    assert ok["outputs"] == [str(out / "astronaut.png")]
    assert alpha.asset(ok["asset_id"])["recipe_job_id"] == job["job_id"]
    assert alpha.asset(ok["asset_id"])["conversions"][0]["name"] == "recipe-cut"
    with Image.open(ok["outputs"][0]) as image:
        assert image.mode == "RGBA"
        assert _alpha_mean(image, (0, 0, 12, 12)) < 10 and _alpha_mean(image, (100, 24, 136, 56)) > 245
    unknown = client("run", "--recipe", "no-such-recipe", "--out", str(out), str(files[0]))
    assert unknown.returncode == 2 and "no-such-recipe" in unknown.stderr
