"""render_asset, where the asset lands: canvas, position, crop, size and pixel limits, on pixel values."""
import io

import numpy as np
import pytest
from PIL import Image
from pipeline_support import A, BLUE, FRAME, GREEN, RED, WHITE, render, size, solid, stripes

from imagegraphics.errors import RenderFailed
from imagegraphics.imaging import RenderLimits


def test_asset_is_centred_on_the_canvas_by_default():
    result, out = render({"canvas": {"size": size(30, 20), "color": "#ffffff"}},
                         [{"border_add": {"options": {"image_id": FRAME}}}],
                         {A: solid((10, 10)), FRAME: solid((4, 4), (0, 0, 0, 0))})
    assert out.size == (30, 20) and not result.has_alpha
    assert out.getpixel((10, 5)) == RED and out.getpixel((19, 14)) == RED
    assert out.getpixel((9, 5)) == WHITE and out.getpixel((20, 14)) == WHITE


def test_position_places_the_asset_top_left_corner():
    _, out = render({"canvas": {"size": size(30, 20), "color": "#fff"}, "position": {"x": 2, "y": 3}},
                    [{"bg_add": {"options": {"color": "#00ff00"}}}], {A: solid((10, 10))})
    assert out.getpixel((2, 3)) == RED and out.getpixel((11, 12)) == RED
    assert out.getpixel((1, 3)) == WHITE and out.getpixel((12, 12)) == WHITE


def test_position_bound_is_checked_when_sizes_come_from_images():
    with pytest.raises(RenderFailed) as err:
        render({"canvas": {}, "position": {"x": 15, "y": 0}},
               [{"bg_add": {"options": {"color": "#00ff00", "size": size(20, 20)}}}], {A: solid((10, 10))})
    assert err.value.errors[0]["loc"][:5] == ["assets", 0, A, "options", "position"]


def test_transparent_canvas():
    result, out = render({"canvas": {"size": size(30, 20)}},
                         [{"border_add": {"options": {"image_id": FRAME}}}],
                         {A: solid((10, 10)), FRAME: solid((2, 2), (0, 0, 0, 0))})
    assert result.has_alpha
    assert out.getpixel((0, 0))[3] == 0 and out.getpixel((15, 10)) == RED


def test_canvas_is_laid_over_the_background():
    _, out = render({"canvas": {"size": size(30, 30), "color": "#0000ff80"}},
                    [{"bg_add": {"options": {"color": "#00ff00"}}}], {A: solid((10, 10))})
    assert out.size == (30, 30)
    assert out.getpixel((0, 0)) == (0, 127, 128, 255)  # half-transparent blue canvas over green
    assert out.getpixel((15, 15)) == RED


def test_smaller_canvas_is_centred_on_a_larger_background():
    _, out = render({"canvas": {"size": size(10, 10), "color": "#ffffff"}},
                    [{"bg_add": {"options": {"color": "#00ff00", "size": size(30, 30)}}}],
                    {A: solid((4, 4))})
    assert out.getpixel((2, 2)) == GREEN and out.getpixel((11, 11)) == WHITE
    assert out.getpixel((15, 15)) == RED


def test_crop_is_applied_first_relative_to_the_original():
    _, out = render({"crop": {"left": 20, "top": 0, "right": 40, "bottom": 20}, "size": size(10, 10)},
                    [{"border_add": {"options": {"image_id": FRAME}}}],
                    {A: stripes((40, 20), RED, BLUE), FRAME: solid((1, 1), (0, 0, 0, 0))})
    assert out.size == (10, 10)
    assert out.getpixel((0, 0)) == BLUE and out.getpixel((9, 9)) == BLUE


def test_crop_outside_the_image_is_a_render_error():
    with pytest.raises(RenderFailed) as err:
        render({"crop": {"left": 0, "top": 0, "right": 50, "bottom": 5}},
               [{"bg_add": {"options": {"color": "#fff"}}}], {A: solid((40, 20))})
    assert err.value.errors[0]["loc"] == ["assets", 0, A, "options", "crop"]


def test_size_fits_inside_keeping_aspect():
    _, out = render({"size": size(10, 10)}, [{"bg_add": {"options": {"color": "#fff"}}}],
                    {A: solid((40, 20))})
    assert out.size == (10, 5) and out.getpixel((5, 2)) == RED


def test_output_pixel_limit():
    with pytest.raises(RenderFailed) as err:
        render({"canvas": {"size": size(20, 20)}}, [{"bg_add": {"options": {"color": "#fff"}}}],
               {A: solid((4, 4))}, limits=RenderLimits(max_output_pixels=399))
    assert err.value.errors[0]["loc"] == ["assets", 0, A, "options", "canvas", "size"]


def jpeg_photo(size) -> bytes:
    """Smooth gradients with fine noise: a stand-in for a camera photo."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    pixels = np.stack([x / size[0] * 255, y / size[1] * 255, (x + y) % 256], -1)
    pixels += rng.normal(0, 6, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def test_shrinking_a_jpeg_decodes_at_reduced_scale_with_the_same_result():
    data = jpeg_photo((1600, 1200))
    options = {"crop": {"left": 400, "top": 300, "right": 1600, "bottom": 1200}, "size": size(150, 150)}
    _, out = render(options, [{"bg_add": {"options": {"color": "#fff"}}}], {A: data})
    full = Image.open(io.BytesIO(data)).convert("RGB").crop((400, 300, 1600, 1200))
    expected = np.asarray(full.resize((150, 112), Image.Resampling.LANCZOS), dtype=float)
    assert out.size == (150, 112)
    assert np.abs(np.asarray(out.convert("RGB"), dtype=float) - expected).mean() < 2.0


def test_crop_stays_exact_at_reduced_scale():
    image = Image.new("RGB", (1600, 1200), RED[:3])
    image.paste(BLUE[:3], (800, 0, 1600, 1200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    options = {"crop": {"left": 800, "top": 0, "right": 1600, "bottom": 1200}, "size": size(100, 100)}
    _, out = render(options, [{"bg_add": {"options": {"color": "#fff"}}}], {A: buffer.getvalue()})
    pixels = np.asarray(out.convert("RGB"), dtype=int)
    assert out.size == (67, 100) and pixels[..., 0].max() < 40 and pixels[..., 2].min() > 200
