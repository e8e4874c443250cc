"""render_asset: every rule of the request, checked on pixel values of the PNG it returns."""
import io

import numpy as np
import pytest
from PIL import Image

from imagegraphics.errors import AssetMissing, ImageRejected, RenderFailed
from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.request import parse_request
from imagegraphics.segmentation.segmenter import Matte

A, BG, G1, G2, FRAME = ("a" * 32, "b" * 32, "c" * 32, "d" * 32, "e" * 32)
RED, GREEN, BLUE, WHITE = (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255), (255, 255, 255, 255)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def solid(size, color=RED) -> bytes:
    return png(Image.new("RGBA", size, color))


def stripes(size, *colors) -> bytes:
    """Vertical stripes of equal width, left to right."""
    image = Image.new("RGBA", size)
    step = size[0] // len(colors)
    for i, color in enumerate(colors):
        image.paste(color, (i * step, 0, (i + 1) * step, size[1]))
    return png(image)


def ring(size=(10, 10)) -> bytes:
    image = Image.new("RGBA", size, RED)
    image.paste((0, 0, 0, 0), (1, 1, size[0] - 1, size[1] - 1))
    return png(image)


class Loader:
    def __init__(self, images: dict[str, bytes]):
        self.images, self.calls = images, []

    def load(self, asset_id):
        self.calls.append(asset_id)
        if asset_id not in self.images:
            raise AssetMissing(f"asset {asset_id} not found")
        return self.images[asset_id]

    def load_url(self, url):
        return self.load(url)


class RedIsForeground:
    """Deterministic stand-in for the model: foreground wherever red dominates."""

    def __init__(self, choice="portrait"):
        self.seen, self.choice = [], choice

    def matte(self, image, mode="auto", strength="medium", remove_artifacts=True):
        self.seen.append((image.mode, image.size, mode, strength, remove_artifacts))
        rgb = np.asarray(image, dtype=np.float32)
        return Matte((rgb[..., 0] > 128).astype(np.float32), self.choice, {"refine": 0.0})


def render(options, operations, images, segmenter=None, limits=RenderLimits()):
    request = parse_request({"assets": [{A: {"options": options}}], "operations": operations})
    result = render_asset(request, 0, Loader(images), segmenter or RedIsForeground(), limits)
    image = Image.open(io.BytesIO(result.data))
    assert (result.width, result.height) == image.size and result.content_type == "image/png"
    return result, image.convert("RGBA")


def size(w, h):
    return {"width": w, "height": h}


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


def test_background_as_is_covers_and_stretch_distorts():
    images = {A: solid((2, 2)), BG: stripes((30, 10), RED, GREEN, BLUE)}
    op = {"image_id": BG, "size": size(40, 40)}
    _, as_is = render({}, [{"bg_add": {"options": {**op, "mode": "as-is"}}}], images)
    _, stretch = render({}, [{"bg_add": {"options": {**op, "mode": "stretch"}}}], images)
    assert as_is.getpixel((2, 2)) == GREEN and as_is.getpixel((37, 37)) == GREEN  # centre stripe covers
    assert stretch.getpixel((2, 2)) == RED and stretch.getpixel((37, 37)) == BLUE


def test_background_defaults_to_the_asset_size():
    _, out = render({}, [{"bg_add": {"options": {"image_id": BG}}}],
                    {A: solid((12, 8), (0, 0, 0, 0)), BG: solid((100, 100), BLUE)})
    assert out.size == (12, 8) and out.getpixel((6, 4)) == BLUE


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


