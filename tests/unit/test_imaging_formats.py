"""Output formats (png, webp, jpeg) and the mask output: signatures, alpha, flattening, quality, mask pixels."""
import io

import numpy as np
import pytest
from PIL import Image
from pipeline_support import BG, GREEN, RED, Loader, RedIsForeground, png

from imagegraphics.errors import RenderFailed
from imagegraphics.imaging import render_asset
from imagegraphics.imaging.encode import encode, flatten_on_white
from imagegraphics.request import RequestLimits, parse_request
from imagegraphics.segmentation.segmenter import Matte

A = "a" * 32
SIGNATURES = {"png": lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
              "webp": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
              "jpeg": lambda d: d.startswith(b"\xff\xd8\xff")}


def subject_on_green(size=(60, 40), box=(20, 10, 40, 30)) -> bytes:
    image = Image.new("RGBA", size, GREEN)
    image.paste(RED, box)
    return png(image)


class SoftMatte:
    """A stand-in whose matte is the red channel: every level 0..255 appears in a ramp."""

    def matte(self, image, mode="auto", strength="medium", remove_artifacts=True):
        return Matte(np.asarray(image)[..., 0].copy(), "product")


def ramp(size=(256, 8)) -> bytes:
    red = np.tile(np.arange(size[0], dtype=np.uint8), (size[1], 1))
    pixels = np.stack([red, np.full_like(red, 40), np.full_like(red, 200)], -1)
    return png(Image.fromarray(pixels))


def rendered(options, operations, images, segmenter=None, limits=RequestLimits()):
    request = parse_request({"assets": [{A: {"options": options}}], "operations": operations}, limits)
    result = render_asset(request, 0, Loader(images), segmenter or RedIsForeground())
    return result, Image.open(io.BytesIO(result.data))


def cutout(fmt, **disposition):
    return rendered({"disposition": {"format": fmt, **disposition}}, [{"bg_remove": {}}], {A: subject_on_green()})


# -- signatures, content types, alpha ------------------------------------------------------
@pytest.mark.parametrize("fmt, content_type", [("png", "image/png"), ("webp", "image/webp"),
                                               ("jpeg", "image/jpeg")])
def test_each_format_has_its_signature_and_content_type(fmt, content_type):
    result, image = cutout(fmt)
    assert SIGNATURES[fmt](result.data) and result.content_type == content_type
    assert image.format == {"png": "PNG", "webp": "WEBP", "jpeg": "JPEG"}[fmt]
    assert (result.width, result.height) == image.size == (60, 40)


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_png_and_webp_keep_the_cutouts_alpha(fmt):
    result, image = cutout(fmt)
    assert result.has_alpha and image.mode == "RGBA"
    alpha = np.asarray(image.getchannel("A"))
    assert (alpha[10:30, 20:40] == 255).all()  # the subject: opaque
    assert alpha[:10].max() == 0 and alpha[:, :20].max() == 0  # the background: gone
    r, g, b, _ = image.getpixel((30, 20))
    assert r > 240 and g < 15 and b < 15  # webp is lossy: red stays red


@pytest.mark.parametrize("fmt", ["png", "webp", "jpeg"])
def test_an_opaque_result_is_written_without_alpha(fmt):
    result, image = rendered({"disposition": {"format": fmt}},
                             [{"bg_remove": {}}, {"bg_add": {"options": {"color": "#0000ff"}}}],
                             {A: subject_on_green()})
    assert not result.has_alpha and image.mode == "RGB"


def test_jpeg_is_flattened_on_white():
    result, image = rendered({"disposition": {"format": "jpeg", "quality": 95}}, [{"bg_remove": {}}],
                             {A: subject_on_green((64, 64), (16, 32, 48, 64))})
    assert not result.has_alpha and image.mode == "RGB"
    pixels = np.asarray(image, dtype=np.int16)
    # Where the background was removed: white, not black (the first 16 rows share no JPEG block with red).
    assert np.abs(pixels[:16] - 255).max() <= 2
    assert np.abs(pixels[36:60, 20:44] - [255, 0, 0]).max() <= 6  # the subject


def test_flatten_on_white_blends_partial_alpha_exactly():
    image = Image.new("RGBA", (2, 1), (255, 0, 0, 128))
    image.putpixel((1, 0), (0, 0, 0, 0))
    flat = flatten_on_white(image)
    assert flat.mode == "RGB" and [flat.getpixel((x, 0)) for x in range(2)] == [(255, 127, 127), (255, 255, 255)]


def noisy_photo(size=(192, 128)) -> Image.Image:
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:size[1], 0:size[0]]
    base = np.stack([x * 255 / size[0], y * 255 / size[1], (x + y) % 256], -1)
    return Image.fromarray(np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8))


