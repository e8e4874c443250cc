"""The client's URL inputs (naming, manifest keys, a URL the service refuses or rejects), `list`, `jobs`
and `delete`, against the fake API."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from imagegraphics_client.cli import parser
from imagegraphics_client.errors import UsageError
from imagegraphics_client.walk import find_inputs, url_stem

from tests.unit.client_fake import api, cli, creates, pauses  # noqa: F401 - fixtures

FLOW = {"operations": [{"bg_remove": {"options": {"mode": "product"}}}]}

def _image(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (10, 10), (10, 200, 10)).save(path, "JPEG")
    return path


@pytest.fixture
def request_file(tmp_path) -> Path:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(FLOW))
    return path


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / ".imagegraphics-manifest.jsonl").read_text().splitlines()]


# -- URL arguments: parsing and naming

@pytest.mark.parametrize("url, stem", [
    ("https://cdn.example.com/shop/shoes/red.jpg", "red"),
    ("https://cdn.example.com/shoes/red%20shoe.jpg?w=800#top", "red shoe"),
    ("https://cdn.example.com/shoes/red.tar.png", "red.tar"),
    ("https://cdn.example.com/img/sku-1/", "sku-1"),
    ("https://cdn.example.com/image", "image"),
    ("https://cdn.example.com/", "cdn.example.com"),
    ("https://cdn.example.com", "cdn.example.com"),
    ("http://127.0.0.1:8080/a/..", "127.0.0.1"),
    ("https://cdn.example.com/x/%2E%2E%2Fetc%2Fpasswd.jpg", "_etc_passwd"),
    ("https://cdn.example.com/a%00b%5Cc:d.png", "a_b_c_d"),
])
def test_a_url_is_named_after_the_stem_of_its_last_path_segment_made_safe(url, stem):
    assert url_stem(url) == stem
    assert "/" not in stem and not stem.startswith(".")


def test_urls_files_and_folders_are_taken_in_the_order_given_and_a_url_is_keyed_by_itself(tmp_path):
    photo = _image(tmp_path / "photos" / "shoes" / "blue.jpg")
    single = _image(tmp_path / "single.jpg")
    url = "https://cdn.example.com/shop/Red%20Shoe.JPG?v=2"
    found = find_inputs([url, str(tmp_path / "photos"), "HTTP://localhost:9000/b.png", str(single)])
    assert [(i.url, i.path, str(i.rel)) for i in found.inputs] == [
        (url, None, "Red Shoe"), (None, photo, "shoes/blue"), ("HTTP://localhost:9000/b.png", None, "b"),
        (None, single, "single")]
    first = found.inputs[0]
    assert (first.key, first.name, first.size, first.mtime_ns, first.content_type) == (url, url, None, None, None)
    assert found.inputs[1].key == str(photo.resolve()) and found.inputs[1].name == str(photo)


@pytest.mark.parametrize("bad", ["https://", "https:///a.png", "https://cdn.example.com/a b.png", "http://[::1/a.png"])
def test_a_url_without_a_host_is_refused_before_anything_is_sent(bad):
    with pytest.raises(UsageError, match="not a usable URL"):
        find_inputs([bad])


def test_run_accepts_urls_beside_files_and_upload_takes_them_too():
    args = parser().parse_args(["run", "--request", "r.json", "--out", "o", "https://a.example/x.jpg", "photos"])
    assert args.files == ["https://a.example/x.jpg", "photos"]
    assert parser().parse_args(["upload", "https://a.example/x.jpg"]).files == ["https://a.example/x.jpg"]


# -- URL arguments: run and upload

def test_run_creates_an_asset_from_the_url_without_reading_a_file_and_names_the_output_after_it(
        api, request_file, tmp_path, capsys):
    photo = _image(tmp_path / "photo.jpg")
    url = "https://cdn.example.com/catalogue/red%20shoe.jpg?w=800"
    out = tmp_path / "out"
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), url, str(photo)) == 0
    printed = capsys.readouterr().out.split("\n")
    assert str(out / "red shoe.png") in printed and str(out / "photo.png") in printed
    assert (out / "red shoe.png").is_file() and (out / "photo.png").is_file()
    by_url = [a for a in api.assets.values() if a.get("source_url")]
    assert [a["source_url"] for a in by_url] == [url]  # the url as given, fetched by the service
    assert api.count("POST", "/_upload/") == 1  # only the file went through an upload form
    lines = {line["input"]: line for line in _manifest(out) if line["outcome"] == "done"}
    assert lines[url]["outputs"] == ["red shoe.png"] and lines[url]["size"] is None
    assert lines[str(photo.resolve())]["outputs"] == ["photo.png"]

    before = creates(api)
    assert cli(api, "run", "--request", str(request_file), "--out", str(out), url, str(photo)) == 0
    assert creates(api) == before  # the rerun skips both: the url is found by its own key
    assert "2 of 2 files were done by an earlier run" in capsys.readouterr().err


def test_two_urls_with_one_last_segment_are_refused_before_anything_is_sent(api, request_file, tmp_path, capsys):
    first, second = "https://a.example/x/main.jpg", "https://b.example/y/main.png?v=1"
    assert cli(api, "run", "--request", str(request_file), "--out", str(tmp_path / "out"), first, second) == 2
    err = capsys.readouterr().err
    assert f"{first} and {second} would both be written to" in err and "different --out" in err
    assert creates(api) == 0


def test_a_url_the_service_rejects_is_reported_with_its_reason_and_exits_1(api, capsys):
    url = "https://cdn.example.com/missing.png"
    assert cli(api, "upload", url) == 1
    captured = capsys.readouterr()
    assert f"rejected: {url}: the URL answered 404" in captured.err
    [asset_id] = captured.out.split()
    assert api.assets[asset_id]["status"] == "REJECTED"


def test_a_url_the_service_refuses_fails_alone_and_the_rest_run(api, request_file, tmp_path, capsys):
    photo = _image(tmp_path / "photo.jpg")
    out = tmp_path / "out"
    code = cli(api, "--json", "run", "--request", str(request_file), "--out", str(out), "https://10.0.0.1/a.png",
               str(photo))
    assert code == 1
    captured = capsys.readouterr()
    assert "failed: https://10.0.0.1/a.png: the service refused the url (400): must be a URL of a public host" \
        in captured.err
    files = {f["input"]: f for f in json.loads(captured.out)["files"]}
    assert files["https://10.0.0.1/a.png"]["status"] == "failed" and files[str(photo)]["status"] == "done"


def test_upload_json_names_a_url_input_url(api, capsys):
    assert cli(api, "--json", "upload", "https://cdn.example.com/a.png") == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["url"] == "https://cdn.example.com/a.png" and entry["status"] == "READY" and "file" not in entry


# -- list and jobs

def _assets(api, count: int) -> list[str]:
    ids = [api.create_from_url({"url": f"https://cdn.example.com/{i}.png"})[1]["asset_id"] for i in range(count)]
    for asset_id in ids:
        api.assets[asset_id].update(status="READY", width=40, height=30, size=1234)
    return ids


def test_list_prints_a_table_newest_first(api, capsys):
    ids = _assets(api, 3)
    api.assets[ids[0]].update(status="REJECTED", reason="the URL answered 404")
    assert cli(api, "list") == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ASSET", "ID", "STATUS", "CREATED", "(UTC)", "PIXELS", "BYTES", "FILENAME", "FROM", "/",
                              "REASON"]
    assert [row.split()[0] for row in rows] == ids[::-1]
    assert rows[0].split()[1:6] == ["READY", "2026-01-01", "00:00:02", "40x30", "1,234"]
    assert rows[-1].endswith("the URL answered 404; https://cdn.example.com/0.png")


def test_list_follows_next_until_limit_and_all_follows_it_to_the_end(api, capsys):
    ids = _assets(api, 7)
    api.page_max = 3
    assert cli(api, "list", "--ids", "--limit", "5") == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ids[::-1][:5]
    assert [q["limit"] for q in api.list_queries] == ["5", "2"]  # a second page, for what the first lacked
    assert "5 assets shown" in captured.err and "--next 5" in captured.err
    assert cli(api, "list", "--ids", "--next", "5") == 0
    assert capsys.readouterr().out.split() == ids[::-1][5:]
    api.list_queries.clear()
    assert cli(api, "--json", "list", "--all") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [a["asset_id"] for a in listed["assets"]] == ids[::-1] and listed["next"] is None
    assert len(api.list_queries) == 3


def test_list_passes_its_filters_and_says_when_nothing_matches(api, capsys):
    source = _assets(api, 1)[0]
    assert cli(api, "list", "--status", "rejected", "--source-asset-id", source) == 0
    assert api.list_queries[-1] == {"limit": "50", "status": "REJECTED", "source_asset_id": source}
    captured = capsys.readouterr()
    assert captured.out == "" and "no assets match" in captured.err


@pytest.mark.parametrize("args", [["list", "--status", "DONE"], ["list", "--limit", "0"],
                                  ["list", "--limit", "3", "--all"], ["jobs", "--status", "READY"]])
def test_bad_list_options_exit_2_before_any_call(api, args, capsys):
    try:
        code = cli(api, *args)
    except SystemExit as exc:  # argparse's own refusal
        code = exc.code
    assert code == 2 and not api.list_queries


def test_jobs_prints_status_counts_and_times(api, capsys):
    api.start_job(["a" * 32, "b" * 32], "image-graphics")
    api.start_job(["c" * 32], "image-graphics")
    assert cli(api, "jobs", "--status", "ok") == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split()[:6] == ["JOB", "ID", "STATUS", "TOTAL", "DONE", "SUCCEEDED"]
    assert [row.split() for row in rows] == [
        ["2", "OK", "1", "1", "1", "0", "2026-01-01", "00:00:00", "2026-01-01", "00:00:09"],
        ["1", "OK", "2", "2", "2", "0", "2026-01-01", "00:00:00", "2026-01-01", "00:00:09"]]
    assert api.list_queries[-1]["status"] == "OK"


# -- delete

def test_delete_prints_what_was_deleted_and_goes_on_past_a_missing_id(api, capsys):
    first, second = _assets(api, 2)
    api.assets[first]["conversions"] = ["cutout", "white"]
    missing = "0" * 32
    assert cli(api, "delete", first, missing, second) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"deleted {first}: 2 conversions (cutout, white), 3 files",
                                         f"deleted {second}: 0 conversions, 1 file"]
    assert f"not deleted: {missing}: no such asset for this key" in captured.err
    assert api.assets == {}


def test_delete_cascade_deletes_derived_assets_and_without_it_they_are_kept(api, capsys):
    source, other = _assets(api, 2)
    made = _assets(api, 2)
    for asset_id in made:
        api.assets[asset_id]["source_asset_id"] = source
    assert cli(api, "delete", other, source) == 0
    assert set(api.assets) == set(made)  # kept without --cascade
    capsys.readouterr()
    api.assets[made[0]]["source_asset_id"] = made[1]  # a chain: made[1] -> made[0]
    assert cli(api, "delete", "--cascade", made[1], made[0]) == 0
    captured = capsys.readouterr()
    assert f"deleted {made[0]}: 0 conversions, 1 file, made from {made[1]}" in captured.out
    assert f"{made[0]}: deleted already with {made[1]} (--cascade)" in captured.err
    assert api.assets == {} and api.count("DELETE", "/api/v1/assets") == 3  # none for the id its cascade took


def test_delete_without_cascade_names_the_kept_derived_assets(api, capsys):
    source, made = _assets(api, 2)
    api.assets[made]["source_asset_id"] = source
    assert cli(api, "--json", "delete", source) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"deleted": [{"asset_id": source, "conversions": [], "objects": 1}],
                                        "kept_derived": [made], "failed": []}
    assert f"kept {made}: made from {source}; --cascade deletes it too" in captured.err


def test_delete_refuses_no_ids_and_a_malformed_one_before_deleting_anything(api, capsys):
    [asset_id] = _assets(api, 1)
    with pytest.raises(SystemExit) as exc:
        cli(api, "delete")
    assert exc.value.code == 2
    assert cli(api, "delete", asset_id, "photo.jpg") == 2
    assert "not an asset id (32 lowercase hex characters): photo.jpg; nothing was deleted" in capsys.readouterr().err
    assert asset_id in api.assets and api.count("DELETE", "/api/v1/assets") == 0
