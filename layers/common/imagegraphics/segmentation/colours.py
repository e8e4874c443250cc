"""Edge colour decontamination: soft-edge pixels get an estimated foreground colour, so a cut-out
laid on a new background shows no halo of the old one.

Blur-fusion foreground estimation (Forte & Pitié, "Approximate fast foreground colour estimation",
ICIP 2021): local means of foreground and background weighted by alpha, then one step that makes
the pixel obey the compositing equation I = aF + (1 - a)B. The smooth means are computed at working
resolution (two passes, large then small radius, as the paper does); the final step runs at full
resolution on the soft pixels only, which are a thin band along the outline.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

WIDE, NARROW = 0.045, 0.006  # blur radii as shares of the working image's longest side (90 and 6 px at 2 MP)
EPS = 1e-5


def _means(image: np.ndarray, fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray,
           radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Alpha-weighted local means of fg and bg, and the fg estimate that obeys the equation."""
    k = (2 * radius + 1, 2 * radius + 1)
    a = alpha[..., None]
    blurred_a = cv2.blur(alpha, k)[..., None]
    mean_f = cv2.blur(fg * a, k) / (blurred_a + EPS)
    mean_b = cv2.blur(bg * (1 - a), k) / (1 - blurred_a + EPS)
    f = np.clip(mean_f + a * (image - a * mean_f - (1 - a) * mean_b), 0, 255)
    return f, mean_b


@dataclass(frozen=True)
class EdgeColours:
    """Smooth foreground and background colour estimates at working resolution."""

    foreground: np.ndarray  # float32 hxwx3, 0..255
    background: np.ndarray

    @classmethod
    def estimate(cls, rgb: np.ndarray, alpha: np.ndarray) -> EdgeColours:
        image = np.ascontiguousarray(rgb, np.float32)
        alpha = np.ascontiguousarray(alpha, np.float32)
        side = max(alpha.shape)
        wide, narrow = max(2, round(WIDE * side)), max(1, round(NARROW * side))
        fg, bg = _means(image, image, image, alpha, wide)
        k = (2 * narrow + 1, 2 * narrow + 1)
        a = alpha[..., None]
        blurred_a = cv2.blur(alpha, k)[..., None]
        mean_f = cv2.blur(fg * a, k) / (blurred_a + EPS)
        mean_b = cv2.blur(bg * (1 - a), k) / (1 - blurred_a + EPS)
        return cls(mean_f.astype(np.float32), mean_b.astype(np.float32))

    def apply(self, image: Image.Image) -> Image.Image:
        """Replace the colour of every soft pixel (alpha strictly between 0 and 255) of an RGBA image."""
        alpha8 = np.asarray(image.getchannel("A"))
        ys, xs = np.nonzero((alpha8 > 0) & (alpha8 < 255))
        if not len(ys):
            return image
        pixels = np.array(image)  # writable copy; rows without soft pixels are untouched
        a = (alpha8[ys, xs].astype(np.float32) / 255)[:, None]
        h, w = self.foreground.shape[:2]
        fx = (xs + 0.5) * (w / image.width) - 0.5
        fy = (ys + 0.5) * (h / image.height) - 0.5
        mean_f, mean_b = _sample(self.foreground, fx, fy), _sample(self.background, fx, fy)
        colour = pixels[ys, xs, :3].astype(np.float32)
        f = mean_f + a * (colour - a * mean_f - (1 - a) * mean_b)
        pixels[ys, xs, :3] = np.clip(f + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(pixels, "RGBA")


def _sample(grid: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """Bilinear samples of an hxwxC grid at fractional positions (clamped at the borders)."""
    h, w = grid.shape[:2]
    fx, fy = np.clip(fx, 0, w - 1), np.clip(fy, 0, h - 1)
    x0, y0 = np.minimum(fx.astype(np.intp), w - 2 if w > 1 else 0), np.minimum(fy.astype(np.intp), h - 2 if h > 1 else 0)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    tx, ty = (fx - x0)[:, None], (fy - y0)[:, None]
    top = grid[y0, x0] * (1 - tx) + grid[y0, x1] * tx
    bottom = grid[y1, x0] * (1 - tx) + grid[y1, x1] * tx
    return top * (1 - ty) + bottom * ty