def test_graphics_in_order_at_position_with_tint_and_default_centring():
    graphics = [
        {"type": "image", "options": {"image_id": G1, "position": {"x": 0, "y": 0}}},
        {"type": "image", "options": {"image_id": G1, "position": {"x": 5, "y": 5}, "color": "#00ff00"}},
        {"type": "image", "options": {"image_id": G2, "size": size(4, 4)}},
    ]
    images = {A: solid((1, 1), WHITE), G1: solid((10, 10), RED), G2: solid((8, 4), BLUE)}
    _, out = render({"canvas": {"size": size(20, 20), "color": "#ffffff"}},
                    [{"graphics_add": {"graphics": graphics}}], images)
    assert out.getpixel((2, 2)) == RED
    assert out.getpixel((7, 6)) == GREEN and out.getpixel((14, 14)) == GREEN  # later graphic on top, tinted
    # G2 8x4 fitted into 4x4 -> 4x2, centred on 20x20 -> x 8..11, y 9..10
    assert out.getpixel((8, 9)) == BLUE and out.getpixel((11, 10)) == BLUE
    assert out.getpixel((8, 8)) == GREEN and out.getpixel((12, 9)) == GREEN
    assert out.getpixel((16, 16)) == WHITE


def test_graphic_outside_the_output_is_refused():
    graphics = [{"type": "image", "options": {"image_id": G1, "position": {"x": 30, "y": 0}}}]
    with pytest.raises(RenderFailed) as err:
        render({"canvas": {"size": size(20, 20)}}, [{"graphics_add": {"graphics": graphics}}],
               {A: solid((4, 4)), G1: solid((2, 2))})
    loc = ["operations", 0, "graphics_add", "graphics", 0, "options", "position"]
    assert err.value.errors[0]["loc"] == loc


def test_graphic_from_url():
    graphics = [{"type": "image", "options": {"image_url": "https://example.com/logo.png"}}]
    _, out = render({}, [{"graphics_add": {"graphics": graphics}}],
                    {A: solid((10, 10), WHITE), "https://example.com/logo.png": solid((2, 2), BLUE)})
    assert out.getpixel((5, 5)) == BLUE and out.getpixel((0, 0)) == WHITE


