"""The generated quality set (bench/quality_set.py) and the bench's metrics (bench/quality_metrics.py):
the properties the background-removal benchmark relies on to mean anything."""
from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench import quality_metrics as metrics
from bench.scenes.drawing import box_mean
from bench.quality_set import CATEGORIES, NOISE, generate, names, sample

SIZE = (240, 180)
SEED = 3


@pytest.fixture(scope="module")
def samples():
    return generate(SIZE, seed=SEED)


def of(samples, category: str):
    chosen = [s for s in samples if s.category == category]
    assert chosen, category
    return chosen


def luminance(image: Image.Image) -> np.ndarray:
    return np.asarray(image, np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def grown(mask: np.ndarray, r: int) -> np.ndarray:
    """The mask dilated by r pixels (square window)."""
    return box_mean(box_mean(mask.astype(np.float32), r, 0), r, 1) > 0


def shrunk(mask: np.ndarray, r: int) -> np.ndarray:
    return box_mean(box_mean(mask.astype(np.float32), r, 0), r, 1) >= 1


def reached_from_border(passable: np.ndarray) -> np.ndarray:
    """Pixels a 4-connected flood fill starting outside the frame reaches through `passable`."""
    padded = np.pad(passable, 1, constant_values=True)
    canvas = Image.fromarray(np.where(padded, 255, 0).astype(np.uint8), "L").copy()  # own, writable pixels
    ImageDraw.floodfill(canvas, (0, 0), 128)
    return (np.asarray(canvas) == 128)[1:-1, 1:-1]


def test_same_seed_same_set_other_seed_other_set(samples):
    again = generate(SIZE, seed=SEED)
    for a, b in zip(samples, again):
        assert np.array_equal(np.asarray(a.image), np.asarray(b.image)) and np.array_equal(a.alpha, b.alpha)
    other = generate(SIZE, seed=SEED + 1)
    changed = sum(not np.array_equal(a.alpha, b.alpha) for a, b in zip(samples, other))
    assert changed >= len(samples) - 2  # positions and sizes move with the seed


def test_one_sample_equals_its_place_in_the_set(samples):
    alone = sample("hole-1", SIZE, SEED)
    listed = next(s for s in samples if s.name == "hole-1")
    assert np.array_equal(np.asarray(alone.image), np.asarray(listed.image))


def test_at_least_24_named_samples_cover_every_category(samples):
    assert len(samples) >= 24
    assert [s.name for s in samples] == names() and len(set(names())) == len(samples)
    for s in samples:
        assert s.category in CATEGORIES and re.fullmatch(rf"{s.category}-\d+", s.name)
    for category in CATEGORIES:
        assert len(of(samples, category)) >= 2, category


def test_frames_are_landscape_portrait_and_square(samples):
    assert {s.image.size for s in samples} == {(240, 180), (180, 240), (180, 180)}


def see_through(s) -> bool:
    """A glass: fractional alpha over (nearly) all of the object, so no pixel is opaque."""
    soft = s.regions.get("soft")
    return soft is not None and soft.sum() >= 0.9 * (s.alpha > 0.02).sum()


def test_arrays_have_the_documented_types_and_ranges(samples):
    for s in samples:
        h, w = s.alpha.shape
        assert s.image.mode == "RGB" and s.image.size == (w, h)
        assert s.alpha.dtype == np.float32 and 0 <= s.alpha.min() and s.alpha.max() <= 1
        assert (s.alpha == 0).any(), s.name
        assert (s.alpha == 1).any() or see_through(s), s.name
        assert s.foreground.shape == (h, w, 3) and s.foreground.dtype == np.float32
        assert 0 <= s.foreground.min() and s.foreground.max() <= 255


def test_photo_is_the_truth_composited_plus_camera_noise(samples):
    for s in samples:
        a = s.alpha[..., None]
        residual = np.asarray(s.image, np.float32) - (a * s.foreground + (1 - a) * s.background)
        assert abs(residual.mean()) < 0.1, s.name  # no bias: the truth explains the photo
        assert np.abs(residual).mean() < 1.0 * NOISE, s.name  # E|N(0, s)| = 0.8 s
        assert np.quantile(np.abs(residual), 0.999) < 4.5 * NOISE, s.name


def check_background_and_darker(s, region: str) -> None:
    mask = s.regions[region]
    assert mask.sum() >= 0.005 * mask.size, (s.name, region)
    assert (s.alpha[mask] == 0).all(), s.name
    around = grown(mask, 6) & ~grown(mask, 2) & (s.alpha == 0)
    for other in ("shadow", "reflection"):
        if other != region and other in s.regions:
            around &= ~grown(s.regions[other], 2)
    light = luminance(s.image)
    assert light[mask].mean() < light[around].mean() - 10, (s.name, region)


def test_shadows_are_background_yet_darken_the_backdrop(samples):
    for s in of(samples, "shadow") + of(samples, "white"):
        check_background_and_darker(s, "shadow")


def test_reflections_are_background_yet_show_in_the_floor(samples):
    for s in of(samples, "reflection"):
        check_background_and_darker(s, "reflection")


def test_holes_are_background_enclosed_by_the_object(samples):
    with_holes = [s for s in samples if s.regions.get("hole") is not None and s.regions["hole"].any()]
    assert {s.name for s in of(samples, "hole")} <= {s.name for s in with_holes}
    for s in with_holes:
        hole = s.regions["hole"]
        assert (s.alpha[hole] == 0).all(), s.name
        # hole category: walled in by fully opaque pixels; thin handles elsewhere: by the subject
        wall = 1.0 if s.category == "hole" else 0.5
        assert not reached_from_border(s.alpha < wall)[hole].any(), s.name


def fractional_share(alpha: np.ndarray) -> float:
    visible = alpha > 0.05
    return float(((alpha > 0.05) & (alpha < 0.95)).sum() / visible.sum())


def test_soft_edges_have_fractional_alpha_hard_ones_do_not(samples):
    for s in of(samples, "soft"):
        assert fractional_share(s.alpha) > 0.2, s.name
    for s in of(samples, "easy"):
        assert fractional_share(s.alpha) < 0.15, s.name  # a one-pixel anti-aliased rim only
    glass = [s for s in of(samples, "soft") if ((s.alpha >= 0.25) & (s.alpha <= 0.65)).mean() > 0.05]
    assert glass, "a see-through object with alpha 0.3-0.6 over a sizeable area"


def test_clear_objects_are_see_through_with_opaque_walls_edge_on(samples):
    for s in of(samples, "clear"):
        visible = s.alpha > 0.02
        assert fractional_share(s.alpha) > 0.5, s.name  # labels, caps and lids are the opaque rest
        rows = np.flatnonzero(visible.any(axis=1))
        row = s.alpha[rows[len(rows) * 4 // 5]]  # across the lower body, below any label
        inside = np.flatnonzero(row > 0.02)
        middle = row[inside[len(inside) // 2]]
        assert row[inside[1:4]].max() > middle + 0.05, s.name  # seen edge-on at the silhouette: more opaque
    clear = [s for s in of(samples, "clear")
             if ((s.alpha > 0.1) & (s.alpha < 0.3)).sum() > 0.3 * (s.alpha > 0.02).sum()]
    assert len(clear) >= 3, "clear glass and plastic: mostly alpha 0.1-0.3"


def test_thin_parts_are_a_few_pixels_wide_and_attached(samples):
    for s in of(samples, "thin"):
        thin = s.regions["thin"] & (s.alpha > 0.5)
        assert thin.sum() > 40, s.name
        assert (shrunk(s.alpha > 0.5, 2) & thin).sum() < 0.3 * thin.sum(), s.name  # gone in a 5x5 erosion
        # attached: filling from the object's core over alpha > 0.1 reaches the thin part
        depth = box_mean(box_mean((s.alpha > 0.5).astype(np.float32), 3, 0), 3, 1)
        core = np.unravel_index(np.argmax(depth), depth.shape)  # the most solid spot of the object
        canvas = Image.fromarray(np.where(s.alpha > 0.1, 255, 0).astype(np.uint8), "L").copy()
        ImageDraw.floodfill(canvas, (int(core[1]), int(core[0])), 128)
        assert (np.asarray(canvas)[thin] == 128).mean() > 0.9, s.name


# -- metrics ------------------------------------------------------------------------------------------
def test_a_perfect_estimate_scores_perfectly(samples):
    s = next(s for s in samples if s.name == "soft-2")  # fractional alpha everywhere on the glass
    backdrop = metrics.new_background(s.alpha.shape, metrics.border_colour(np.asarray(s.image)))
    assert metrics.iou(s.alpha, s.alpha) == 1.0
    assert metrics.edge_error(s.alpha, s.alpha) == 0.0
    assert metrics.composite_error(s.alpha, s.foreground, s.alpha, s.foreground, backdrop) == 0.0


def test_metrics_on_a_hand_made_case():
    truth = np.zeros((10, 10), np.float32)
    truth[:, :5] = 1  # left half
    estimate = np.roll(truth, 1, axis=1)  # one column too far right
    assert metrics.iou(estimate, truth) == pytest.approx(40 / 60)
    band = metrics.edge_band(truth, reach=1)
    assert band.sum() == 20 and band[:, 4:6].all()  # the columns either side of the contour
    assert metrics.edge_error(estimate, truth, band) == pytest.approx(0.5)  # column 5 wrong, column 4 right
    grey, white = np.full((10, 10, 3), 100, np.float32), np.full((10, 10, 3), 200, np.float32)
    # column 5 shows grey where white backdrop belongs: 100 levels on half the band
    assert metrics.composite_error(estimate, grey, truth, grey, white, band) == pytest.approx(50.0)
    half = np.full((10, 10), 0.5, np.float32)
    assert metrics.composite_error(half, grey, np.ones((10, 10), np.float32), grey, white,
                                   np.ones((10, 10), bool)) == pytest.approx(50.0)


def test_empty_masks_and_bands():
    zero = np.zeros((8, 8), np.float32)
    assert metrics.iou(zero, zero) == 1.0  # nothing to find, nothing found
    assert not metrics.edge_band(zero).any() and metrics.edge_error(zero, zero) == 0.0


def test_new_background_is_far_from_the_old_backdrop():
    for old in [(250, 250, 250), (200, 40, 120), (30, 70, 190), (140, 140, 138)]:
        board = metrics.new_background((60, 80), np.array(old, np.float32))
        colours = np.unique(board.reshape(-1, 3), axis=0)
        assert len(colours) == 2
        assert min(np.linalg.norm(c - np.array(old)) for c in colours) > 150, old
