"""bg_remove.options.crop_to_subject: the subject's box and margins, exact to the pixel, and what later
operations see."""
import io

import numpy as np
import pytest
from PIL import Image
from pipeline_support import BG, BLUE, GREEN, RED, Loader, RedIsForeground, png, solid

from imagegraphics.errors import NoForeground, RenderFailed
from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.imaging.subject import SUBJECT_MIN_ALPHA, subject_box
from imagegraphics.request import parse_request
from imagegraphics.segmentation.segmenter import Matte

A = "a" * 32
OPTS = ["assets", 0, A, "options"]


def scene(size=(60, 40), box=(20, 10, 40, 30)) -> bytes:
    image = Image.new("RGBA", size, GREEN)
    image.paste(RED, box)
    return png(image)


def crop(margin=0, **extra):
    return {"bg_remove": {"options": {"crop_to_subject": {"margin": margin}, **extra}}}


def rendered(options, operations, images, segmenter=None, limits=RenderLimits()):
    request = parse_request({"assets": [{A: {"options": options}}], "operations": operations})
    result = render_asset(request, 0, Loader(images), segmenter or RedIsForeground(), limits)
    image = Image.open(io.BytesIO(result.data)).convert("RGBA")
    assert image.size == (result.width, result.height)
    return result, image


def alpha(image):
    return np.asarray(image.getchannel("A"))


def opaque_box(image):
    """The box holding every opaque pixel; asserts nothing else is visible at all."""
    a = alpha(image)
    assert set(np.unique(a).tolist()) <= {0, 255}
    ys, xs = np.nonzero(a)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_tight_crop_is_the_subjects_box():
    result, image = rendered({}, [crop(0)], {A: scene()})
    assert image.size == (20, 20) and (alpha(image) == 255).all()
    assert result.notes["subject_box"] == [20, 10, 40, 30]


@pytest.mark.parametrize("margin", [5, "5px"])
def test_pixel_margin_on_every_side(margin):
    _, image = rendered({}, [crop(margin)], {A: scene()})
    assert image.size == (30, 30) and opaque_box(image) == (5, 5, 25, 25)
    assert image.getpixel((15, 15)) == RED


def test_margin_past_the_image_is_transparent():
    _, image = rendered({}, [crop(8)], {A: scene((60, 40), (0, 0, 10, 6))})
    assert image.size == (26, 22) and opaque_box(image) == (8, 8, 18, 14)
    assert image.getpixel((0, 0)) == (0, 0, 0, 0)  # outside the original image
    assert image.getpixel((25, 21))[3] == 0  # inside it: the removed background


@pytest.mark.parametrize("margin, size, box", [
    ("10%", (24, 12), (2, 1, 22, 11)),  # 10% of 20 wide is 2, of 10 high is 1
    ("25%", (30, 16), (5, 3, 25, 13)),  # 2.5 rounds up to 3
    ("0%", (20, 10), (0, 0, 20, 10)),
    ("100%", (60, 30), (20, 10, 40, 20)),
])
def test_percent_margin_is_of_the_subjects_width_and_height(margin, size, box):
    _, image = rendered({}, [crop(margin)], {A: scene((80, 50), (30, 20, 50, 30))})
    assert image.size == size and opaque_box(image) == box


class FaintHaze:
    """A matte of red / 255: pixels with red below SUBJECT_MIN_ALPHA are haze, not subject."""

    def matte(self, image, mode="auto", strength="medium", remove_artifacts=True):
        return Matte(np.asarray(image)[..., 0].copy(), "product")


def test_faint_haze_does_not_widen_the_box():
    image = Image.new("RGBA", (50, 30), (SUBJECT_MIN_ALPHA - 1, 0, 0, 255))
    image.paste((255, 0, 0, 255), (10, 5, 20, 15))
    image.putpixel((40, 25), (SUBJECT_MIN_ALPHA, 0, 0, 255))  # just visible: part of the subject
    result, _ = rendered({}, [crop(0)], {A: png(image)}, FaintHaze())
    assert result.notes["subject_box"] == [10, 5, 41, 26]


def test_subject_box_of_an_opaque_image_is_the_whole_image():
    assert subject_box(Image.new("RGB", (7, 3))) == (0, 0, 7, 3)


