"""Product shots without a model: backdrop from the border, colour-distance matte, strength, clean-up."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from imagegraphics.segmentation import Segmenter, product


def product_shot(size=(900, 700)) -> Image.Image:
    """A blue bottle on a slightly noisy off-white backdrop, a speck of dust, a glint on the bottle."""
    w, h = size
    image = Image.new("RGB", size, (242, 242, 240))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((w * 0.4, h * 0.2, w * 0.6, h * 0.85), radius=40, fill=(30, 60, 150))
    draw.ellipse((w * 0.05, h * 0.1, w * 0.05 + 5, h * 0.1 + 5), fill=(90, 90, 90))  # dust
    draw.ellipse((w * 0.5 - 3, h * 0.5 - 3, w * 0.5 + 3, h * 0.5 + 3), fill=(242, 242, 240))  # glint
    noise = np.random.default_rng(0).normal(0, 1.5, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


@pytest.fixture
def seg(tmp_path) -> Segmenter:
    return Segmenter(tmp_path)  # no models installed


def test_backdrop_is_read_from_the_border():
    rgb = np.asarray(product_shot(), np.float32)
    seen = product.backdrop(rgb)
    assert seen.uniform
    assert abs(seen.colour[0] - 95.4) < 1.5  # L* of (242, 242, 240)
    busy = np.random.default_rng(1).integers(0, 256, rgb.shape).astype(np.float32)
    assert not product.backdrop(busy).uniform


def test_product_matte_keeps_the_object_and_drops_the_backdrop(seg):
    image = product_shot()
    alpha = seg.alpha(image, mode="product", remove_artifacts=False)
    assert alpha.dtype == np.float32 and alpha.shape == (700, 900)
    assert alpha[200:320, 400:500].min() > 0.95 and alpha[380:550, 400:500].min() > 0.95  # bottle body
    assert alpha[:100, 200:].max() < 0.05 and alpha[650:, :].max() < 0.05  # backdrop
    assert alpha[68:73, 47:52].max() > 0.5  # the dust speck is foreground-coloured
    assert alpha[347:353, 447:453].min() < 0.5  # the glint matches the backdrop


def test_remove_artifacts_drops_dust_and_fills_the_glint(seg):
    alpha = seg.alpha(product_shot(), mode="product", remove_artifacts=True)
    assert alpha[60:80, 40:60].max() < 0.05
    assert alpha[345:355, 445:455].min() > 0.95


def test_auto_picks_product_for_a_plain_backdrop(seg):
    matte = seg.matte(product_shot())
    assert matte.choice == "product" and set(matte.timings) >= {"mask", "refine"}


@pytest.mark.parametrize("remove_artifacts", [False, True])
def test_strength_is_monotonic_at_every_pixel(seg, remove_artifacts):
    image = product_shot()
    low, medium, high = (seg.alpha(image, mode="product", strength=s, remove_artifacts=remove_artifacts)
                         for s in ("low", "medium", "high"))
    assert (high <= medium).all() and (medium <= low).all()
    assert high.sum() < medium.sum() < low.sum()


def test_portrait_without_a_model_is_a_clear_error(seg):
    from imagegraphics.errors import RenderFailed

    with pytest.raises(RenderFailed, match="no portrait model installed"):
        seg.alpha(product_shot(), mode="portrait")


def test_unknown_mode_or_strength_is_refused(seg):
    with pytest.raises(ValueError, match="mode"):
        seg.alpha(product_shot((50, 50)), mode="cat")
    with pytest.raises(ValueError, match="strength"):
        seg.alpha(product_shot((50, 50)), strength="max")
