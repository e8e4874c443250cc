"""imagegraphics-client against a fake API over real HTTP: results, files written, exit statuses."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from imagegraphics_client.cli import main

from tests.unit.client_fake import KEY, api, pauses, png  # noqa: F401 - fixtures

REQUEST = {"operations": [{"bg_remove": {"options": {"mode": "portrait"}}}],
           "options": {"disposition": {"add_as_conversion": True, "conversion_name": "cut"}}}


def cli(api, *args, key=KEY):
    return main(["--endpoint", api.url, "--api-key", key, *args])


def image(tmp_path, name="photo.jpg", kind="JPEG"):
    path = tmp_path / name
    Image.new("RGB", (10, 10), (10, 200, 10)).save(path, kind)
    return path


def ids_of(api, files):
    """Asset ids in the order of the files (uploads run in parallel, so creation order varies)."""
    return [next(i for i, r in api.assets.items() if r["filename"] == f.name) for f in files]


def request_file(tmp_path, body=None):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(REQUEST if body is None else body))
    return path


def test_run_uploads_submits_waits_and_downloads_every_output(api, tmp_path, capsys):
    files = [image(tmp_path, "a.jpg"), image(tmp_path, "b.png", "PNG")]
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file(tmp_path)), "--out", str(out), *map(str, files)) == 0
    printed = capsys.readouterr().out.split()
    ids = ids_of(api, files)
    assert sorted(printed) == [str(out / "a.png"), str(out / "b.png")]  # named after the inputs
    for path in printed:
        with Image.open(path) as result:
            assert result.mode == "RGBA" and result.getpixel((0, 0)) == (200, 30, 30, 255)
    assert [api.assets[i]["content_type"] for i in ids] == ["image/jpeg", "image/png"]
    assert api.assets[ids[0]]["bytes"] == files[0].read_bytes()
    assert sorted(a for job in api.jobs.values() for a in job["assets"]) == sorted(ids)
    assert not list(out.rglob("*.part"))
    assert api.count("POST", "/api/v1/assets/addons/image_graphics/validate") == 1


def test_run_with_a_failed_asset_downloads_the_rest_and_exits_1(api, tmp_path, capsys):
    files = [image(tmp_path, "ok.jpg"), image(tmp_path, "fail.jpg")]
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file(tmp_path)), "--out", str(out), *map(str, files)) == 1
    captured = capsys.readouterr()
    assert len(captured.out.split()) == 1
    assert "failed: " + str(files[1]) in captured.err and "no foreground found" in captured.err
    assert "status 422, code unknown_foreground" in captured.err and "Traceback" not in captured.err


def test_run_json_summary_maps_each_input_to_its_output(api, tmp_path, capsys):
    files = [image(tmp_path, "a.jpg"), image(tmp_path, "reject.jpg")]
    out = tmp_path / "o"
    code = cli(api, "--json", "run", "--request", str(request_file(tmp_path)), "--out", str(out), *map(str, files))
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    done, rejected = summary["files"]
    assert done["input"] == str(files[0]) and done["outputs"] == [str(out / "a.png")] and done["status"] == "done"
    assert done["asset_id"] == ids_of(api, files[:1])[0] and done["asset_id"] in api.jobs[done["job_id"]]["assets"]
    assert rejected["status"] == "rejected" and rejected["reason"].startswith("not an image")
    assert rejected["outputs"] == [] and rejected["job_id"] is None
    assert summary["jobs"] == [{"job_id": done["job_id"], "status": "OK"}]
    assert summary["manifest"] == str(out / ".imagegraphics-manifest.jsonl")


def test_upload_prints_ids_waits_for_the_check_and_reports_rejections(api, tmp_path, capsys):
    files = [image(tmp_path, "a.jpg"), image(tmp_path, "reject.gif", "GIF")]
    assert cli(api, "upload", "--metadata", '{"k": 1}', *map(str, files)) == 1
    captured = capsys.readouterr()
    ids = ids_of(api, files)
    assert captured.out.split() == ids
    assert [api.assets[i]["status"] for i in ids] == ["READY", "REJECTED"]
    assert [api.assets[i]["metadata"] for i in ids] == [{"k": 1}, {"k": 1}]
    assert "rejected: " in captured.err and "cannot identify image file" in captured.err


def test_submit_sends_the_file_as_written_then_wait_and_download(api, tmp_path, capsys):
    assert cli(api, "upload", str(image(tmp_path))) == 0
    asset_id = capsys.readouterr().out.strip()
    req = request_file(tmp_path, {"assets": [{asset_id: {}}], "operations": [{"bg_remove": {}}]})
    assert cli(api, "submit", str(req)) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert cli(api, "wait", "1", "--progress", "always") == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "job 1 OK: 1 succeeded, 0 failed of 1"
    assert "1/1" in captured.err and "ok=1" in captured.err  # the bar, fed from progress counts
    assert cli(api, "download", "1", "--out", str(tmp_path / "dl")) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "dl" / asset_id / "image-graphics.png")


def test_download_takes_the_extension_from_the_content_type_and_keeps_names_inside_out(api, tmp_path, capsys):
    api.output_suffix, api.output_type = "", "image/webp"
    assert cli(api, "upload", str(image(tmp_path))) == 0
    asset_id = capsys.readouterr().out.strip()
    api.start_job([asset_id], "../../escape")
    assert cli(api, "wait", "1") == 0
    assert cli(api, "download", "1", "--out", str(tmp_path / "dl")) == 0
    assert capsys.readouterr().out.split()[-1] == str(tmp_path / "dl" / asset_id / "_.._escape.webp")


def test_run_with_a_recipe_waits_for_the_jobs_ingest_starts(api, tmp_path, capsys):
    api.recipes["cutout"] = {"name": "cutout"}
    files = [image(tmp_path, "a.jpg"), image(tmp_path, "b.jpg")]
    assert cli(api, "run", "--recipe", "cutout", "--out", str(tmp_path / "o"), *map(str, files)) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(printed) == [str(tmp_path / "o" / "a.png"), str(tmp_path / "o" / "b.png")]
    assert len(api.jobs) == 2 and api.count("POST", "/api/v1/assets/addons") == 0  # the server started them


def test_a_recipe_that_could_not_start_is_a_failed_file_not_a_wait(api, tmp_path, capsys):
    api.recipes["gone"] = {"error": "operations.0.bg_add.options.image_id: asset not found"}
    api.recipes["cutout"] = {"name": "cutout"}
    ok, stuck = image(tmp_path, "a.jpg"), image(tmp_path, "b.jpg")
    assert cli(api, "run", "--recipe", "cutout", "--out", str(tmp_path / "o"), str(ok)) == 0
    capsys.readouterr()
    assert cli(api, "--timeout", "600", "run", "--recipe", "gone", "--out", str(tmp_path / "o2"), str(stuck)) == 1
    err = capsys.readouterr().err
    assert f"failed: {stuck}: recipe not run: " in err and "image_id: asset not found" in err
    assert cli(api, "upload", "--recipe", "gone", str(stuck)) == 1
    assert cli(api, "upload", "--recipe", "cutout", str(ok)) == 0


def test_an_unknown_recipe_is_refused_before_any_upload(api, tmp_path, capsys):
    assert cli(api, "run", "--recipe", "nope", "--out", str(tmp_path / "o"), str(image(tmp_path))) == 2
    assert "recipe 'nope' not found" in capsys.readouterr().err
    assert api.count("POST", "/api/v1/assets") == 0 and api.assets == {}
    assert cli(api, "upload", "--recipe", "nope", str(image(tmp_path))) == 2  # upload has only the API's word
    err = capsys.readouterr().err
    assert "recipe 'nope' not found" in err and "at recipe: no such recipe" in err


def test_a_refused_request_exits_2_with_message_and_locations_before_any_upload(api, tmp_path, capsys):
    bad = {"operations": [{"bg_remove": {"options": {"mode": "people"}}}]}
    assert cli(api, "run", "--request", str(request_file(tmp_path, bad)), "--out", str(tmp_path / "o"),
               str(image(tmp_path))) == 2
    err = capsys.readouterr().err
    assert "POST /api/v1/assets/addons/image_graphics/validate was refused (400): invalid request" in err
    assert "at operations.0.bg_remove.options.mode: must be one of auto, portrait, product" in err
    assert "Traceback" not in err
    assert api.count("POST", "/api/v1/assets") == 1 and api.assets == {}  # the validate call only


@pytest.mark.parametrize("body, says", [
    ({"assets": [], "operations": []}, '"assets" must hold exactly one entry (it has 0)'),
    ({"assets": [{"a": {}}, {"b": {}}], "operations": []}, '"assets" must hold exactly one entry (it has 2)'),
    ({"assets": [{"a": {}}], "operations": [], "options": {}}, "give the asset options once"),
    ({"options": {}}, 'with "operations"'),
    ({"operations": [], "options": []}, '"options" must be an object'),
])
def test_a_bad_request_file_is_refused_before_anything_is_sent(api, tmp_path, capsys, body, says):
    assert cli(api, "run", "--request", str(request_file(tmp_path, body)), "--out", str(tmp_path),
               str(image(tmp_path))) == 2
    assert says in capsys.readouterr().err and api.calls == []


def test_missing_or_non_image_files_are_refused_before_anything_is_sent(api, tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert cli(api, "upload", str(image(tmp_path)), str(tmp_path / "missing.jpg")) == 2
    assert "missing.jpg: cannot read it" in capsys.readouterr().err
    assert cli(api, "upload", str(text)) == 2
    assert "not an image the API accepts" in capsys.readouterr().err
    assert api.calls == []


def test_a_refused_key_exits_3_and_says_so(api, tmp_path, capsys):
    assert cli(api, "upload", str(image(tmp_path)), key="wrong") == 3
    err = capsys.readouterr().err
    assert "the API key was refused (401 Unauthorized)" in err and "Traceback" not in err


def test_a_forbidden_key_exits_3(api, tmp_path, capsys):
    api.fail("POST", "/api/v1/assets", 403, body={"Message": "User is not authorized to access this resource"})
    assert cli(api, "upload", str(image(tmp_path))) == 3
    assert "not allowed to do this (403 User is not authorized" in capsys.readouterr().err


def test_a_wrong_stage_in_the_endpoint_is_named(api, tmp_path, capsys):
    assert main(["--endpoint", api.url + "/Prod", "--api-key", KEY, "wait", "1"]) == 3
    assert "no such route" in capsys.readouterr().err


def test_endpoint_and_key_come_from_the_environment(api, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IMAGEGRAPHICS_ENDPOINT", api.url)
    monkeypatch.setenv("IMAGEGRAPHICS_API_KEY", KEY)
    assert main(["upload", str(image(tmp_path))]) == 0
    monkeypatch.delenv("IMAGEGRAPHICS_API_KEY")
    assert main(["upload", str(image(tmp_path))]) == 2
    assert "no API key" in capsys.readouterr().err


def test_a_job_still_running_at_the_timeout_exits_1(api, tmp_path, capsys):
    assert cli(api, "upload", str(image(tmp_path))) == 0
    asset_id = capsys.readouterr().out.strip()
    api.start_job([asset_id] * 1000, "big")
    assert cli(api, "wait", "1", "--timeout", "0") == 1
    assert "job 1 is still QUEUED" in capsys.readouterr().err


def test_download_fetches_an_expired_url_anew(api, tmp_path, capsys):
    assert cli(api, "upload", str(image(tmp_path))) == 0
    api.start_job([capsys.readouterr().out.strip()], "x")
    assert cli(api, "wait", "1") == 0
    api.fail("GET", "/files/", 403, body={"message": "Request has expired"})
    assert cli(api, "download", "1", "--out", str(tmp_path / "dl")) == 0
    assert api.count("GET", "/files/") == 2
    assert png() == next((tmp_path / "dl").rglob("x.png")).read_bytes()
