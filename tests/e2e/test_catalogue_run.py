"""imagegraphics-client on a catalogue, against the local stack: folders in, outputs named after their
inputs out, a bad request costing no upload, a rerun that skips what is done and retries what failed,
Ctrl-C and a rerun that uploads nothing again, and more files than a job takes split into several jobs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from PIL import Image

from imagegraphics_client import engine
from imagegraphics_client.cli import main
from imagegraphics_client.client import Client
from imagegraphics_client.errors import TransportError
from local import samples

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("imagegraphics-client")
PRODUCT = {"operations": [{"bg_remove": {"options": {"mode": "product"}}}],
           "options": {"disposition": {"add_as_conversion": True, "conversion_name": "cutout"}}}
# No model: a white backdrop and a size, for tests about the client rather than the cut.
WHITE = {"operations": [{"bg_add": {"options": {"color": "#ffffff"}}}],
         "options": {"size": {"width": 64, "height": 64}}}
MANIFEST = ".imagegraphics-manifest.jsonl"


@pytest.fixture
def env(stack) -> dict:
    return dict(os.environ, IMAGEGRAPHICS_ENDPOINT=stack.url, IMAGEGRAPHICS_API_KEY=stack.key_for("alpha"))


def _client(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(SCRIPT), "--timeout", "300", *args], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _catalogue(root: Path, rels: list[str]) -> Path:
    for i, rel in enumerate(rels):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        side = 64 + (i * 8) % 64
        path.write_bytes(samples.product(side, side, "JPEG" if path.suffix == ".jpg" else "PNG"))
    return root


def _request(tmp_path: Path, body: dict = PRODUCT) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body))
    return path


def _assets_stored(stack) -> tuple[int, int]:
    """Asset records in the table and uploaded objects in the bucket: what an upload leaves."""
    aws = {"endpoint_url": stack.endpoint, "region_name": "us-east-1", "aws_access_key_id": "testing",
           "aws_secret_access_key": "testing"}
    table = boto3.resource("dynamodb", **aws).Table(stack.resources["refs"]["Table"])
    items, page = 0, {}
    while True:
        answer = table.scan(ProjectionExpression="pk, sk", **page)
        # The asset's own item; its conversions share its partition.
        items += sum(1 for item in answer["Items"] if item["pk"].startswith("ASSET#") and item["sk"] == "ASSET")
        if "LastEvaluatedKey" not in answer:
            break
        page = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}
    objects = boto3.client("s3", **aws).list_objects_v2(Bucket=stack.resources["refs"]["Bucket"], Prefix="incoming/")
    return items, objects.get("KeyCount", 0)


def _outputs(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)


def test_a_folder_with_subfolders_in_and_named_cutouts_out(env, tmp_path):
    photos = _catalogue(tmp_path / "photos", ["shoes/red.jpg", "shoes/sale/old.png", "bags/tote.jpg", "top.png"])
    (photos / "notes.txt").write_text("not an image")
    out = tmp_path / "out"
    done = _client(env, "--json", "run", "--request", str(_request(tmp_path)), "--out", str(out), str(photos))
    assert done.returncode == 0, done.stderr
    assert _outputs(out) == ["bags/tote.png", "shoes/red.png", "shoes/sale/old.png", "top.png"]
    summary = json.loads(done.stdout)
    assert {f["input"]: f["outputs"] for f in summary["files"]} == {
        str(photos / "bags/tote.jpg"): [str(out / "bags/tote.png")],
        str(photos / "shoes/red.jpg"): [str(out / "shoes/red.png")],
        str(photos / "shoes/sale/old.png"): [str(out / "shoes/sale/old.png")],
        str(photos / "top.png"): [str(out / "top.png")]}
    for rel in _outputs(out):
        with Image.open(out / rel) as cutout:
            side = cutout.width
            alpha = cutout.getchannel("A")
            assert cutout.mode == "RGBA" and alpha.getpixel((1, 1)) < 10  # the white backdrop cut away
            assert alpha.getpixel((side // 2, side // 2)) > 245  # the ball kept


def test_a_bad_request_file_is_refused_with_zero_uploads(env, stack, tmp_path):
    photos = _catalogue(tmp_path / "photos", ["a.jpg", "b/c.png"])
    bad = {"operations": [{"bg_remove": {"options": {"mode": "people"}}}],
           "options": {"crop": {"left": 10, "top": 0, "right": 5, "bottom": 5}}}
    before = _assets_stored(stack)
    done = _client(env, "run", "--request", str(_request(tmp_path, bad)), "--out", str(tmp_path / "out"), str(photos))
    assert done.returncode == 2
    assert "validate was refused (400)" in done.stderr
    assert "at operations.0.bg_remove.options.mode:" in done.stderr
    assert _assets_stored(stack) == before
    assert not (tmp_path / "out").exists()


def test_the_docs_beyond_example_runs_as_a_request_file(env, tmp_path):
    text = (ROOT / "docs" / "request.md").read_text()
    start = text.index("```json\n", text.index("## Beyond the public API")) + len("```json\n")
    example = tmp_path / "beyond.json"
    example.write_text(text[start:text.index("```", start)])
    photos = _catalogue(tmp_path / "photos", ["ball.png"])
    done = _client(env, "run", "--request", str(example), "--out", str(tmp_path / "out"), str(photos))
    assert done.returncode == 0, done.stderr
    assert "is not used: run makes one asset of each file" in done.stderr
    assert done.stdout.split() == [str(tmp_path / "out" / "ball.webp")]
    with Image.open(tmp_path / "out" / "ball.webp") as result:
        assert result.format == "WEBP" and result.size == (1000, 1000)


def test_a_rerun_skips_what_is_done_and_retries_what_failed(stack, tmp_path, monkeypatch, capsys):
    photos = _catalogue(tmp_path / "photos", ["shoes/red.jpg", "shoes/sale/old.png", "bags/tote.jpg", "top.png"])
    torn = photos / "bags" / "torn.png"
    torn.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))  # a PNG's signature, no image: the service rejects it
    out = tmp_path / "out"
    args = ["--endpoint", stack.url, "--api-key", stack.key_for("alpha"), "--json", "run",
            "--request", str(_request(tmp_path, WHITE)), "--out", str(out), str(photos)]

    def run() -> tuple[int, dict[str, dict]]:
        code = main(args)
        files = {Path(f["input"]).relative_to(photos).as_posix(): f for f in json.loads(capsys.readouterr().out)["files"]}
        return code, files

    fetch = Client.fetch

    def broken_for_red(self, url, place, what):  # the connection breaks during one download
        if "red.jpg" in what:
            raise TransportError(f"{what}: the connection broke during the download")
        return fetch(self, url, place, what)

    monkeypatch.setattr(Client, "fetch", broken_for_red)
    code, first = run()
    assert code == 1
    assert {rel: f["status"] for rel, f in first.items()} == {
        "bags/torn.png": "rejected", "bags/tote.jpg": "done", "shoes/red.jpg": "failed",
        "shoes/sale/old.png": "done", "top.png": "done"}
    assert _outputs(out) == ["bags/tote.png", "shoes/sale/old.png", "top.png"]
    written = {rel: (out / rel).stat().st_mtime_ns for rel in _outputs(out)}
    monkeypatch.undo()
    torn.write_bytes(samples.product(80, 80, "PNG"))  # mended by its owner

    before = _assets_stored(stack)[0]
    code, second = run()
    assert code == 0
    assert {rel: f["status"] for rel, f in second.items()} == {
        "bags/torn.png": "done", "bags/tote.jpg": "skipped", "shoes/red.jpg": "done",
        "shoes/sale/old.png": "skipped", "top.png": "skipped"}
    assert second["shoes/red.jpg"]["asset_id"] == first["shoes/red.jpg"]["asset_id"]  # retried, not uploaded again
    assert second["shoes/red.jpg"]["job_id"] != first["shoes/red.jpg"]["job_id"]
    assert _assets_stored(stack)[0] - before == 1  # only the mended file
    assert _outputs(out) == ["bags/torn.png", "bags/tote.png", "shoes/red.png", "shoes/sale/old.png", "top.png"]
    assert {rel: (out / rel).stat().st_mtime_ns for rel in written} == written  # the done ones untouched
    with Image.open(out / "shoes/red.png") as retried:
        assert retried.size == (64, 64)

    before = _assets_stored(stack)
    code, third = run()
    assert code == 0 and {f["status"] for f in third.values()} == {"skipped"}
    assert _assets_stored(stack) == before


def test_an_interrupted_run_resumes_without_uploading_again(env, stack, tmp_path):
    photos = _catalogue(tmp_path / "photos", [f"{kind}/{i:02d}.jpg" for kind in ("shoes", "bags") for i in range(8)])
    out, request = tmp_path / "out", _request(tmp_path)
    command = [str(SCRIPT), "--timeout", "300", "--concurrency", "2", "run", "--request", str(request),
               "--out", str(out), str(photos)]
    running = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and running.poll() is None:
        lines = (out / MANIFEST).read_text().splitlines() if (out / MANIFEST).exists() else []
        if any('"outcome": "done"' in line for line in lines):
            break
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)
    _, stderr = running.communicate(timeout=120)
    assert running.returncode == 130, stderr
    assert "Traceback" not in stderr and "run the same command again to resume" in stderr
    finished = _outputs(out)
    assert 1 <= len(finished) < 16 and not list(out.rglob("*.part"))
    records = [json.loads(line) for line in (out / MANIFEST).read_text().splitlines()]
    uploaded = {r["input"] for r in records if r["asset_id"]}
    before = _assets_stored(stack)
    done = _client(env, "run", "--request", str(request), "--out", str(out), str(photos))
    assert done.returncode == 0, done.stderr
    assert f"{len(finished)} of 16 files were done by an earlier run" in done.stderr
    new_assets = _assets_stored(stack)[0] - before[0]
    assert new_assets == 16 - len(uploaded)  # only the files the first run had not uploaded yet
    assert len(_outputs(out)) == 16
    assert sorted(done.stdout.split()) == sorted(str(out / rel) for rel in _outputs(out) if rel not in finished)


def test_more_files_than_a_job_takes_become_several_jobs(stack, alpha, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engine, "MAX_ASSETS_PER_JOB", 2)  # not 1,001 uploads: the client's limit, lowered
    photos = _catalogue(tmp_path / "photos", [f"p{i}.png" for i in range(5)])
    out = tmp_path / "out"
    code = main(["--endpoint", stack.url, "--api-key", stack.key_for("alpha"), "--json", "run",
                 "--request", str(_request(tmp_path)), "--out", str(out), str(photos)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(summary["jobs"]) >= 3 and all(j["status"] == "OK" for j in summary["jobs"])
    totals = {j["job_id"]: alpha.job(j["job_id"])["progress"]["total"] for j in summary["jobs"]}
    assert all(total <= 2 for total in totals.values()) and sum(totals.values()) == 5
    per_job = {job_id: sum(1 for f in summary["files"] if f["job_id"] == job_id) for job_id in totals}
    assert per_job == totals  # each file in exactly one job
    assert _outputs(out) == [f"p{i}.png" for i in range(5)]
