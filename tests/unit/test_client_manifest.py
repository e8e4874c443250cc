"""Output names, clashes, and the manifest a rerun resumes from."""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from imagegraphics_client.errors import UsageError
from imagegraphics_client.manifest import NAME, Manifest, Resume, resume_step
from imagegraphics_client.naming import check_clashes, check_existing, target
from imagegraphics_client.walk import Input

REQUEST, OTHER = "sha256:aaa", "sha256:bbb"
ASSET = "0123456789abcdef0123456789abcdef"


def _input(tmp_path: Path, rel: str = "shoes/red", name: str | None = None, size: int = 10, mtime_ns: int = 5) -> Input:
    return Input(tmp_path / "photos" / (name or f"{rel}.jpg"), PurePosixPath(rel), size, mtime_ns, "image/jpeg")


@pytest.mark.parametrize("rel, ext, name, expected", [
    ("red", "png", None, "red.png"),  # a file named directly
    ("shoes/red", "webp", None, "shoes/red.webp"),  # inside the folder given
    ("shoes/red.v2", "png", None, "shoes/red.v2.png"),
    ("shoes/red", "png", "white-800", "shoes/red.white-800.png"),  # several outputs: the name joins the stem
    ("red", "jpg", "../../x", "red._.._x.jpg"),  # a name from the server stays one file name
])
def test_outputs_are_named_after_their_inputs(tmp_path, rel, ext, name, expected):
    path = target(tmp_path, PurePosixPath(rel), ext, name)
    assert path == tmp_path / expected and path.resolve().is_relative_to(tmp_path.resolve())


def test_two_inputs_with_one_output_name_are_refused_naming_both(tmp_path):
    a, b, c = _input(tmp_path, "a", "a.jpg"), _input(tmp_path, "a", "a.png"), _input(tmp_path, "b", "b.jpg")
    check_clashes([a, c], tmp_path / "out")
    with pytest.raises(UsageError) as refused:
        check_clashes([a, b, c], tmp_path / "out")
    assert f"{a.path} and {b.path} would both be written to {tmp_path / 'out' / 'a'}.<ext>" in str(refused.value)
    assert "nothing was sent" in str(refused.value)


def test_an_existing_output_is_refused_unless_the_manifest_wrote_it_for_that_input(tmp_path):
    item, other = _input(tmp_path, "red"), _input(tmp_path, "blue")
    out = tmp_path / "out"
    out.mkdir()
    (out / "red.png").write_bytes(b"x")
    inputs = {item.key, other.key}
    check_existing([(item, out / "blue.png")], lambda path: None, inputs)  # nothing there yet
    check_existing([(item, out / "red.png")], lambda path: item.key, inputs)  # ours: replaced on a rerun
    with pytest.raises(UsageError, match=r"(?s)1 output file\(s\) exist already .*--overwrite"):
        check_existing([(item, out / "red.png")], lambda path: None, inputs)
    with pytest.raises(UsageError, match="red.png"):
        check_existing([(item, out / "red.png")], lambda path: other.key, inputs)  # another input's output
    check_existing([(item, out / "red.png")], lambda path: None, inputs, overwrite=True)


def test_an_output_never_replaces_an_input_even_with_overwrite(tmp_path):
    item = _input(tmp_path, "red", "red.jpg")
    other = Input(tmp_path / "photos" / "blue.png", PurePosixPath("blue"), 1, 1, "image/png")
    with pytest.raises(UsageError, match="would replace an input"):
        check_existing([(item, other.path)], lambda path: None, {item.key, other.key}, overwrite=True)


# -- resume_step: where a file picks up on a rerun

def _record(item: Input, outcome: str, request: str = REQUEST, outputs=(), job_id=7, **changes) -> dict:
    return {"input": item.key, "size": item.size, "mtime_ns": item.mtime_ns, "request": request,
            "asset_id": ASSET, "job_id": job_id, "outcome": outcome, "outputs": list(outputs), **changes}


@pytest.fixture
def done_file(tmp_path) -> Path:
    out = tmp_path / "out"
    (out / "shoes").mkdir(parents=True)
    (out / "shoes" / "red.png").write_bytes(b"png")
    return out


def test_a_file_never_seen_or_changed_is_uploaded(tmp_path, done_file):
    item = _input(tmp_path)
    assert resume_step(None, item, REQUEST, done_file, False) == Resume("upload")
    for change in ({"size": 11}, {"mtime_ns": 6}, {"asset_id": None}):
        record = _record(item, "done", outputs=["shoes/red.png"], **change)
        assert resume_step(record, item, REQUEST, done_file, False).step == "upload", change


