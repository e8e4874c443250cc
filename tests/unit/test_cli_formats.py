"""`python -m imagegraphics render` writes each asset in its disposition.format, named by extension."""
import json

import pytest
from PIL import Image

from imagegraphics.cli import main

A, B = "a" * 32, "b" * 32


@pytest.mark.parametrize("fmt, extension, pil_format", [
    ("png", "png", "PNG"), ("webp", "webp", "WEBP"), ("jpeg", "jpg", "JPEG")])
def test_the_file_extension_and_content_follow_the_format(tmp_path, capsys, fmt, extension, pil_format):
    Image.new("RGB", (12, 8), (255, 0, 0)).save(tmp_path / "photo.png")
    request = {"assets": [{A: {"options": {"disposition": {"conversion_name": "web", "format": fmt}}}}],
               "operations": [{"bg_add": {"options": {"color": "#ffffff", "size": {"width": 20, "height": 10}}}}]}
    (tmp_path / "req.json").write_text(json.dumps(request))
    code = main(["render", "--request", str(tmp_path / "req.json"), "--asset", f"{A}={tmp_path / 'photo.png'}",
                 "--out", str(tmp_path / "out")])
    summary = json.loads(capsys.readouterr().out)
    path = tmp_path / "out" / A / f"web.{extension}"
    assert code == 0 and summary["output"][0]["path"] == str(path)
    assert summary["output"][0]["content_type"] == f"image/{fmt}"
    with Image.open(path) as image:
        assert image.format == pil_format and image.size == (20, 10)
        assert image.convert("RGB").getpixel((10, 5))[0] > 240
    assert [p.name for p in (tmp_path / "out" / A).iterdir()] == [f"web.{extension}"]


def test_each_asset_keeps_its_own_format(tmp_path, capsys):
    Image.new("RGB", (6, 6), (0, 0, 255)).save(tmp_path / "photo.png")
    request = {"assets": [{A: {"options": {"disposition": {"format": "jpeg", "quality": 50}}}},
                          {B: {"options": {"disposition": {"format": "webp"}}}}],
               "operations": [{"bg_add": {"options": {"color": "#ffffff"}}}]}
    (tmp_path / "req.json").write_text(json.dumps(request))
    assert main(["render", "--request", str(tmp_path / "req.json"), "--asset", f"{A}={tmp_path / 'photo.png'}",
                 "--asset", f"{B}={tmp_path / 'photo.png'}", "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert (tmp_path / "out" / A / "image-graphics.jpg").is_file()
    assert (tmp_path / "out" / B / "image-graphics.webp").is_file()


def test_quality_with_png_is_a_request_error(tmp_path, capsys):
    Image.new("RGB", (6, 6)).save(tmp_path / "photo.png")
    request = {"assets": [{A: {"options": {"disposition": {"quality": 50}}}}],
               "operations": [{"bg_add": {"options": {"color": "#ffffff"}}}]}
    (tmp_path / "req.json").write_text(json.dumps(request))
    assert main(["render", "--request", str(tmp_path / "req.json"), "--asset", f"{A}={tmp_path / 'photo.png'}",
                 "--out", str(tmp_path / "out")]) == 2
    body = json.loads(capsys.readouterr().err)
    assert body["errors"] == [{"loc": ["assets", 0, A, "options", "disposition", "quality"],
                               "msg": "applies only to format webp or jpeg (png is lossless)"}]
    assert not (tmp_path / "out").exists()