@pytest.mark.parametrize("options, expected_size", [
    ({}, (10, 10)),                                                     # the asset
    ({"canvas": {"size": size(40, 20), "color": "#fff"}}, (40, 20)),    # canvas wins over asset
])
def test_border_is_scaled_to_the_output(options, expected_size):
    _, out = render(options, [{"border_add": {"options": {"image_id": FRAME}}}],
                    {A: solid((10, 10), BLUE), FRAME: ring()})
    w, h = expected_size
    assert out.size == expected_size
    assert out.getpixel((0, 0)) == RED and out.getpixel((w - 1, h - 1)) == RED
    assert out.getpixel((w // 2, h // 2)) == BLUE


def test_border_takes_the_background_size():
    _, out = render({}, [{"bg_add": {"options": {"color": "#fff", "size": size(30, 30)}}},
                         {"border_add": {"options": {"image_id": FRAME}}}],
                    {A: solid((10, 10), BLUE), FRAME: ring()})
    assert out.size == (30, 30) and out.getpixel((29, 29)) == RED and out.getpixel((5, 5)) == WHITE


def test_bg_remove_cuts_the_resized_asset():
    segmenter = RedIsForeground()
    result, out = render({"size": size(10, 5)},
                         [{"bg_remove": {"options": {"mode": "portrait", "strength": "high"}}}],
                         {A: stripes((40, 20), RED, BLUE)}, segmenter)
    assert segmenter.seen == [("RGB", (10, 5), "portrait", "high", True)]
    assert result.has_alpha and result.notes["bg_remove"] == "portrait"
    assert out.getpixel((1, 2)) == RED and out.getpixel((8, 2))[3] == 0


def test_bg_remove_notes_the_method_the_call_returned():
    result, _ = render({}, [{"bg_remove": {}}], {A: solid((4, 4))}, RedIsForeground(choice="product"))
    assert result.notes["bg_remove"] == "product"


def test_bg_remove_then_bg_add_is_opaque():
    result, out = render({}, [{"bg_remove": {"options": {}}}, {"bg_add": {"options": {"color": "#ffffff"}}}],
                         {A: stripes((20, 10), RED, BLUE)})
    assert not result.has_alpha
    assert out.getpixel((2, 5)) == RED and out.getpixel((15, 5)) == WHITE
    assert set(result.timings) >= {"decode", "mask", "refine", "composite", "encode"}


def test_each_image_is_loaded_once_per_render():
    loader = Loader({A: solid((10, 10)), BG: ring()})
    request = parse_request({"assets": [{A: {"options": {}}}], "operations": [
        {"bg_add": {"options": {"image_id": BG}}}, {"border_add": {"options": {"image_id": BG}}}]})
    render_asset(request, 0, loader, RedIsForeground())
    assert sorted(loader.calls) == sorted([A, BG])


def test_missing_image_is_reported_at_its_field():
    with pytest.raises(AssetMissing) as err:
        render({}, [{"bg_add": {"options": {"image_id": BG}}}], {A: solid((4, 4))})
    assert err.value.errors[0]["loc"] == ["operations", 0, "bg_add", "options", "image_id"]


def test_unusable_image_is_reported_at_its_field():
    with pytest.raises(ImageRejected) as err:
        render({}, [{"border_add": {"options": {"image_id": FRAME}}}], {A: solid((4, 4)), FRAME: b"nope"})
    assert err.value.errors[0]["loc"] == ["operations", 0, "border_add", "options", "image_id"]


def test_output_pixel_limit():
    with pytest.raises(RenderFailed) as err:
        render({"canvas": {"size": size(20, 20)}}, [{"bg_add": {"options": {"color": "#fff"}}}],
               {A: solid((4, 4))}, limits=RenderLimits(max_output_pixels=399))
    assert err.value.errors[0]["loc"] == ["assets", 0, A, "options", "canvas", "size"]


def test_graphic_enlarged_past_the_output_pixel_limit_is_refused_at_its_size():
    graphics = [{"type": "image", "options": {"image_id": G1, "size": size(30, 30)}}]
    with pytest.raises(RenderFailed) as err:
        render({}, [{"graphics_add": {"graphics": graphics}}], {A: solid((4, 4)), G1: solid((2, 2))},
               limits=RenderLimits(max_output_pixels=899))
    assert err.value.errors == [{"loc": ["operations", 0, "graphics_add", "graphics", 0, "options", "size"],
                                 "msg": "30x30 exceeds the limit of 899 pixels"}]
    _, out = render({}, [{"graphics_add": {"graphics": graphics}}], {A: solid((4, 4)), G1: solid((2, 2), BLUE)},
                    limits=RenderLimits(max_output_pixels=900))
    assert out.size == (4, 4) and out.getpixel((0, 0)) == BLUE  # centred and clipped to the output


def test_drawing_on_the_asset_never_changes_the_cached_decode():
    # The asset is also the background: the graphic drawn on the asset must not show up in it.
    graphics = [{"type": "image", "options": {"image_id": G1, "position": {"x": 0, "y": 0}}}]
    _, out = render({}, [{"graphics_add": {"graphics": graphics}},
                         {"bg_add": {"options": {"image_id": A, "mode": "stretch", "size": size(20, 20)}}}],
                    {A: solid((10, 10)), G1: solid((2, 2), BLUE)})
    assert out.getpixel((0, 0)) == RED and out.getpixel((5, 5)) == BLUE


def test_background_shows_exactly_where_the_cut_asset_is_transparent():
    _, out = render({"canvas": {}, "position": {"x": 10, "y": 20}},
                    [{"bg_remove": {"options": {}}},
                     {"bg_add": {"options": {"image_id": BG, "mode": "stretch", "size": size(300, 300)}}}],
                    {A: stripes((200, 200), RED, GREEN), BG: png(Image.new("RGB", (50, 50), BLUE[:3]))})
    assert out.getpixel((15, 25)) == RED and out.getpixel((109, 219)) == RED  # kept half of the cut
    assert out.getpixel((150, 100)) == BLUE and out.getpixel((5, 5)) == BLUE  # removed half, outside
    assert out.getpixel((250, 250)) == BLUE


def test_opaque_asset_hides_the_whole_background():
    _, out = render({}, [{"bg_add": {"options": {"image_id": BG}}}],
                    {A: png(Image.new("RGB", (300, 300), RED[:3])), BG: solid((40, 40), BLUE)})
    assert np.asarray(out)[..., :3].reshape(-1, 3).min(axis=0).tolist() == [255, 0, 0]
    assert np.asarray(out)[..., 2].max() == 0


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