def test_a_file_done_with_the_same_request_and_its_output_there_is_skipped(tmp_path, done_file):
    item = _input(tmp_path)
    record = _record(item, "done", outputs=["shoes/red.png"])
    assert resume_step(record, item, REQUEST, done_file, False) == Resume("skip", ASSET, 7, (done_file / "shoes/red.png",))
    (done_file / "shoes" / "red.png").unlink()  # output gone: fetched again from its job, not rendered again
    assert resume_step(record, item, REQUEST, done_file, False) == Resume("poll", ASSET, 7)


def test_a_file_done_under_another_request_reuses_its_asset_in_a_new_job(tmp_path, done_file):
    item = _input(tmp_path)
    record = _record(item, "done", request=OTHER, outputs=["shoes/red.png"])
    assert resume_step(record, item, REQUEST, done_file, False) == Resume("check", ASSET)


@pytest.mark.parametrize("outcome, made_with, expected", [
    ("uploaded", REQUEST, Resume("check", ASSET)),  # READY is checked, then it joins a job
    ("submitted", REQUEST, Resume("poll", ASSET, 7)),  # the job may have finished meanwhile
    ("submitted", OTHER, Resume("check", ASSET)),
    ("failed", REQUEST, Resume("check", ASSET)),  # retried, with the asset already uploaded
    ("rejected", REQUEST, Resume("upload")),
])
def test_an_unfinished_or_failed_file_picks_up_where_it_stopped(tmp_path, done_file, outcome, made_with, expected):
    item = _input(tmp_path)
    assert resume_step(_record(item, outcome, request=made_with), item, REQUEST, done_file, False) == expected


@pytest.mark.parametrize("outcome, made_with, step", [
    ("uploaded", REQUEST, "check"),  # its recipe job is found on the asset
    ("submitted", REQUEST, "poll"),
    ("failed", REQUEST, "upload"),  # a recipe runs again only on a new upload
    ("uploaded", OTHER, "upload"),
])
def test_with_a_recipe_only_a_new_upload_runs_it_again(tmp_path, done_file, outcome, made_with, step):
    item = _input(tmp_path)
    assert resume_step(_record(item, outcome, request=made_with), item, REQUEST, done_file, True).step == step


# -- the file itself

def test_lines_are_written_whole_and_flushed_at_once_and_read_back(tmp_path):
    out = tmp_path / "out"
    item = _input(tmp_path)
    manifest = Manifest.open(out)
    manifest.write(item, REQUEST, "uploaded", ASSET)
    lines = (out / NAME).read_text().splitlines()  # read while the run still holds it open
    assert len(lines) == 1 and json.loads(lines[0])["outcome"] == "uploaded"
    manifest.write(item, REQUEST, "done", ASSET, 7, [out / "shoes" / "red.png"])
    manifest.close()
    again = Manifest.open(out)
    assert again.last(item.key)["outcome"] == "done" and again.last(item.key)["outputs"] == ["shoes/red.png"]
    assert again.owner(out / "shoes" / "red.png") == item.key and again.owner(out / "other.png") is None
    assert again.owner(tmp_path / "elsewhere.png") is None
    again.close()


def test_a_torn_last_line_is_ignored_and_the_next_line_starts_on_its_own(tmp_path):
    out = tmp_path / "out"
    item = _input(tmp_path)
    manifest = Manifest.open(out)
    manifest.write(item, REQUEST, "submitted", ASSET, 7)
    manifest.close()
    with open(out / NAME, "a") as handle:
        handle.write('{"v": 1, "input": "' + item.key + '", "outcome": "do')  # killed mid-line
    again = Manifest.open(out)
    assert again.last(item.key)["outcome"] == "submitted"
    again.write(item, REQUEST, "done", ASSET, 7, [out / "red.png"])
    again.close()
    assert json.loads((out / NAME).read_text().splitlines()[-1])["outcome"] == "done"
    assert Manifest.open(out).last(item.key)["outcome"] == "done"


def test_an_output_stays_its_inputs_after_the_input_changed(tmp_path):
    out = tmp_path / "out"
    item = _input(tmp_path)
    manifest = Manifest.open(out)
    manifest.write(item, REQUEST, "done", ASSET, 7, [out / "red.png"])
    manifest.write(item, REQUEST, "uploaded", "f" * 32)  # changed and uploaded again, not done yet
    manifest.close()
    assert Manifest.open(out).owner(out / "red.png") == item.key


def test_a_second_run_into_the_same_folder_is_refused(tmp_path):
    first = Manifest.open(tmp_path / "out")
    with pytest.raises(UsageError, match="another run is writing into"):
        Manifest.open(tmp_path / "out")
    first.close()
    Manifest.open(tmp_path / "out").close()
