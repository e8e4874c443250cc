"""render_asset, what each operation draws (background, graphics, border, cut-out), on pixel values."""
import numpy as np
import pytest
from PIL import Image
from pipeline_support import (
    A, BG, BLUE, FRAME, G1, G2, GREEN, RED, WHITE, Loader, RedIsForeground, png, render, ring, size, solid, stripes,
)

from imagegraphics.errors import AssetMissing, ImageRejected, RenderFailed
from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.request import parse_request


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
