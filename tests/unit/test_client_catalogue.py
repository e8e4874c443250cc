"""`run` over folders against the fake API: named outputs, clashes, jobs split at the request's limit,
bounded concurrency, and reruns that resume from the manifest without uploading again."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from PIL import Image

from imagegraphics_client import engine

from tests.unit.client_fake import api, cli, creates, pauses  # noqa: F401 - fixtures

FLOW = {"operations": [{"bg_remove": {"options": {"mode": "product"}}}]}

def _image(path: Path, color=(10, 200, 10)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (10, 10), color).save(path, "JPEG" if path.suffix == ".jpg" else "PNG")
    return path


@pytest.fixture
def photos(tmp_path) -> Path:
    for rel in ("top.jpg", "shoes/red.jpg", "shoes/blue.png", "shoes/sale/old.jpg", "bags/tote.jpg"):
        _image(tmp_path / "photos" / rel)
    (tmp_path / "photos" / "readme.txt").write_text("not an image")
    return tmp_path / "photos"


@pytest.fixture
def request_file(tmp_path) -> Path:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(FLOW))
    return path


def _outputs(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != ".imagegraphics-manifest.jsonl")


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / ".imagegraphics-manifest.jsonl").read_text().splitlines()]


def test_a_folder_with_subfolders_in_named_outputs_out(api, photos, request_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    assert _outputs(out) == ["bags/tote.png", "shoes/blue.png", "shoes/red.png", "shoes/sale/old.png", "top.png"]
    assert sorted(capsys.readouterr().out.split()) == [str(out / p) for p in _outputs(out)]
    # Each output is its input's: the fake serves one image, so check through the manifest and the API.
    done = {r["input"]: r for r in _manifest(out) if r["outcome"] == "done"}
    assert len(done) == 5
    red = done[os.path.abspath(photos / "shoes" / "red.jpg")]
    assert red["outputs"] == ["shoes/red.png"] and api.assets[red["asset_id"]]["filename"] == "red.jpg"
    assert api.assets[red["asset_id"]]["bytes"] == (photos / "shoes" / "red.jpg").read_bytes()
    assert sorted(a for job in api.jobs.values() for a in job["assets"]) == sorted(r["asset_id"] for r in done.values())


def test_several_outputs_of_one_input_take_the_output_name_in_the_file_name(api, photos, request_file, tmp_path):
    api.outputs_per_asset = 2
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos / "shoes" / "sale")) == 0
    assert _outputs(out) == ["old.image-graphics-1.png", "old.image-graphics-2.png"]
    [done] = [r for r in _manifest(out) if r["outcome"] == "done"]
    assert sorted(done["outputs"]) == _outputs(out)


def test_glob_narrows_the_folder_and_files_named_directly_land_at_the_top(api, photos, request_file, tmp_path):
    out = tmp_path / "out"
    single = _image(tmp_path / "elsewhere" / "single.jpg")
    assert cli(api, "run", "--request", str(request_file), "--glob", "shoes/*.jpg", "--out", str(out),
               str(photos), str(single)) == 0
    assert _outputs(out) == ["shoes/red.png", "shoes/sale/old.png", "single.png"]


def test_two_inputs_with_one_output_name_are_refused_before_anything_is_sent(api, photos, request_file, tmp_path, capsys):
    _image(photos / "shoes" / "red.png")
    assert cli(api, "run", "--request", str(request_file), "--out", str(tmp_path / "out"), str(photos)) == 2
    err = capsys.readouterr().err
    assert f"{photos / 'shoes' / 'red.jpg'} and {photos / 'shoes' / 'red.png'} would both be written to" in err
    assert api.calls == []


def test_an_existing_file_is_never_replaced_silently(api, photos, request_file, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "shoes").mkdir(parents=True)
    (out / "shoes" / "red.png").write_bytes(b"someone else's")
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 2
    err = capsys.readouterr().err
    assert f"{out / 'shoes' / 'red.png'} (for {photos / 'shoes' / 'red.jpg'})" in err and "--overwrite" in err
    assert creates(api) == 0 and (out / "shoes" / "red.png").read_bytes() == b"someone else's"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), "--overwrite", str(photos)) == 0
    assert (out / "shoes" / "red.png").read_bytes() != b"someone else's"


def test_a_file_that_appears_while_the_run_goes_is_not_replaced(api, photos, request_file, tmp_path, capsys,
                                                                  monkeypatch):
    out = tmp_path / "out"
    original = engine.Run._submit_ready

    def submit_then_someone_writes(run):
        if run.ready:
            (out / "top.png").write_bytes(b"written meanwhile")
        original(run)

    monkeypatch.setattr(engine.Run, "_submit_ready", submit_then_someone_writes)
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 1
    assert (out / "top.png").read_bytes() == b"written meanwhile"
    assert f"failed: {photos / 'top.jpg'}: could not download its output: {out / 'top.png'} exists" in capsys.readouterr().err


def test_a_full_request_like_the_docs_example_runs_with_its_one_asset_entry(api, photos, tmp_path, capsys):
    full = tmp_path / "full.json"
    full.write_text(json.dumps({"assets": [{"0123456789abcdef0123456789abcdef": {"options": {
        "disposition": {"add_as_conversion": True, "conversion_name": "shop", "format": "webp", "quality": 85}}}}],
        "operations": FLOW["operations"]}))
    out = tmp_path / "out"
    api.output_suffix, api.output_type = ".webp", "image/webp"
    assert cli(api, "run", "--request", str(full), "--out", str(out), str(photos / "shoes")) == 0
    assert "the asset id 0123456789abcdef0123456789abcdef is not used" in capsys.readouterr().err
    assert _outputs(out) == ["blue.webp", "red.webp", "sale/old.webp"]
    assert sum(len(job["assets"]) for job in api.jobs.values()) == 3
    assert {job["name"] for job in api.jobs.values()} == {"shop"}


def test_errors_of_a_full_request_are_located_where_the_file_has_them(api, photos, tmp_path, capsys):
    full = tmp_path / "full.json"
    full.write_text(json.dumps({"assets": [{"x": {"options": {"crop": {}}}}], "operations": [], "extra": 1}))
    assert cli(api, "run", "--request", str(full), "--out", str(tmp_path / "out"), str(photos)) == 2
    err = capsys.readouterr().err
    assert "at operations: at least one operation is required" in err and "at extra: unknown key" in err
    assert creates(api) == 0


def test_more_files_than_a_job_takes_become_several_jobs(api, photos, request_file, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "MAX_ASSETS_PER_JOB", 2)
    api.max_assets = 2  # the fake refuses more, as the API refuses more than 1,000
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    assert len(api.jobs) >= 3 and all(len(job["assets"]) <= 2 for job in api.jobs.values())
    in_jobs = [a for job in api.jobs.values() for a in job["assets"]]
    assert sorted(in_jobs) == sorted(api.assets) and len(_outputs(out)) == 5
    assert {r["job_id"] for r in _manifest(out) if r["outcome"] == "done"} == set(api.jobs)


def test_the_summary_says_how_each_job_ended_even_when_its_status_lags_its_outcomes(
        api, photos, request_file, tmp_path, capsys):
    api.status_lag = 3
    assert cli(api, "--json", "run", "--request", str(request_file), "--out", str(tmp_path / "out"), str(photos)) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["jobs"] and all(job["status"] == "OK" for job in summary["jobs"])


def test_a_submit_without_an_answer_fails_its_files_and_the_run_goes_on(api, photos, request_file, tmp_path,
                                                                          monkeypatch, capsys):
    monkeypatch.setattr(engine, "MAX_ASSETS_PER_JOB", 2)
    api.max_assets = 2
    api.fail("POST", "/api/v1/assets/addons/image_graphics$", status=0)  # the connection closes, no answer
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 1
    err = capsys.readouterr().err
    assert err.count("got no answer, so the job may have started or not") == 2  # the two files of that job
    assert len(_outputs(out)) == 3  # the other jobs went on
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    assert len(_outputs(out)) == 5 and len(api.assets) == 5  # the rerun submitted them again, no new upload


def test_ready_files_are_submitted_without_waiting_for_a_full_job_when_the_service_would_idle(
        api, photos, request_file, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_WAIT", 0)
    for i in range(6):
        _image(photos / "more" / f"{i}.jpg")
    assert cli(api, "--concurrency", "1", "run", "--request", str(request_file), "--out", str(tmp_path / "out"),
               str(photos)) == 0
    first_submit = api.calls.index(("POST", "/api/v1/assets/addons/image_graphics"))
    last_upload = max(i for i, call in enumerate(api.calls) if call == ("POST", "/_upload/bucket"))
    assert first_submit < last_upload  # work reached the service while files were still being uploaded
    assert len(api.jobs) > 1 and sorted(a for job in api.jobs.values() for a in job["assets"]) == sorted(api.assets)


def test_concurrency_bounds_the_calls_in_flight(api, photos, request_file, tmp_path):
    for i in range(8):
        _image(photos / "more" / f"{i}.jpg")
    api.delay = 0.02
    assert cli(api, "--concurrency", "3", "run", "--request", str(request_file), "--out", str(tmp_path / "a"),
               str(photos)) == 0
    assert api.max_in_flight == 3  # reached, never passed
    api.max_in_flight = 0
    assert cli(api, "--parallel", "1", "run", "--request", str(request_file), "--out", str(tmp_path / "b"),
               str(photos)) == 0
    assert api.max_in_flight == 1


def _interrupt_after(monkeypatch, downloads: int) -> None:
    """Ctrl-C, as the terminal sends it, once this many outputs are written."""
    original, seen = engine.Run._downloaded, []

    def downloaded(run, download, path, exc):
        original(run, download, path, exc)
        seen.append(path)
        if len(seen) == downloads:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(engine.Run, "_downloaded", downloaded)


def test_ctrl_c_stops_cleanly_and_a_rerun_resumes_without_uploading_again(api, photos, request_file, tmp_path,
                                                                          capsys, monkeypatch):
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 2)
        assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 130
    err = capsys.readouterr().err
    assert "stopping: waiting for the transfers under way" in err
    assert "interrupted: " in err and "run the same command again to resume" in err
    first = _outputs(out)
    assert 2 <= len(first) < 5 and creates(api) == 5
    assert not list(out.rglob("*.part"))
    jobs = len(api.jobs)
    api.calls.clear()
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    assert creates(api) == 0  # every asset was uploaded already
    assert len(api.jobs) == jobs  # and every one was in a job already: its outputs are fetched from it
    assert _outputs(out) == ["bags/tote.png", "shoes/blue.png", "shoes/red.png", "shoes/sale/old.png", "top.png"]
    err = capsys.readouterr().err
    assert f"{len(first)} of 5 files were done by an earlier run" in err
    api.calls.clear()
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    assert api.calls == [("POST", "/api/v1/assets/addons/image_graphics/validate")]  # nothing left to do


def test_a_run_killed_before_it_submitted_reuses_the_ready_uploads(api, photos, request_file, tmp_path, monkeypatch):
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        def killed(run):
            if run.ready and not run.states["upload"] and not run.states["check"]:
                raise KeyboardInterrupt  # as a second Ctrl-C does, wherever it lands
        patch.setattr(engine.Run, "_submit_ready", killed)
        assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 130
    assert creates(api) == 5 and api.jobs == {}
    jobs = len(api.jobs)
    with open(out / ".imagegraphics-manifest.jsonl", "a") as manifest:
        manifest.write('{"v": 1, "input": "/tor')  # the line being written when it died
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    assert creates(api) == 5 and len(api.jobs) > jobs and len(_outputs(out)) == 5


def test_a_rerun_uploads_changed_files_retries_failed_ones_and_skips_the_rest(api, photos, request_file, tmp_path,
                                                                               capsys):
    _image(photos / "fail.jpg")  # the fake fails every asset named so
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 1
    failed_asset = next(i for i, a in api.assets.items() if a["filename"] == "fail.jpg")
    first_jobs = set(api.jobs)
    _image(photos / "top.jpg", color=(200, 10, 10))
    os.utime(photos / "top.jpg", ns=(1, 1))  # changed: a new size or mtime
    api.calls.clear()
    capsys.readouterr()
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 1
    assert creates(api) == 1  # top.jpg only
    new_top = next(i for i, a in reversed(api.assets.items()) if a["filename"] == "top.jpg")
    rerun = [a for job_id, job in api.jobs.items() if job_id not in first_jobs for a in job["assets"]]
    assert sorted(rerun) == sorted([failed_asset, new_top])  # the failed one retried as it was
    assert api.assets[new_top]["bytes"] == (photos / "top.jpg").read_bytes()
    err = capsys.readouterr().err
    assert "4 of 6 files were done by an earlier run" in err and f"failed: {photos / 'fail.jpg'}: no foreground" in err


def test_a_different_request_makes_the_outputs_again_from_the_same_uploads(api, photos, request_file, tmp_path):
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    first_jobs = set(api.jobs)
    request_file.write_text(json.dumps({**FLOW, "options": {"size": {"width": 50, "height": 50}}}))
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), str(photos)) == 0
    rerun = [a for job_id, job in api.jobs.items() if job_id not in first_jobs for a in job["assets"]]
    assert creates(api) == 5 and sorted(rerun) == sorted(api.assets)


def test_unreadable_files_are_reported_the_rest_run_and_the_exit_says_so(api, photos, request_file, tmp_path, capsys,
                                                                          monkeypatch):
    from imagegraphics_client import walk
    real_open, locked = open, photos / "bags" / "tote.jpg"

    def refusing_open(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(walk, "open", refusing_open, raising=False)
    (photos / "loop").symlink_to(photos, target_is_directory=True)
    out = tmp_path / "out"
    assert cli(api, "--json", "run", "--request", str(request_file), "--out", str(out), str(photos)) == 1
    captured = capsys.readouterr()
    assert f"skipped: {locked}: cannot read it (Permission denied)" in captured.err
    assert "symbolic link loop" in captured.err and "Traceback" not in captured.err
    summary = json.loads(captured.out)
    assert len(summary["files"]) == 4 and all(f["status"] == "done" for f in summary["files"])
    assert summary["unreadable"] == [f"{locked}: cannot read it (Permission denied)"]


def test_an_empty_folder_is_a_usage_error(api, request_file, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli(api, "run", "--request", str(request_file), "--out", str(tmp_path / "o"), str(tmp_path / "empty")) == 2
    assert "no image files in" in capsys.readouterr().err and api.calls == []


def test_upload_takes_folders_and_prints_ids_in_the_files_order(api, photos, capsys):
    assert cli(api, "--json", "upload", str(photos)) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [Path(e["file"]).relative_to(photos).as_posix() for e in listed] == [
        "bags/tote.jpg", "shoes/blue.png", "shoes/red.jpg", "shoes/sale/old.jpg", "top.jpg"]
    assert all(e["status"] == "READY" and api.assets[e["asset_id"]]["filename"] == Path(e["file"]).name for e in listed)
    assert cli(api, "upload", "--glob", "*.png", str(photos)) == 0
    [asset_id] = capsys.readouterr().out.split()
    assert api.assets[asset_id]["filename"] == "blue.png"


def test_a_service_without_the_validate_route_still_runs_and_says_so(api, photos, request_file, tmp_path, capsys):
    api.fail("POST", "/api/v1/assets/addons/image_graphics/validate", 403,
             body={"message": "Missing Authentication Token"})  # API Gateway's answer for a route it lacks
    assert cli(api, "run", "--request", str(request_file), "--out", str(tmp_path / "out"), str(photos)) == 0
    assert "the service has no validate route" in capsys.readouterr().err
    assert len(_outputs(tmp_path / "out")) == 5


def test_an_output_never_replaces_an_input_even_with_overwrite(api, request_file, tmp_path, capsys):
    flat = tmp_path / "flat"
    original = _image(flat / "top.png").read_bytes()
    assert cli(api, "run", "--request", str(request_file), "--out", str(flat), "--overwrite", str(flat / "top.png")) == 2
    assert f"{flat / 'top.png'} (the output of {flat / 'top.png'})" in capsys.readouterr().err
    assert (flat / "top.png").read_bytes() == original and creates(api) == 0
