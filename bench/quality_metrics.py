"""Scores of an estimated matte against the truth, used by bench/quality.py.

- iou: overlap of (estimate > 0.5) and (truth > 0.5): does the cut-out hold the right thing?
- edge_error: mean |alpha - truth| in the edge band: how clean is the outline?
- composite_error: mean absolute error (0..255) in the edge band of the cut-out laid over a new
  background, against the truth laid over it: what a shop sees (halos, fringes, lost hair).

- see_through: of the pixels inside the true subject, eroded by 1.5% of the diagonal, that the
  cut-out calls subject (alpha at least one half), the share with alpha under 250: a coat, a
  badge or a lower body the background shows through (pixels whose truth is itself see-through,
  glass or a soft edge, are left out);
- stray: of the pixels outside the true subject (anything of it, alpha over 5) dilated by 1.5% of
  the diagonal, the share with alpha over 5: a flag, grass or a strip between two subjects left
  in the cut-out.
Those two are what a person sees on a contrasting background, whatever the IoU says.

The edge band is every pixel within ~1% of the image diagonal of the true 0.5 contour, plus every
pixel whose truth is fractional. That is wider than one model pixel
(imagegraphics.segmentation.evaluate.edge_band) on purpose: the errors that matter here, a
shadow or reflection glued to the object or a halo of old backdrop, reach further than that.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from bench.scenes.drawing import box_mean

F32 = np.float32
BAND_SHARE = 0.01  # edge band reach, as a share of the image diagonal
# Saturated colours for the new background; the two furthest from the old backdrop are used.
PALETTE = ((255, 0, 255), (0, 190, 0), (0, 60, 255), (255, 120, 0), (0, 215, 215), (220, 0, 0))
CHECKER_CELLS = 12  # checkerboard squares along the shorter side
REGION_SHARE = 0.015  # see_through and stray look this far (share of the diagonal) from the outline
OPAQUE, CLEAR = 250 / 255, 5 / 255  # the alpha a viewer takes for solid, and for nothing


def iou(estimate: np.ndarray, truth: np.ndarray) -> float:
    est, true = estimate > 0.5, truth > 0.5
    union = np.count_nonzero(est | true)
    return 1.0 if union == 0 else np.count_nonzero(est & true) / union


def edge_band(truth: np.ndarray, reach: int | None = None) -> np.ndarray:
    """Pixels within `reach` (Chebyshev distance; default ~1% of the diagonal) of the true 0.5
    contour, and every pixel whose truth is fractional."""
    h, w = truth.shape
    reach = max(1, round(BAND_SHARE * math.hypot(h, w))) if reach is None else reach
    inside = (truth > 0.5).astype(F32)
    near = box_mean(box_mean(inside, reach, 0), reach, 1)  # share of the window that is inside
    return ((near > 1e-6) & (near < 1 - 1e-6)) | ((truth > 0.01) & (truth < 0.99))


def edge_error(estimate: np.ndarray, truth: np.ndarray, band: np.ndarray | None = None) -> float:
    """Mean |estimate - truth| over the edge band (0 when the band is empty)."""
    band = edge_band(truth) if band is None else band
    return float(np.abs(estimate[band] - truth[band]).mean()) if band.any() else 0.0


def border_colour(rgb: np.ndarray) -> np.ndarray:
    """Median colour of the image's outermost rows and columns: the old backdrop, roughly."""
    ring = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    return np.median(ring.reshape(-1, 3), axis=0)


def new_background(shape: tuple[int, int], old_colour) -> np.ndarray:
    """HxWx3 checkerboard of the two palette colours furthest from `old_colour`: any old backdrop
    left in the cut-out (a halo, a shadow) shows as a colour error against it."""
    h, w = shape
    distance = [np.linalg.norm(np.subtract(c, old_colour, dtype=F32)) for c in PALETTE]
    first, second = (PALETTE[i] for i in np.argsort(distance)[::-1][:2])
    cell = max(1, min(h, w) // CHECKER_CELLS)
    odd = ((np.arange(h)[:, None] // cell + np.arange(w)[None, :] // cell) % 2).astype(bool)
    return np.where(odd[..., None], np.asarray(second, F32), np.asarray(first, F32))


def composite(alpha: np.ndarray, colour: np.ndarray, background: np.ndarray) -> np.ndarray:
    a = alpha[..., None].astype(F32)
    return a * colour.astype(F32) + (1 - a) * background


def composite_error(alpha: np.ndarray, colour: np.ndarray, truth_alpha: np.ndarray,
                    truth_foreground: np.ndarray, background: np.ndarray,
                    band: np.ndarray | None = None) -> float:
    """Mean absolute difference (0..255, all channels) over the edge band between the estimated
    cut-out (`alpha`, straight `colour`) and the true foreground, both over `background`."""
    band = edge_band(truth_alpha) if band is None else band
    if not band.any():
        return 0.0
    mine = composite(alpha[band], colour[band], background[band])
    truth = composite(truth_alpha[band], truth_foreground[band], background[band])
    return float(np.abs(mine - truth).mean())


def far_inside_outside(truth: np.ndarray, share: float = REGION_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """(pixels of the true subject further than `share` of the diagonal from its outline, pixels
    of the background as far from any of it), by Euclidean distance. The subject is alpha > 0.5
    for the inside, and anything of it (alpha > 5) for the outside: a glass of alpha 0.2 is
    not background."""
    reach = share * math.hypot(*truth.shape)
    inside = (truth > 0.5).astype(np.uint8)
    deep = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) > reach
    anything = (truth > CLEAR).astype(np.uint8)
    away = cv2.distanceTransform(1 - anything, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) > reach
    return deep, away


def see_through(alpha: np.ndarray, truth: np.ndarray, regions=None) -> float:
    """Share of the subject's deep inside, called subject by the cut-out, with alpha under 250
    (0 when the cut-out calls none of it subject); where the truth itself is see-through (glass,
    a soft edge) the cut-out may be too."""
    deep, _ = far_inside_outside(truth) if regions is None else regions
    called = deep & (alpha >= 0.5) & (truth >= OPAQUE)
    return float(np.mean(alpha[called] < OPAQUE - 1e-6)) if called.any() else 0.0


def stray(alpha: np.ndarray, truth: np.ndarray, regions=None) -> float:
    """Share of the background far from the subject with alpha over 5 (of 255)."""
    _, away = far_inside_outside(truth) if regions is None else regions
    return float(np.mean(alpha[away] > CLEAR + 1e-6)) if away.any() else 0.0
