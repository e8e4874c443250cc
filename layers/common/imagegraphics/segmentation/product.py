"""Objects on a plain backdrop, without a model: a soft matte from the colour distance to the backdrop.

The backdrop colour is the median of the frame's border in CIELAB (distances there roughly match
what the eye sees). The border must be near-uniform for this to apply; how noisy it is sets the
matte's thresholds, so a grainy or JPEG-compressed backdrop is not mistaken for the object.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BORDER_FRACTION = 0.03  # width of the border band, as a share of the shorter side
UNIFORM_MAX_SPREAD = 6.0  # CIELAB distance most border pixels must stay within
UNIFORM_MIN_SHARE = 0.85  # share of border pixels that must match the backdrop (objects may touch it)


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """HxWx3 sRGB (0..255) to CIELAB under D65, float32."""
    c = rgb.astype(np.float32) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]],
                 np.float32)
    xyz = linear @ m.T / np.array([0.95047, 1.0, 1.08883], np.float32)
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    lab = np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)
    return lab.astype(np.float32)


def border(values: np.ndarray) -> np.ndarray:
    """The border band of an HxW(xC) array as a flat list of its pixels."""
    h, w = values.shape[:2]
    k = max(1, int(round(min(h, w) * BORDER_FRACTION)))
    ring = np.ones((h, w), bool)
    ring[k:h - k, k:w - k] = False
    return values[ring]


@dataclass
class Backdrop:
    colour: np.ndarray  # CIELAB
    noise: float  # typical distance of backdrop pixels to the colour
    share: float  # share of border pixels that match the backdrop

    @property
    def uniform(self) -> bool:
        return self.noise <= UNIFORM_MAX_SPREAD / 2 and self.share >= UNIFORM_MIN_SHARE


def backdrop(rgb: np.ndarray) -> Backdrop:
    """The backdrop seen on the border of an HxWx3 sRGB (0..255) image."""
    ring = srgb_to_lab(border(rgb))
    colour = np.median(ring, axis=0)
    distance = np.linalg.norm(ring - colour, axis=1)
    # the median distance is robust to an object covering part of the border
    noise = float(np.median(distance))
    share = float(np.mean(distance <= UNIFORM_MAX_SPREAD))
    return Backdrop(colour, noise, share)


def matte(lab: np.ndarray, seen: Backdrop) -> np.ndarray:
    """Soft foreground probability (HxW float32): 0 at backdrop colour, 1 clearly away from it."""
    distance = np.linalg.norm(lab - seen.colour, axis=-1)
    low = max(2.0, 3.0 * seen.noise)  # within the backdrop's own spread: background
    high = low + max(6.0, 3.0 * seen.noise)
    return np.clip((distance - low) / (high - low), 0.0, 1.0).astype(np.float32)