def test_pixel_margin_stays_exact_when_sized():
    options = {"size": {"width": 100, "height": 100}}
    _, image = rendered(options, [crop("10px")], {A: scene((80, 50), (30, 20, 50, 30))})
    # The 20x10 subject is fitted inside 80x80 (the size less the margins): 80x40, then 10 px around.
    assert image.size == (100, 60) and opaque_box(image) == (10, 10, 90, 50)


def test_percent_margin_scales_with_the_size():
    options = {"size": {"width": 100, "height": 100}}
    _, image = rendered(options, [crop("50%")], {A: scene((80, 50), (30, 20, 50, 30))})
    assert image.size == (100, 50)  # 40x20 (the subject and its margins) fitted inside 100x100
    a = alpha(image)
    # the subject spans x 25..75 and y 12.5..37.5; resampling blurs a pixel or two around its edges
    assert a[14:36, 28:72].min() == 255 and a[:, :21].max() == 0 and a[:, 79:].max() == 0
    assert a[:10].max() == 0 and a[-10:].max() == 0 and image.getpixel((50, 25)) == RED


def test_size_applies_to_the_cropped_subject_segmented_at_full_resolution():
    segmenter = RedIsForeground()
    _, image = rendered({"size": {"width": 10, "height": 10}}, [crop(0)], {A: scene()}, segmenter)
    assert segmenter.seen[0][1] == (60, 40)  # not shrunk before the subject is found
    assert image.size == (10, 10) and (alpha(image) == 255).all()


def test_canvas_and_position_see_the_cropped_asset():
    options = {"canvas": {"size": {"width": 30, "height": 30}, "color": "#0000ff"}, "position": {"x": 9, "y": 9}}
    _, image = rendered(options, [crop(0)], {A: scene()})
    assert image.getpixel((8, 8)) == BLUE and image.getpixel((9, 9)) == RED
    assert image.getpixel((28, 28)) == RED and image.getpixel((29, 29)) == BLUE


def test_a_position_that_does_not_fit_the_cropped_asset_is_refused():
    options = {"canvas": {"size": {"width": 30, "height": 30}}, "position": {"x": 10, "y": 0}}
    with pytest.raises(RenderFailed) as exc:
        rendered(options, [crop(0)], {A: scene()})
    assert exc.value.errors[0]["loc"] == OPTS + ["position", "x"]


def test_canvas_centres_the_cropped_asset():
    _, image = rendered({"canvas": {"size": {"width": 50, "height": 50}, "color": "#0000ff"}}, [crop(0)],
                        {A: scene()})
    assert opaque_box(Image.fromarray(
        np.where(np.asarray(image)[..., :1] == 255, 255, 0).repeat(4, -1).astype(np.uint8))) == (15, 15, 35, 35)


def test_bg_add_fits_around_the_cropped_asset():
    _, image = rendered({}, [crop(2), {"bg_add": {"options": {"image_id": BG}}}], {A: scene(), BG: solid((5, 5), BLUE)})
    assert image.size == (24, 24)  # the background takes the cropped asset's size
    assert image.getpixel((1, 1)) == BLUE and image.getpixel((2, 2)) == RED


def test_a_margin_past_the_pixel_limit_is_refused_before_it_is_built():
    with pytest.raises(RenderFailed) as exc:
        rendered({}, [crop(1000)], {A: scene()}, limits=RenderLimits(max_output_pixels=1_000_000))
    assert exc.value.errors == [{"loc": ["operations", 0, "bg_remove", "options", "crop_to_subject", "margin"],
                                 "msg": "2020x2020 exceeds the limit of 1000000 pixels"}]


class NoSubject:
    def matte(self, image, mode="auto", strength="medium", remove_artifacts=True):
        return Matte(np.full(image.size[::-1], 2, np.uint8), "product")


def test_nothing_to_crop_to_is_no_foreground():
    with pytest.raises(NoForeground) as exc:
        rendered({}, [crop(0)], {A: scene()}, NoSubject())
    assert exc.value.errors == [{"loc": ["operations", 0, "bg_remove", "options", "crop_to_subject"],
                                 "msg": "no foreground found to crop to"}]
