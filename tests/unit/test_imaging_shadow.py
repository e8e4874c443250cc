"""shadow_add: the drop shadow darkens only where the offset, blurred alpha falls, and never the subject."""
import io

import cv2
import numpy as np
import pytest
from PIL import Image
from pipeline_support import BG, BLUE, G1, GREEN, RED, Loader, RedIsForeground, png, solid

from imagegraphics.imaging import render_asset
from imagegraphics.imaging.shadow import Shadow, blurred, cast
from imagegraphics.request import parse_request

A = "a" * 32
SUBJECT = (20, 10, 40, 30)
WHITE_BG = {"bg_add": {"options": {"color": "#ffffff"}}}


def scene(size=(60, 40), box=SUBJECT) -> bytes:
    image = Image.new("RGBA", size, GREEN)
    image.paste(RED, box)
    return png(image)


def shadow(**options):
    return {"shadow_add": {"options": options}}


def rendered(options, operations, images=None):
    request = parse_request({"assets": [{A: {"options": options}}], "operations": operations})
    result = render_asset(request, 0, Loader(images or {A: scene()}), RedIsForeground())
    return np.asarray(Image.open(io.BytesIO(result.data)).convert("RGBA"), dtype=np.int16)


def subject_mask(size=(60, 40), box=SUBJECT, at=(0, 0)):
    mask = np.zeros(size[::-1], np.float64)
    mask[box[1] + at[1]:box[3] + at[1], box[0] + at[0]:box[2] + at[0]] = 1
    return mask


def on_white(shade, subject, shadow_rgb=(0, 0, 0)):
    """Expected RGB: white, the shadow (alpha `shade` 0..1) over it, the red subject on top."""
    white = np.full(shade.shape + (3,), 255.0)
    out = white * (1 - shade[..., None]) + np.array(shadow_rgb) * shade[..., None]
    out[subject > 0] = (255, 0, 0)
    return out


def test_a_sharp_shadow_darkens_exactly_the_offset_alpha_outside_the_subject():
    out = rendered({}, [{"bg_remove": {}}, shadow(blur=0, offset={"x": 3, "y": 4}), WHITE_BG])
    subject = subject_mask()
    shade = subject_mask(at=(3, 4)) * 128 / 255  # opacity 0.5 of 255 is 128
    expected = on_white(shade, subject)
    assert np.abs(out[..., :3] - expected).max() <= 0.5  # Pillow rounds: 127.5 is 127
    assert (out[..., 3] == 255).all()
    darkened = (out[..., :3] < 255).any(-1) & (subject == 0)
    assert np.array_equal(darkened, (subject_mask(at=(3, 4)) > 0) & (subject == 0))
    assert (out[subject > 0][:, :3] == (255, 0, 0)).all()  # never the subject


def gaussian_reference(sharp, sigma):
    """A true Gaussian (OpenCV's sampled kernel, 4 sigma wide), the zero border past the image."""
    return cv2.GaussianBlur(sharp.astype(np.float64), (0, 0), sigma, borderType=cv2.BORDER_CONSTANT)


@pytest.mark.parametrize("blur", [2, 6, 15])
def test_a_blurred_shadow_follows_the_gaussian_and_spares_the_subject(blur):
    size, box = (120, 100), (40, 30, 80, 60)
    out = rendered({}, [{"bg_remove": {}}, shadow(blur=blur, opacity=1, offset={"x": 5, "y": 8}), WHITE_BG],
                   {A: scene(size, box)})
    subject = subject_mask(size, box)
    shade = gaussian_reference(subject_mask(size, box, at=(5, 8)), blur)
    expected = on_white(shade, subject)
    assert np.abs(out[..., :3] - expected).max() <= 2.5  # within a level or two of 255 everywhere
    assert (out[subject > 0][:, :3] == (255, 0, 0)).all()
    # Nothing darkens past the blur's reach; the shadow shows wherever the blurred alpha has some.
    reach = int(np.ceil(3 * blur)) + 2
    near = cv2.dilate(subject_mask(size, box, at=(5, 8)).astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8))
    assert (out[..., :3][near == 0] == 255).all()
    assert (out[..., :3][(shade > 0.02) & (subject == 0)] < 252).all()


@pytest.mark.parametrize("sigma", [3, 10, 30, 80])
def test_the_reduced_resolution_blur_matches_a_full_resolution_one(sigma):
    alpha = np.zeros((90, 140), np.uint8)
    alpha[20:70, 30:110] = 255
    alpha[40:50, 10:30] = 128
    got, pad = blurred(alpha, sigma)
    canvas = np.zeros(got.shape, np.float64)
    canvas[pad:pad + 90, pad:pad + 140] = alpha
    reference = gaussian_reference(canvas, sigma)
    assert np.abs(np.asarray(got, np.float64) - reference).max() <= 2.5


