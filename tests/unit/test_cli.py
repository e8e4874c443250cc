"""`python -m imagegraphics render` on local files."""
import json
import subprocess
import sys

import pytest
from PIL import Image

from imagegraphics.cli import main

A, FRAME = "a" * 32, "f" * 32


def write_request(tmp_path, operations, options=None, asset=A):
    path = tmp_path / "req.json"
    path.write_text(json.dumps({"assets": [{asset: {"options": options or {}}}], "operations": operations}))
    return path


def photo(tmp_path, name="photo.png", size=(10, 10), color=(255, 0, 0)):
    path = tmp_path / name
    Image.new("RGB", size, color).save(path)
    return path


def test_render_writes_one_png_per_asset(tmp_path, capsys):
    ring = Image.new("RGBA", (10, 10), (0, 0, 255, 255))
    ring.paste((0, 0, 0, 0), (1, 1, 9, 9))
    ring.save(tmp_path / "ring.png")
    background = {"color": "#ffffff", "size": {"width": 30, "height": 20}}
    request = write_request(tmp_path, [{"bg_add": {"options": background}},
                                       {"border_add": {"options": {"image_id": FRAME}}}],
                            {"disposition": {"add_as_conversion": True, "conversion_name": "web"}})
    code = main(["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path)}",
                 "--asset", f"{FRAME}={tmp_path / 'ring.png'}", "--out", str(tmp_path / "out")])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["status"] == "OK" and summary["error"] == []
    out = Image.open(tmp_path / "out" / A / "web.png")
    assert out.size == (30, 20) and summary["output"][0]["path"].endswith(f"{A}/web.png")
    assert out.getpixel((0, 0)) == (0, 0, 255) and out.getpixel((15, 10)) == (255, 0, 0)
    assert out.getpixel((5, 10)) == (255, 255, 255)


def test_missing_image_is_reported_like_the_api(tmp_path, capsys):
    request = write_request(tmp_path, [{"border_add": {"options": {"image_id": FRAME}}}])
    code = main(["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path)}",
                 "--out", str(tmp_path / "out")])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["status"] == "ERROR" and summary["output"] == []
    error = summary["error"][0]
    assert error["status"] == 404 and error["asset_id"] == A
    assert error["error"]["errors"][0]["loc"] == ["operations", 0, "border_add", "options", "image_id"]
    assert not (tmp_path / "out").exists()


def test_file_image_url_is_read_http_is_refused(tmp_path, capsys):
    logo = photo(tmp_path, "logo.png", (2, 2), (0, 255, 0))
    graphics = [{"type": "image", "options": {"image_url": f"file://{logo}"}}]
    request = write_request(tmp_path, [{"graphics_add": {"graphics": graphics}}])
    assert main(["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path)}",
                 "--out", str(tmp_path / "out")]) == 0
    assert Image.open(tmp_path / "out" / A / "image-graphics.png").getpixel((5, 5)) == (0, 255, 0)
    capsys.readouterr()
    graphics[0]["options"]["image_url"] = "https://example.com/logo.png"
    request = write_request(tmp_path, [{"graphics_add": {"graphics": graphics}}])
    assert main(["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path)}"]) == 2
    body = json.loads(capsys.readouterr().err)
    assert body["errors"][0]["loc"][:4] == ["operations", 0, "graphics_add", "graphics"]


def test_invalid_request_prints_the_error_body(tmp_path, capsys):
    request = write_request(tmp_path, [{"sharpen": {}}])
    code = main(["render", "--request", str(request), "--out", str(tmp_path / "out")])
    body = json.loads(capsys.readouterr().err)
    assert code == 2 and body["message"] and body["errors"][0]["loc"][0] == "operations"


def test_unreadable_request_file(tmp_path, capsys):
    (tmp_path / "req.json").write_text("{not json")
    assert main(["render", "--request", str(tmp_path / "req.json")]) == 2
    assert json.loads(capsys.readouterr().err)["errors"] == [{"loc": [], "msg": "the request body must be valid JSON"}]


def test_output_that_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    request = write_request(tmp_path, [{"bg_add": {"options": {"color": "#00ff00"}}}])
    (tmp_path / "file").write_text("not a folder")
    code = main(["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path)}",
                 "--out", str(tmp_path / "file" / "x")])
    captured = capsys.readouterr()
    body = json.loads(captured.err)
    assert code == 3 and captured.out == "" and body["message"] == "cannot write the output"
    [error] = body["errors"]
    assert error["loc"] == ["--out"] and error["msg"].startswith(str(tmp_path / "file"))
    assert "Not a directory" in error["msg"]


def test_module_entry_point(tmp_path):
    request = write_request(tmp_path, [{"bg_add": {"options": {"color": "#00ff00"}}}])
    done = subprocess.run(
        [sys.executable, "-m", "imagegraphics", "render", "--request", str(request),
         "--asset", f"{A}={photo(tmp_path)}", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "out" / A / "image-graphics.png").size == (10, 10)


def test_no_foreground_is_an_error_with_exit_1_and_nothing_written(tmp_path, capsys):
    request = write_request(tmp_path, [{"bg_remove": {"options": {"mode": "product"}}}])
    code = main(["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path, size=(120, 90))}",
                 "--out", str(tmp_path / "out")])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["status"] == "ERROR" and summary["output"] == []
    [error] = summary["error"]
    assert (error["status"], error["code"]) == (422, "unknown_foreground")
    assert error["error"]["message"].startswith("no foreground found")
    assert error["error"]["errors"][0]["loc"] == ["operations", 0, "bg_remove"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option, value, words", [
    ("--models-dir", "no-such-folder", "no such folder"),
    ("--max-pixels", "0", "must be at least 1"),
    ("--max-pixels", "-1", "must be at least 1"),
    ("--max-side", "0", "must be at least 1"),
    ("--max-side", "ten", "expected a whole number"),
])
def test_a_mistyped_option_is_a_usage_error_and_nothing_is_written(tmp_path, capsys, option, value, words):
    request = write_request(tmp_path, [{"bg_remove": {}}])
    args = ["render", "--request", str(request), "--asset", f"{A}={photo(tmp_path)}", "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as exc:
        main([*args, option, str(tmp_path / value) if option == "--models-dir" else value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert option in err and words in err and not (tmp_path / "out").exists()
