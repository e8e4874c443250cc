"""Layer primitives, checked on pixel values."""
import io

import numpy as np
import pytest
from PIL import Image

from imagegraphics.errors import RenderFailed
from imagegraphics.imaging import compose
from imagegraphics.imaging.encode import encode_png
from imagegraphics.imaging.geometry import centred, check_crop, cover_box, fit_inside, scale_box
from imagegraphics.imaging.tiles import RESAMPLE, hidden_under

RED, GREEN, BLUE, WHITE = (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255), (255, 255, 255, 255)


def px(image, xy):
    return image.convert("RGBA").getpixel(xy)


def halves(size, left, right):
    """An RGBA image whose left half is one colour and right half another."""
    image = Image.new("RGBA", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


@pytest.mark.parametrize("size, box, expected", [
    ((400, 200), (100, 100), (100, 50)),    # downscale, width-bound
    ((200, 400), (100, 100), (50, 100)),    # downscale, height-bound
    ((10, 20), (100, 100), (50, 100)),      # upscale too
    ((300, 100), (300, 100), (300, 100)),
])
def test_fit_inside_keeps_aspect(size, box, expected):
    assert fit_inside(size, box) == expected


def test_cover_box_and_centred():
    assert cover_box((400, 200), (100, 100)) == (100, 0, 300, 200)  # centre square of a wide image
    assert centred((10, 10), (30, 20)) == (10, 5)
    assert centred((40, 10), (30, 10)) == (-5, 0)


def test_crop_outside_the_image_names_the_field():
    with pytest.raises(RenderFailed) as err:
        check_crop((0, 0, 11, 5), (10, 10), ("assets", 0, "a", "options", "crop"))
    assert err.value.errors[0]["loc"] == ["assets", 0, "a", "options", "crop"]
    assert "10x10" in err.value.errors[0]["msg"]


def test_scale_box():
    assert scale_box((800, 0, 1600, 1200), (1600, 1200), (400, 300)) == (200, 0, 400, 300)
    assert scale_box((1, 1, 2, 2), (100, 100), (10, 10)) == (0, 0, 1, 1)  # never empty


def test_paste_over_clips_and_blends():
    base = compose.fill((4, 4), WHITE)
    layer = Image.new("RGBA", (4, 4), (255, 0, 0, 128))
    out = compose.paste_over(base, layer, (2, 3))
    assert px(out, (0, 0)) == WHITE
    assert px(out, (3, 3)) == (255, 127, 127, 255)


def test_background_stretch_fills_exactly():
    bg = halves((20, 10), RED, BLUE)
    out = compose.background((40, 40), None, bg, "stretch")
    assert out.size == (40, 40)
    assert px(out, (5, 5)) == RED and px(out, (35, 35)) == BLUE


def test_background_as_is_covers_keeping_aspect():
    # 20x10 red|blue halves covering 40x40: scaled to 80x40, the centre 40 columns kept,
    # so the left half of the output is red and the right half blue, no bands, no distortion.
    bg = halves((20, 10), RED, BLUE)
    out = compose.background((40, 40), GREEN, bg, "as-is")
    assert out.size == (40, 40)
    assert px(out, (2, 20)) == RED and px(out, (37, 20)) == BLUE
    assert px(out, (2, 0)) == RED  # covered to the edge: no green band


def test_background_colour_shows_through_transparent_image():
    bg = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    assert px(compose.background((10, 10), GREEN, bg, "stretch"), (5, 5)) == GREEN


def test_background_behind_an_opaque_subject_is_only_painted_where_seen():
    rng = np.random.default_rng(2)
    bg = Image.fromarray(rng.integers(0, 256, (50, 70, 3), dtype=np.uint8))
    subject = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    subject.paste((9, 9, 9, 255), (0, 0, 300, 300))  # opaque left part, transparent right
    whole = compose.background((400, 300), None, bg, "as-is")
    partial = compose.background((400, 300), None, bg, "as-is", hidden_under(subject, (0, 0)))
    seen = np.asarray(partial, dtype=int)[:, 300:]
    assert np.abs(seen - np.asarray(whole, dtype=int)[:, 300:]).max() <= 2
    assert np.asarray(partial)[:128, :256].max() == 0  # fully hidden tiles are not painted
    final = [compose.paste_over(frame.copy(), subject, (0, 0)) for frame in (whole, partial)]
    assert np.abs(np.asarray(final[0], dtype=int) - np.asarray(final[1], dtype=int)).max() <= 2


def test_tint_recolours_keeping_alpha():
    graphic = Image.new("RGBA", (2, 1), (10, 20, 30, 255))
    graphic.putpixel((1, 0), (10, 20, 30, 100))
    out = compose.tint(graphic, (0, 0, 255, 255))
    assert px(out, (0, 0)) == (0, 0, 255, 255) and px(out, (1, 0)) == (0, 0, 255, 100)
    half = compose.tint(graphic, (0, 0, 255, 128))
    assert half.getpixel((0, 0))[3] == 128 and half.getpixel((1, 0))[3] == 50


def test_border_is_stretched_to_the_frame():
    frame = compose.fill((100, 50), WHITE)
    ring = Image.new("RGBA", (10, 10), RED)
    ring.paste((0, 0, 0, 0), (1, 1, 9, 9))  # 1px red ring, transparent inside
    out = compose.border(frame, ring)
    assert out.size == (100, 50)
    assert px(out, (1, 1)) == RED and px(out, (98, 48)) == RED
    assert px(out, (50, 25)) == WHITE


def test_border_tiles_join_seamlessly():
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    pixels[5:30, 8:45, 3] = 0  # a transparent middle, so some tiles are skipped
    source = Image.fromarray(pixels)
    for size in ((700, 600), (31, 20)):  # enlarging and shrinking
        frame = compose.fill(size, WHITE)
        tiled = np.asarray(compose.border(frame, source), dtype=int)
        whole = Image.new("RGB", size, WHITE[:3])
        whole.paste(stretched := source.resize(size, RESAMPLE), (0, 0), stretched)
        assert np.abs(tiled - np.asarray(whole, dtype=int)).max() <= 2  # rounding only, no seams


def test_apply_alpha_multiplies_existing_alpha():
    image = Image.new("RGBA", (2, 1), (9, 9, 9, 128))
    out = compose.apply_alpha(image, np.array([[1.0, 0.5]], dtype=np.float32))
    assert [px(out, (x, 0))[3] for x in range(2)] == [128, 64]
    assert compose.apply_alpha(Image.new("RGB", (1, 1)), np.zeros((1, 1))).getpixel((0, 0)) == (0, 0, 0, 0)


def test_png_is_rgb_when_opaque_and_rgba_when_not():
    data, alpha = encode_png(Image.new("RGBA", (3, 3), (1, 2, 3, 255)))
    decoded = Image.open(io.BytesIO(data))
    assert (alpha, decoded.format, decoded.mode) == (False, "PNG", "RGB")
    data, alpha = encode_png(Image.new("RGBA", (3, 3), (1, 2, 3, 10)))
    decoded = Image.open(io.BytesIO(data))
    assert (alpha, decoded.mode, decoded.getpixel((0, 0))) == (True, "RGBA", (1, 2, 3, 10))