@pytest.mark.parametrize("fmt", ["webp", "jpeg"])
def test_quality_is_monotone_in_bytes(fmt):
    photo = noisy_photo()
    sizes = [len(encode(photo, fmt, quality)[0]) for quality in (5, 30, 60, 90, 100)]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes), sizes


@pytest.mark.parametrize("fmt", ["webp", "jpeg"])
def test_the_requests_quality_reaches_the_encoder(fmt):
    data = png(noisy_photo().convert("RGBA"))
    low, _ = rendered({"disposition": {"format": fmt, "quality": 10}}, [{"bg_add": {"options": {"color": "#fff"}}}],
                      {A: data})
    high, _ = rendered({"disposition": {"format": fmt}}, [{"bg_add": {"options": {"color": "#fff"}}}], {A: data})
    assert len(low.data) < len(high.data)
    assert high.data == encode(noisy_photo(), fmt, 90)[0]  # the default quality is 90


def test_webp_refuses_a_side_past_its_limit():
    limits = RequestLimits(max_side=20000)
    with pytest.raises(RenderFailed) as exc:
        rendered({"canvas": {"size": {"width": 16384, "height": 2}}, "disposition": {"format": "webp"}},
                 [{"bg_remove": {}}], {A: subject_on_green((4, 2), (1, 0, 3, 2))}, limits=limits)
    assert exc.value.errors == [{"loc": ["assets", 0, A, "options", "disposition", "format"],
                                 "msg": "16384x2: webp images are at most 16383 pixels on a side"}]
    result, image = rendered({"canvas": {"size": {"width": 16384, "height": 2}}}, [{"bg_remove": {}}],
                             {A: subject_on_green((4, 2), (1, 0, 3, 2))}, limits=limits)
    assert image.size == (16384, 2)  # png has no such limit


# -- bg_remove output: mask ------------------------------------------------------------------
def test_mask_equals_the_cutouts_alpha_on_every_level():
    _, cut = rendered({}, [{"bg_remove": {}}], {A: ramp()}, SoftMatte())
    result, mask = rendered({}, [{"bg_remove": {"options": {"output": "mask"}}}], {A: ramp()}, SoftMatte())
    assert mask.mode == "L" and result.content_type == "image/png" and not result.has_alpha
    assert np.array_equal(np.asarray(mask), np.asarray(cut.getchannel("A")))
    assert sorted(set(np.asarray(mask)[0].tolist())) == list(range(256))


def test_mask_of_a_binary_subject():
    _, mask = rendered({}, [{"bg_remove": {"options": {"output": "mask"}}}], {A: subject_on_green()})
    expected = np.zeros((40, 60), np.uint8)
    expected[10:30, 20:40] = 255
    assert np.array_equal(np.asarray(mask), expected)


def test_mask_in_jpeg_is_grayscale_and_in_webp_equal_channels():
    _, jpeg = rendered({"disposition": {"format": "jpeg"}}, [{"bg_remove": {"options": {"output": "mask"}}}],
                       {A: subject_on_green()})
    assert jpeg.mode == "L" and jpeg.getpixel((30, 20)) >= 250 and jpeg.getpixel((2, 2)) <= 5
    _, webp = rendered({"disposition": {"format": "webp", "quality": 100}},
                       [{"bg_remove": {"options": {"output": "mask"}}}], {A: subject_on_green()})
    r, g, b = (np.asarray(c, dtype=np.int16) for c in webp.convert("RGB").split())
    assert np.abs(r - g).max() <= 2 and np.abs(r - b).max() <= 2 and r[20, 30] >= 250 and r[2, 2] <= 5


def test_mask_on_a_canvas_is_the_matte_where_the_asset_goes():
    options = {"canvas": {"size": {"width": 100, "height": 50}, "color": "#123456"}, "position": {"x": 5, "y": 3}}
    _, mask = rendered(options, [{"bg_remove": {"options": {"output": "mask"}}}], {A: subject_on_green()})
    expected = np.zeros((50, 100), np.uint8)
    expected[13:33, 25:45] = 255  # the subject at (20, 10) of the asset, the asset at (5, 3)
    assert mask.mode == "L" and np.array_equal(np.asarray(mask), expected)


def test_mask_with_crop_to_subject():
    _, mask = rendered({}, [{"bg_remove": {"options": {"output": "mask", "crop_to_subject": {"margin": 2}}}}],
                       {A: subject_on_green()})
    expected = np.zeros((24, 24), np.uint8)
    expected[2:22, 2:22] = 255
    assert np.array_equal(np.asarray(mask), expected)


def test_a_background_image_is_not_needed_by_a_mask():
    loader_images = {A: subject_on_green(), BG: subject_on_green()}
    result, _ = rendered({}, [{"bg_remove": {"options": {"output": "mask"}}}], loader_images)
    assert result.width == 60
