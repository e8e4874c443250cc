"""Guided-filter refinement: box means, the upsampling arithmetic, and edges sharper than bilinear."""
import numpy as np
from PIL import Image

from imagegraphics.imaging import compose
from imagegraphics.segmentation import evaluate, refine


def test_box_mean_matches_a_direct_window_mean():
    x = np.random.default_rng(0).random((23, 31)).astype(np.float32)
    r = 3
    got = refine.box_mean(x, r)
    for y, xx in [(0, 0), (5, 7), (22, 30), (11, 0), (3, 29)]:
        window = x[max(0, y - r):y + r + 1, max(0, xx - r):xx + r + 1]
        assert abs(got[y, xx] - window.mean()) < 1e-5


def test_apply_is_a_times_guide_plus_b_with_bilinear_coefficients():
    rng = np.random.default_rng(1)
    a = rng.normal(0, 2, (12, 16)).astype(np.float32)
    b = rng.normal(0.5, 0.3, (12, 16)).astype(np.float32)
    image = Image.fromarray(rng.integers(0, 256, (90, 120, 3), dtype=np.uint8), "RGB")
    matrix = (0.2, 0.5, 0.3, 0.0)
    got = refine.apply(refine.Coefficients(a, b, matrix), image)
    guide = np.asarray(image.convert("L", matrix=matrix), np.float32) / 255
    up = [np.asarray(Image.fromarray(c, "F").resize(image.size, Image.BILINEAR)) for c in (a, b)]
    expected = np.clip(up[0] * guide + up[1], 0, 1)
    assert got.dtype == np.uint8 and got.shape == (90, 120)
    assert np.abs(got - expected * 255).max() < 0.5 + 0.03  # to the nearest level


def test_saturated_stretches_match_the_formula():
    """Large areas surely 0 or 1 are filled without arithmetic; the result must not change."""
    rng = np.random.default_rng(4)
    a = rng.normal(0, 0.05, (20, 30)).astype(np.float32)
    b = np.where(np.arange(30) < 12, 3.0, -3.0).astype(np.float32) * np.ones((20, 1), np.float32)
    a[8:12, 10:14] = 4.0  # an edge in the middle
    b[8:12, 10:14] = -1.5
    image = Image.fromarray(rng.integers(0, 256, (400, 600, 3), dtype=np.uint8), "RGB")
    got = refine.apply(refine.Coefficients(a, b, refine.LUMA + (0.0,)), image)
    guide = np.asarray(image.convert("L", matrix=refine.LUMA + (0.0,)), np.float32) / 255
    up = [np.asarray(Image.fromarray(c, "F").resize(image.size, Image.BILINEAR)) for c in (a, b)]
    assert np.abs(got - np.clip(up[0] * guide + up[1], 0, 1) * 255).max() < 0.5 + 0.03
    assert (got[:, :150] == 255).all() and (got[:, 500:] == 0).all()


def test_pins_hold_the_line_between_them_easing_in_over_one_working_pixel():
    """alpha = clip(line, max(pin, 0), 1 + min(pin, 0)) with line, and pin, bilinear at full resolution;
    whole cells pinned one way are filled without arithmetic and must agree with the formula."""
    rng = np.random.default_rng(6)
    a = rng.normal(0, 3, (20, 30)).astype(np.float32)
    b = rng.normal(0.5, 0.6, (20, 30)).astype(np.float32)
    opaque, clear = np.zeros((20, 30), bool), np.zeros((20, 30), bool)
    opaque[2:12, 3:14], clear[:, 20:], clear[15:, :] = True, True, True
    image = Image.fromarray(rng.integers(0, 256, (400, 600, 3), dtype=np.uint8), "RGB")
    coef = refine.Coefficients(a, b, refine.LUMA + (0.0,)).pinned(opaque, clear)
    got = refine.apply(coef, image)
    guide = np.asarray(image.convert("L", matrix=refine.LUMA + (0.0,)), np.float32) / 255
    up = [np.asarray(Image.fromarray(c, "F").resize(image.size, Image.BILINEAR)) for c in (a, b, coef.pin)]
    line = up[0] * guide + up[1]
    expected = np.clip(np.minimum(np.maximum(line, np.maximum(up[2], 0)), 1 + np.minimum(up[2], 0)), 0, 1)
    assert np.abs(got - expected * 255).max() < 0.5 + 0.03
    assert (got[70:220, 80:260] == 255).all() and (got[:, 420:] == 0).all() and (got[320:] == 0).all()
    assert 0 < np.count_nonzero((got > 0) & (got < 255))  # the line still decides in between