def test_order_does_not_matter_the_shadow_is_always_under_the_subject_and_over_the_background():
    ops = [{"bg_remove": {}}, shadow(offset={"x": 2, "y": 3}, blur=1.5)]
    before = rendered({}, ops + [WHITE_BG])
    after = rendered({}, [ops[0], WHITE_BG, ops[1]])
    assert np.array_equal(before, after)


def test_a_canvas_goes_under_the_shadow():
    options = {"canvas": {"size": {"width": 80, "height": 60}, "color": "#0000ff"}}
    out = rendered(options, [{"bg_remove": {}}, shadow(blur=0, offset={"x": 0, "y": 5})])
    # the asset (60x40) is centred: its subject at (30, 20)-(50, 40); the shadow 5 px lower
    assert tuple(out[42, 40]) == (0, 0, 127, 255)  # canvas blue, darkened by half
    assert tuple(out[30, 40]) == (255, 0, 0, 255)  # the subject
    assert tuple(out[46, 40]) == (0, 0, 255, 255) and tuple(out[44, 40]) == (0, 0, 127, 255)


def test_a_background_image_goes_under_the_shadow():
    out = rendered({}, [{"bg_remove": {}}, shadow(blur=0, offset={"x": 0, "y": 5}),
                        {"bg_add": {"options": {"image_id": BG}}}], {A: scene(), BG: solid((6, 4), BLUE)})
    assert tuple(out[32, 30]) == (0, 0, 127, 255) and tuple(out[36, 30]) == (0, 0, 255, 255)


def test_without_a_background_the_shadow_is_translucent_and_clipped_to_the_asset():
    out = rendered({}, [{"bg_remove": {}}, shadow(blur=0, offset={"x": 30, "y": 25})])
    assert out.shape[:2] == (40, 60)  # the asset's size: the shadow does not grow it
    assert tuple(out[39, 59]) == (0, 0, 0, 128)  # shadow of the subject's (29, 14), clipped at the edge
    assert tuple(out[20, 30]) == (255, 0, 0, 255) and out[5, 5, 3] == 0


def test_graphics_are_drawn_over_the_shadow():
    graphic = {"graphics_add": {"graphics": [{"options": {"image_id": G1, "position": {"x": 20, "y": 30}}}]}}
    out = rendered({}, [{"bg_remove": {}}, shadow(blur=0, offset={"x": 0, "y": 4}), graphic, WHITE_BG],
                   {A: scene(), G1: solid((4, 4), BLUE)})
    assert tuple(out[31, 21]) == (0, 0, 255, 255)  # the graphic, over the shadow
    assert tuple(out[31, 30]) == (127, 127, 127, 255)  # the shadow beside it


def test_colour_alpha_and_opacity_multiply():
    out = rendered({}, [{"bg_remove": {}}, shadow(blur=0, color="#ff000080", opacity=1, offset={"x": 0, "y": 4}),
                        WHITE_BG])
    assert tuple(out[32, 30]) == (255, 127, 127, 255)


def test_zero_opacity_is_no_shadow():
    plain = rendered({}, [{"bg_remove": {}}, WHITE_BG])
    assert np.array_equal(rendered({}, [{"bg_remove": {}}, shadow(opacity=0), WHITE_BG]), plain)


def test_the_crop_margin_leaves_room_for_the_shadow():
    out = rendered({}, [{"bg_remove": {"options": {"crop_to_subject": {"margin": 6}}}},
                        shadow(blur=0, offset={"x": 0, "y": 4}), WHITE_BG])
    assert out.shape[:2] == (32, 32)
    # the subject at 6..25 both ways, its shadow 4 px lower: rows 10..29, inside the 32 px
    assert tuple(out[29, 16]) == (127, 127, 127, 255) and tuple(out[30, 16]) == (255, 255, 255, 255)


def test_cast_keeps_a_soft_edge_exact():
    """Where a half-transparent edge of the subject lies over the shadow, both show, composited as 'over'."""
    subject = Image.new("RGBA", (8, 4), (0, 0, 0, 0))
    subject.paste((200, 100, 50, 128), (2, 0, 6, 4))
    layer, at = cast(subject, Shadow((0, 0, 255, 255), 1.0, 0, (1, 0)), (8, 4), (0, 0))
    assert at == (0, 0) and layer.size == (8, 4)
    expected = Image.new("RGBA", (8, 4), (0, 0, 0, 0))
    shade = Image.new("RGBA", (8, 4), (0, 0, 0, 0))
    shade.paste((0, 0, 255, 128), (3, 0, 7, 4))
    expected.alpha_composite(shade)
    expected.alpha_composite(subject)
    got, want = np.asarray(layer).copy(), np.asarray(expected).copy()
    got[got[..., 3] == 0] = 0  # the colour of a fully transparent pixel is no colour
    want[want[..., 3] == 0] = 0
    assert np.array_equal(got, want)
