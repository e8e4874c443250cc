"""Clear objects on a plain coloured backdrop get the alpha their colour shows (difference matting
against the backdrop), and nothing else changes: opaque objects, labels, neutral or busy backdrops."""
import numpy as np
import pytest

from imagegraphics.segmentation import seethrough
from imagegraphics.segmentation.registry import models_dir
from imagegraphics.segmentation.segmenter import RAMP_WIDTH, STRENGTH_THRESHOLD, Segmenter

H, W = 240, 320
ORANGE = (220, 150, 90)
BOX = (slice(60, 200), slice(110, 210))  # the object, rows and columns


def medium(matte: np.ndarray) -> np.ndarray:
    """What the medium strength makes of a matte value."""
    return np.clip((matte - STRENGTH_THRESHOLD["medium"]) / RAMP_WIDTH + 0.5, 0, 1)


def shot(backdrop=ORANGE, alpha=None, colour=(232, 236, 236), seed=0):
    """(photo, true alpha, the model's mask): an object composited over a plain backdrop with
    camera noise; by default a clear glass box: walls alpha 0.75, face 0.25, light grey."""
    true = np.zeros((H, W), np.float32)
    if alpha is None:
        true[BOX] = 0.25
        true[60:200, 110:114] = true[60:200, 206:210] = 0.75  # walls seen edge-on
    else:
        true[BOX] = alpha
    fg = np.broadcast_to(np.asarray(colour, np.float32), (H, W, 3))
    bg = np.broadcast_to(np.asarray(backdrop, np.float32), (H, W, 3))
    rgb = true[..., None] * fg + (1 - true[..., None]) * bg
    rgb = rgb + np.random.default_rng(seed).normal(0, 1.5, rgb.shape)
    mask = np.zeros((H, W), np.float32)
    mask[BOX] = 1.0  # a general model calls the whole glass the object
    return np.clip(rgb, 0, 255).astype(np.float32), true, mask


def test_a_clear_object_gets_the_alpha_its_colour_shows():
    rgb, true, mask = shot()
    out = medium(seethrough.correct(rgb, mask))
    face = (slice(80, 180), slice(130, 190))
    assert abs(float(np.median(out[face])) - 0.25) < 0.04
    assert np.abs(out[face] - 0.25).max() < 0.12
    assert out[80:180, 110:113].min() > 0.6  # walls stay more opaque
    assert out[:50].max() == 0.0 and out[:, :100].max() == 0.0  # the backdrop stays out


def test_opaque_parts_of_a_clear_object_stay_opaque():
    rgb, true, mask = shot()
    rgb[120:150, 110:210] = (30, 40, 90)  # a navy label across the glass
    out = medium(seethrough.correct(rgb, mask))
    assert out[125:145, 120:200].min() > 0.99
    assert float(np.median(out[80:110, 130:190])) < 0.35


@pytest.mark.parametrize("colour", [(30, 40, 90), (200, 120, 60), (170, 100, 50), (90, 200, 90)])
def test_opaque_objects_are_left_alone(colour):
    """A dark, a saturated, a same-hue darker (shaded) and an other-hue object: none is clear."""
    rgb, _, mask = shot(alpha=1.0, colour=colour)
    assert np.array_equal(seethrough.correct(rgb, mask), mask)


def test_a_pale_label_on_an_opaque_object_is_not_taken_for_glass():
    """Cream on a beige backdrop reads like glass pixel by pixel, but it is a minority of the object."""
    rgb, _, mask = shot(backdrop=(228, 218, 200), alpha=1.0, colour=(40, 120, 60))
    rgb[110:150, 110:210] = (240, 235, 222)
    assert np.array_equal(seethrough.correct(rgb, mask), mask)


@pytest.mark.parametrize("backdrop", [(245, 245, 243), (128, 128, 128)])
def test_on_a_white_or_grey_backdrop_nothing_is_estimated(backdrop):
    """A clear object there sends the light a pale object would: the model's answer is kept."""
    rgb, _, mask = shot(backdrop=backdrop)
    assert np.array_equal(seethrough.correct(rgb, mask), mask)


def test_a_busy_backdrop_is_not_modelled():
    rgb, _, mask = shot()
    busy = np.random.default_rng(3).uniform(0, 255, rgb.shape).astype(np.float32)
    rgb = np.where(mask[..., None] > 0, rgb, busy)
    assert np.array_equal(seethrough.correct(rgb, mask), mask)


def test_the_backdrop_fill_follows_a_gradient_behind_the_object():
    ramp = np.linspace(80, 200, W, dtype=np.float32)
    rgb = np.stack([ramp, 255 - ramp, np.full_like(ramp, 120)], -1)[None].repeat(H, 0)
    known = np.ones((H, W), bool)
    known[BOX] = False
    error = np.abs(seethrough.fill(rgb, known)[BOX] - rgb[BOX])  # the gradient climbs 37 levels across the box
    assert error.mean() < 3 and error.max() < 8


needs_model = pytest.mark.skipif(not (models_dir() / "u2netp.onnx").is_file(),
                                 reason="bundled general model not built (make model)")


@needs_model
def test_the_generated_glass_is_see_through():
    from bench.quality_set import sample

    glass = sample("soft-2", (400, 300))
    alpha = Segmenter(models_dir()).alpha(glass.image, mode="product")
    face = (glass.alpha > 0.25) & (glass.alpha < 0.35)  # the walls seen face-on: true alpha 0.3
    assert face.sum() > 2000
    assert abs(float(np.median(alpha[face])) - 0.3) < 0.08  # was 1.0: the model calls it all solid
    assert alpha[glass.alpha == 0].mean() < 0.01


@needs_model
@pytest.mark.parametrize("remove_artifacts", [False, True])
def test_strengths_stay_ordered_on_a_clear_bottle(remove_artifacts):
    """Low keeps more of the clear walls, high less; the label and cap stay whatever the strength."""
    from bench.quality_set import sample

    bottle = sample("clear-1", (400, 300))
    seg = Segmenter(models_dir())
    low, mid, high = (seg.alpha(bottle.image, mode="product", strength=s, remove_artifacts=remove_artifacts)
                      for s in ("low", "medium", "high"))
    assert (high <= mid).all() and (mid <= low).all()
    face = (bottle.alpha > 0.1) & (bottle.alpha < 0.2)
    assert float(np.median(low[face])) > float(np.median(mid[face])) > float(np.median(high[face]))
    assert abs(float(np.median(mid[face])) - 0.15) < 0.08
    assert float(np.median(high[bottle.alpha == 1])) > 0.99
