"""The cut-out beyond the mask: no silent empty results, auto's evidence, backdrop correction,
and decontaminated edge colours (the cut itself: test_segmentation_trimap.py)."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from imagegraphics.errors import NoForeground
from imagegraphics.segmentation import backdrop, choose, foreground, get_segmenter
from imagegraphics.segmentation.colours import EdgeColours
from imagegraphics.segmentation.registry import models_dir
from imagegraphics.segmentation.sessions import GeneralSession
from imagegraphics.segmentation.registry import ModelEntry

BUNDLED = (models_dir() / "u2netp.onnx").is_file() and (models_dir() / "selfie_segmentation.onnx").is_file()
needs_models = pytest.mark.skipif(not BUNDLED, reason="bundled models not built (make model)")


def flat(colour=(128, 128, 128), size=(320, 240)) -> Image.Image:
    return Image.new("RGB", size, colour)


def noise(size=(320, 240), seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")


def ring_shot(size=(400, 300)) -> tuple[Image.Image, np.ndarray]:
    """A gold ring on a white backdrop, and the filled disc a model might answer."""
    image = Image.new("RGB", size, (250, 250, 250))
    draw = ImageDraw.Draw(image)
    cx, cy, r = size[0] // 2, size[1] // 2, 90
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(200, 160, 40))
    draw.ellipse((cx - r + 25, cy - r + 25, cx + r - 25, cy + r - 25), fill=(250, 250, 250))
    disc = Image.new("F", size, 0.0)
    ImageDraw.Draw(disc).ellipse((cx - r, cy - r, cx + r, cy + r), fill=1.0)
    return image, np.asarray(disc, np.float32).copy()


# -- never a silent empty result ------------------------------------------------------------
def test_a_mask_sure_of_nothing_or_of_a_speck_is_no_foreground():
    with pytest.raises(NoForeground, match="no foreground found: the image has no distinct subject"):
        foreground.check(np.full((50, 50), 0.3, np.float32), "product")
    speck = np.zeros((100, 100), np.float32)
    speck[0, 0] = 1.0  # 0.01% of the frame
    with pytest.raises(NoForeground, match="covers 0.01% of the image"):
        foreground.check(speck, "auto")
    speck[:10, :10] = 1.0
    foreground.check(speck, "auto")  # 1%: a small subject is still a subject


def test_no_foreground_is_a_422_named_unknown_foreground():
    exc = NoForeground("no foreground found")
    assert (exc.status, exc.code) == (422, "unknown_foreground")


@needs_models
@pytest.mark.parametrize("mode", ["auto", "product", "portrait"])
@pytest.mark.parametrize("image", [flat(), flat((255, 255, 255)), noise()], ids=["grey", "white", "noise"])
def test_flat_images_and_noise_fail_in_every_mode(mode, image):
    with pytest.raises(NoForeground, match="no foreground found"):
        get_segmenter().matte(image, mode=mode)


@needs_models
@pytest.mark.parametrize("mode", ["auto", "product", "portrait"])
@pytest.mark.parametrize("size", [(1, 1), (2, 1), (1, 3), (3, 1), (2, 2), (5, 3)])
def test_an_image_of_a_few_pixels_is_no_foreground_in_every_mode(mode, size):
    """Too few pixels to learn a backdrop from (k-means of its colours needs more than its 4 colours)."""
    with pytest.raises(NoForeground, match="no foreground found"):
        get_segmenter().matte(Image.new("RGB", size, (200, 10, 10)), mode=mode)


def test_a_backdrop_seen_in_a_few_pixels_is_not_learnt():
    rgb = np.zeros((2, 2, 3), np.float32)
    outside = np.array([[True, True], [True, False]])
    assert not backdrop.backdrop_like(rgb, outside).any()


def test_a_general_model_output_that_is_nowhere_confident_is_not_stretched():
    entry = ModelEntry("g", "g.onnx", "general", 4, 4, layout="NCHW", postprocess="minmax")
    session = GeneralSession.__new__(GeneralSession)
    session.entry = entry
    weak = np.full((1, 1, 4, 4), 0.001, np.float32)
    weak[0, 0, 0, 0] = 0.009  # noise: minmax would make this pixel a sure subject
    assert session.postprocess(weak).max() < 0.01
    strong = np.linspace(0.2, 0.9, 16, dtype=np.float32).reshape(1, 1, 4, 4)
    out = session.postprocess(strong)
    assert (out.min(), out.max()) == (0.0, 1.0)


# -- auto's evidence -----------------------------------------------------------------------
def box(shape, top, left, bottom, right, value=1.0) -> np.ndarray:
    mask = np.zeros(shape, np.float32)
    mask[top:bottom, left:right] = value
    return mask


def test_portrait_when_a_sure_person_covers_most_of_the_subject():
    person = box((100, 100), 20, 30, 100, 70, 0.98)
    subject = box((100, 100), 18, 28, 100, 72)
    seen = choose.evidence(person, subject)
    assert seen.person and seen.portrait


def test_product_when_the_person_is_only_part_of_the_subject():
    person = box((100, 100), 20, 40, 60, 60, 0.98)  # e.g. a hand on a large object
    subject = box((100, 100), 10, 10, 95, 95)
    assert not choose.evidence(person, subject).portrait


def test_product_when_the_person_is_unsure_or_absent():
    subject = box((100, 100), 20, 30, 100, 70)
    assert not choose.evidence(box((100, 100), 20, 30, 100, 70, 0.7), subject).portrait
    assert not choose.evidence(np.zeros((100, 100), np.float32), subject).portrait


@needs_models
def test_auto_cuts_the_astronaut_as_a_portrait_and_says_why():
    from pathlib import Path

    image = Image.open(Path(__file__).resolve().parents[2] / "events/samples/astronaut.jpg")
    matte = get_segmenter().matte(image.convert("RGB"), mode="auto")
    assert matte.choice == "portrait"
    assert "auto: portrait" in matte.method and "covers" in matte.method


# -- backdrop correction -------------------------------------------------------------------
def test_backdrop_correction_carves_a_ring_centre_the_model_filled():
    image, disc = ring_shot()
    corrected = backdrop.correct(np.asarray(image, np.float32), disc)
    assert corrected[150, 200] < 0.1  # the centre shows the backdrop
    assert corrected[150, 200 + 80] > 0.9  # the band of the ring stays
    assert corrected[5, 5] == 0.0


def test_no_hole_is_carved_against_a_busy_scene():
    image, disc = ring_shot()
    rng = np.random.default_rng(2)
    scene = rng.integers(0, 256, (300, 400, 3)).astype(np.float32)  # colours everywhere
    rgb = np.asarray(image, np.float32)
    ring = (disc > 0.5) & (np.abs(rgb - (200, 160, 40)).sum(-1) < 10)
    rgb = np.where(ring[..., None], rgb, scene)
    assert np.array_equal(backdrop.correct(rgb, disc), disc)


def test_a_white_stripe_on_an_object_is_not_a_hole():
    rng = np.random.default_rng(1)
    rgb = np.full((300, 400, 3), 236, np.float32) + rng.normal(0, 1.5, (300, 400, 1))
    rgb[80:220, 100:300] = (200, 30, 30)  # a red box...
    rgb[140:160, 130:270] = 255  # ...with a white stripe, brighter than the off-white sweep
    mask = np.zeros((300, 400), np.float32)
    mask[80:220, 100:300] = 1.0
    assert np.array_equal(backdrop.correct(np.clip(rgb, 0, 255), mask), mask)


def test_only_regions_enclosed_by_the_object_count_as_holes():
    inside = np.zeros((40, 40), bool)
    inside[5:35, 5:35] = True
    region = np.zeros((40, 40), bool)
    region[15:25, 15:25] = True  # a hole
    region[5:10, 20:30] = True  # a bite out of the rim: touches the outside
    holes = backdrop.enclosed(region & inside, inside)
    assert holes[15:25, 15:25].all() and not holes[5:10, 20:30].any()


def test_the_ring_s_shadow_inside_its_opening_is_carved_too():
    image, disc = ring_shot()
    rgb = np.asarray(image, np.float32).copy()
    shadow = np.zeros((300, 400), bool)
    shadow[185:215, 150:250] = True  # the floor under the ring, in its own shadow
    shadow &= np.abs(rgb - 250).sum(-1) < 5
    rgb[shadow] *= 0.7
    corrected = backdrop.correct(rgb, disc)
    inner = shadow.copy()  # away from the band by 3 px: the boundary is GrabCut's, at 320 px
    for axis in (0, 1):
        for step in (3, -3):
            inner &= np.roll(shadow, step, axis)
    assert inner.sum() > 1000 and corrected[inner].max() < 0.1 and corrected[150, 200] < 0.1
    assert corrected[150, 200 + 80] > 0.9


def test_backdrop_correction_leaves_a_one_sided_mask_alone():
    image, _ = ring_shot()
    everything = np.ones((300, 400), np.float32)
    assert backdrop.correct(np.asarray(image, np.float32), everything) is everything


# -- decontaminated edges ------------------------------------------------------------------
def test_soft_edge_pixels_lose_the_old_background_colour():
    h, w = 384, 512  # working resolution, where the colour estimates are made
    xx = np.tile(np.arange(w, dtype=np.float32), (h, 1))
    alpha = np.clip((300 - xx) / 6 + 0.5, 0, 1)  # a 6 px soft edge, subject on the left
    red, blue = np.array([220, 30, 30], np.float32), np.array([30, 60, 230], np.float32)
    rgb = alpha[..., None] * red + (1 - alpha[..., None]) * blue
    image = Image.fromarray(rgb.round().astype(np.uint8), "RGB")
    colours = EdgeColours.estimate(rgb, alpha)
    cut = image.copy()
    cut.putalpha(Image.fromarray((alpha * 255).round().astype(np.uint8)))
    fixed = np.asarray(colours.apply(cut), np.float32)
    soft = (alpha > 0.05) & (alpha < 0.95)
    before = np.abs(rgb[soft] - red).mean()
    after = np.abs(fixed[..., :3][soft] - red).mean()
    assert before > 40 and after < 5  # the blue haze is gone
    assert np.array_equal(fixed[..., 3], np.asarray(cut)[..., 3])  # alpha untouched
    solid = alpha >= 1
    assert np.array_equal(fixed[solid][..., :3], np.asarray(cut)[solid][..., :3])


def test_edge_colours_at_full_resolution_follow_the_formula_pixel_by_pixel():
    """Soft pixels scattered over tiles of every shape, at a resolution twice the estimates': each
    gets mean_f + a(I - a mean_f - (1 - a) mean_b), the means sampled bilinearly, plus 0.5 and
    truncated; every other pixel and every alpha stays as it was."""
    rng = np.random.default_rng(7)
    small_alpha = rng.random((131, 173)).astype(np.float32)
    small_rgb = rng.integers(0, 256, (131, 173, 3)).astype(np.float32)
    colours = EdgeColours.estimate(small_rgb, small_alpha)
    w, h = 346, 262
    pixels = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    pixels[..., 3] = rng.choice([0, 255, 1, 128, 254], (h, w), p=[0.3, 0.3, 0.1, 0.2, 0.1])
    out = np.asarray(colours.apply(Image.fromarray(pixels.copy(), "RGBA")))

    ys, xs = np.nonzero((pixels[..., 3] > 0) & (pixels[..., 3] < 255))
    fh, fw = colours.foreground.shape[:2]
    fx, fy = (xs + 0.5) * (fw / w) - 0.5, (ys + 0.5) * (fh / h) - 0.5
    x0 = np.clip(np.floor(fx).astype(int), 0, fw - 1)
    y0 = np.clip(np.floor(fy).astype(int), 0, fh - 1)
    x1, y1 = np.minimum(x0 + 1, fw - 1), np.minimum(y0 + 1, fh - 1)
    tx, ty = np.clip(fx - x0, 0, 1)[:, None], np.clip(fy - y0, 0, 1)[:, None]

    def sample(grid):
        top = grid[y0, x0] * (1 - tx) + grid[y0, x1] * tx
        return top * (1 - ty) + (grid[y1, x0] * (1 - tx) + grid[y1, x1] * tx) * ty

    a = pixels[ys, xs, 3:].astype(np.float64) / 255
    mean_f, mean_b = sample(colours.foreground), sample(colours.background)
    expected = np.clip(mean_f + a * (pixels[ys, xs, :3] - a * mean_f - (1 - a) * mean_b) + 0.5, 0, 255)
    diff = out[ys, xs, :3].astype(int) - expected.astype(int)
    assert np.abs(diff).max() <= 1 and np.abs(diff).mean() < 0.05  # off by one: float32, remap's weights
    assert np.array_equal(out[..., 3], pixels[..., 3])
    hard = (pixels[..., 3] == 0) | (pixels[..., 3] == 255)
    assert np.array_equal(out[hard], pixels[hard])


@needs_models
def test_degenerate_masks_fail_too():
    with pytest.raises(NoForeground, match="whole image|looks like its surroundings|no distinct subject"):
        get_segmenter().matte(noise((320, 240)), mode="product")
    rgb = np.asarray(noise((200, 100)), np.float32)
    half = np.zeros((100, 200), np.float32)
    half[:, :100] = 1.0  # a mask splitting noise in two
    with pytest.raises(NoForeground, match="looks like its surroundings"):
        foreground.check(half, "product", rgb)


def test_a_face_is_seen_on_the_astronaut_and_not_on_a_ball():
    import io
    from pathlib import Path

    from local import samples

    photo = Image.open(Path(__file__).resolve().parents[2] / "events/samples/astronaut.jpg").convert("RGB")
    photo.thumbnail((512, 512))
    rgb = np.asarray(photo)
    everywhere = np.ones(rgb.shape[:2], np.float32)
    assert choose.has_face(rgb, everywhere)
    ball = np.asarray(Image.open(io.BytesIO(samples.product(400, 400))).convert("RGB"))
    assert not choose.has_face(ball, np.ones((400, 400), np.float32))
    assert not choose.has_face(rgb, np.zeros(rgb.shape[:2], np.float32))  # no person, no box

    small = np.full((512, 512, 3), 200, np.uint8)  # a person a quarter of the frame tall
    small[300:428, 200:328] = np.asarray(photo.resize((128, 128)))
    person = np.zeros((512, 512), np.float32)
    person[300:428, 200:328] = 1.0
    assert choose.has_face(small, person)
