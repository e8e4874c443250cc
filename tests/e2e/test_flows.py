"""The public API's examples end to end: upload, submit, wait, download, look at the pixels."""
from __future__ import annotations

import pytest
from PIL import Image

from local import samples

from tests.e2e.support import decode, png, upload_ready

pytestmark = pytest.mark.e2e


def _alpha_mean(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    alpha = image.convert("RGBA").getchannel("A").crop(box)
    return sum(alpha.histogram()[v] * v for v in range(256)) / (alpha.width * alpha.height)


def test_remove_background_as_conversion(alpha, portrait):
    job_id = alpha.submit({
        "assets": [{portrait: {"options": {"disposition": {"add_as_conversion": True, "conversion_name": "bg-removed"}}}}],
        "operations": [{"bg_remove": {"options": {"mode": "portrait"}}}],
    })
    status = alpha.wait_job(job_id)
    assert status["status"] == "OK", status
    assert status["error"] == []
    [output] = status["output"]
    assert output["asset_id"] == portrait and output["name"] == "bg-removed"
    image = decode(alpha.download(output["url"]))
    assert image.size == (256, 256) and image.mode == "RGBA"
    assert _alpha_mean(image, (0, 0, 12, 12)) < 10  # backdrop corner cut away
    assert _alpha_mean(image, (100, 24, 136, 56)) > 245  # the face kept
    conversions = {c["name"]: c for c in alpha.asset(portrait)["conversions"]}
    assert conversions["bg-removed"]["width"] == 256


def test_remove_background_as_new_asset_with_metadata(alpha, portrait, portrait_bytes):
    job_id = alpha.submit({
        "assets": [{portrait: {"options": {"disposition": {
            "create_asset": True, "mode": "APPEND", "data_schema_id": 1,
            "metadata": {"inherit": True, "inherit_fields": ["title"], "data": {"cutout": True}}}}}}],
        "operations": [{"bg_remove": {"options": {"mode": "auto", "strength": "high"}}}],
    })
    status = alpha.wait_job(job_id)
    assert status["status"] == "OK", status
    [output] = status["output"]
    assert output["asset_id"] != portrait
    created = alpha.asset(output["asset_id"])
    assert created["status"] == "READY"
    assert created["metadata"] == {"title": "Astronaut", "cutout": True}
    assert created["source_asset_id"] == portrait
    assert (created["filename"], created["data_schema_id"]) == ("astronaut.png", 1)
    assert decode(alpha.download(created["url"])).mode == "RGBA"
    original = alpha.asset(portrait)
    assert original["metadata"] == {"title": "Astronaut", "owner": "nasa"}
    assert (original["filename"], original["data_schema_id"]) == ("astronaut.jpg", None)
    assert alpha.download(original["url"]) == portrait_bytes  # the original is never touched


def test_full_flow_remove_background_graphics_border(alpha, portrait):
    green, red, navy = (20, 180, 60), (220, 20, 40), (20, 30, 120)
    background = upload_ready(alpha, "bg.png", samples.solid(300, 300, green), "image/png")
    badge = upload_ready(alpha, "badge.png", samples.solid(40, 40, red), "image/png")
    frame = Image.new("RGBA", (300, 300), navy + (255,))
    frame.paste((0, 0, 0, 0), (10, 10, 290, 290))
    border = upload_ready(alpha, "frame.png", png(frame), "image/png")
    job_id = alpha.submit({
        "assets": [{portrait: {"options": {
            "canvas": {"size": {"width": 300, "height": 300}},
            "size": {"width": 150, "height": 150},
            "position": {"x": 75, "y": 75},
            "disposition": {"add_as_conversion": True, "conversion_name": "image-graphics"}}}}],
        "operations": [
            {"bg_remove": {"options": {"mode": "portrait", "strength": "medium", "remove_artifacts": True}}},
            {"bg_add": {"options": {"image_id": background, "mode": "as-is", "size": {"width": 300, "height": 300}}}},
            {"graphics_add": {"graphics": [{"type": "image", "options": {
                "image_id": badge, "position": {"x": 20, "y": 20}, "size": {"width": 40, "height": 40}}}]}},
            {"border_add": {"options": {"image_id": border}}},
        ],
    })
    status = alpha.wait_job(job_id)
    assert status["status"] == "OK", status
    [output] = status["output"]
    assert output["name"] == "image-graphics"
    image = decode(alpha.download(output["url"])).convert("RGBA")
    assert image.size == (300, 300)

    def near(pixel, color):
        return all(abs(a - b) <= 8 for a, b in zip(pixel[:3], color)) and pixel[3] == 255

    assert near(image.getpixel((3, 150)), navy)  # border on top
    assert near(image.getpixel((40, 40)), red)  # the graphic
    assert near(image.getpixel((30, 270)), green)  # background outside the asset
    assert near(image.getpixel((80, 80)), green)  # the portrait's backdrop corner was removed
    assert not near(image.getpixel((140, 95)), green)  # the face is there


def test_job_with_a_failing_asset_reports_the_error(alpha, portrait):
    small_bg = upload_ready(alpha, "small.png", samples.solid(100, 100, (0, 0, 255)), "image/png")
    # Without a canvas or background size, the bound comes from the images: checked at render time.
    overflows = {"size": {"width": 80, "height": 80}, "position": {"x": 50, "y": 50}}
    fits = {"canvas": {"size": {"width": 100, "height": 100}},
            "size": {"width": 40, "height": 40}, "position": {"x": 10, "y": 10}}
    request = {
        "assets": [{portrait: {"options": {**overflows, "disposition": {
            "add_as_conversion": True, "conversion_name": "too-far"}}}}],
        "operations": [{"bg_remove": {"options": {}}}, {"bg_add": {"options": {"image_id": small_bg}}}],
    }
    status = alpha.wait_job(alpha.submit(request))
    assert status["status"] == "ERROR", status
    assert status["output"] == []
    [error] = status["error"]
    assert error["asset_id"] == portrait and "position" in error["error"]
    assert "too-far" not in {c["name"] for c in alpha.asset(portrait)["conversions"]}

    # One asset failing does not fail the others: the job is OK with one output and one error.
    ball = upload_ready(alpha, "ball.png", samples.product(100, 100), "image/png")
    request["assets"].append({ball: {"options": {**fits, "disposition": {
        "add_as_conversion": True, "conversion_name": "fits"}}}})
    status = alpha.wait_job(alpha.submit(request))
    assert status["status"] == "OK", status
    assert [o["asset_id"] for o in status["output"]] == [ball]
    assert [e["asset_id"] for e in status["error"]] == [portrait]
