"""Is there a subject at all? A mask that finds none fails the asset (422, unknown_foreground)
rather than come back as a fully transparent image that the job calls OK."""
from __future__ import annotations

import cv2
import numpy as np

from imagegraphics.errors import NoForeground

MIN_AREA = 0.002  # a subject smaller than this share of the frame is a speck, not a subject
MAX_AREA = 0.99  # a "subject" that leaves no background is a model answering noise, not a cut
MIN_PEAK = 0.5  # the mask must be sure of some pixel
# Colour histograms of subject and background this alike (Bhattacharyya distance; 0.41 to 0.81
# measured on real photos) mean the mask split one texture in two: noise, a wall, grass.
MIN_DISTINCT = 0.15
HISTOGRAM_LEVELS = 8  # per channel


def distinctness(rgb: np.ndarray, fg: np.ndarray) -> float:
    """Bhattacharyya distance between the colour histograms inside and outside the mask."""
    q = (np.clip(rgb, 0, 255).astype(np.int32) * HISTOGRAM_LEVELS) // 256
    index = (q[..., 0] * HISTOGRAM_LEVELS + q[..., 1]) * HISTOGRAM_LEVELS + q[..., 2]
    bins = HISTOGRAM_LEVELS ** 3
    inside = np.bincount(index[fg], minlength=bins).astype(np.float32)
    outside = np.bincount(index[~fg], minlength=bins).astype(np.float32)
    return float(cv2.compareHist(inside / inside.sum(), outside / outside.sum(), cv2.HISTCMP_BHATTACHARYYA))


def check(mask: np.ndarray, method: str, rgb: np.ndarray | None = None) -> None:
    """Raise NoForeground when the working-resolution probability holds no subject."""
    peak = float(mask.max()) if mask.size else 0.0
    fg = mask > 0.5
    area = float(fg.mean()) if mask.size else 0.0
    if not np.isfinite(peak) or peak < MIN_PEAK:
        reason = "the image has no distinct subject"
    elif area < MIN_AREA:
        reason = f"the subject found covers {area:.2%} of the image, under the {MIN_AREA:.1%} minimum"
    elif area > MAX_AREA:
        reason = "the whole image was taken as the subject, leaving no background to remove"
    elif rgb is not None and distinctness(rgb, fg) < MIN_DISTINCT:
        reason = "what was found looks like its surroundings (a texture, not a subject)"
    else:
        return
    hint = " (no person found: mode 'product' keeps any object)" if method == "portrait" else ""
    raise NoForeground(f"no foreground found: {reason}{hint}")