def test_pinning_is_monotone_in_the_line_and_in_nested_pins():
    rng = np.random.default_rng(8)
    a = rng.normal(0, 3, (16, 16)).astype(np.float32)
    b = rng.normal(0.5, 0.6, (16, 16)).astype(np.float32)
    image = Image.fromarray(rng.integers(0, 256, (160, 160, 3), dtype=np.uint8), "RGB")
    opaque = np.zeros((16, 16), bool)
    opaque[4:12, 4:12] = True
    clear = np.zeros((16, 16), bool)
    clear[:, 14:] = True
    base = refine.Coefficients(a, b, refine.LUMA + (0.0,))
    more = refine.apply(base.ramp(0.3, 0.6).pinned(opaque, clear), image)
    fewer_opaque = opaque.copy()
    fewer_opaque[4:6] = False
    more_clear = clear.copy()
    more_clear[:, 12:] = True
    less = refine.apply(base.ramp(0.7, 0.6).pinned(fewer_opaque, more_clear), image)
    assert (less <= more).all() and less.sum() < more.sum()


def test_levels_round_like_the_cut_out_and_commute_with_min_and_max():
    rng = np.random.default_rng(5)
    alpha = np.concatenate([rng.random(100_000, dtype=np.float32),
                            np.float32([0, 1, 0.5 / 255, 1.5 / 255, 254.5 / 255])])
    levels = compose.alpha_to_8bit(alpha)
    assert levels.dtype == np.uint8
    assert np.array_equal(levels, (alpha * np.float32(255) + np.float32(0.5)).astype(np.uint8))
    assert np.abs(levels - alpha * 255).max() <= 0.5 + 1e-4
    other = rng.random(alpha.shape, dtype=np.float32)
    assert np.array_equal(np.minimum(levels, compose.alpha_to_8bit(other)), compose.alpha_to_8bit(np.minimum(alpha, other)))
    assert np.array_equal(np.maximum(levels, compose.alpha_to_8bit(other)), compose.alpha_to_8bit(np.maximum(alpha, other)))
    assert np.array_equal(compose.alpha_to_8bit(refine.from_levels(levels)), levels)


def test_ramp_cuts_more_with_a_higher_threshold_everywhere():
    rng = np.random.default_rng(2)
    coef = refine.Coefficients(rng.normal(0, 3, (10, 10)).astype(np.float32),
                               rng.random((10, 10)).astype(np.float32), refine.LUMA + (0.0,))
    image = Image.fromarray(rng.integers(0, 256, (70, 80, 3), dtype=np.uint8), "RGB")
    low, high = (refine.apply(coef.ramp(t, 0.6), image) for t in (0.3, 0.7))
    assert (high <= low).all() and (high < low).any()


def test_guide_separates_colours_of_equal_brightness():
    """Red on grey of the same luma: plain luma sees no edge, the discriminant guide does."""
    rgb = np.zeros((40, 40, 3), np.float32)
    rgb[:] = (128, 128, 128)
    rgb[:, 20:] = (255, 74, 74)  # luma 128 too
    rgb += np.random.default_rng(3).normal(0, 2, rgb.shape)
    mask = np.zeros((40, 40), np.float32)
    mask[:, 20:] = 1
    guide = refine.project(rgb, refine.guide_weights(rgb, mask))
    luma = refine.project(rgb, refine.LUMA + (0.0,))
    assert guide[:, 25:].mean() - guide[:, :15].mean() > 0.2
    assert abs(luma[:, 25:].mean() - luma[:, :15].mean()) < 0.03


def test_refined_edges_beat_bilinear_upsampling():
    image, truth = evaluate.synthetic(1200, 900)
    mask = evaluate.low_res_mask(truth)
    plain = evaluate.edge_error(evaluate.bilinear(mask, image.size), truth)
    sharp = evaluate.edge_error(evaluate.refined(image, mask), truth)
    assert sharp < 0.6 * plain
    assert plain > 0.05  # the band really holds edges a low-resolution mask cannot place
