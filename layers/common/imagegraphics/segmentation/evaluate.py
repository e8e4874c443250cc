"""Edge quality measurement: a synthetic photo with a known alpha, and the alpha error near edges.

Used by the tests and bench/segmentation.py to compare refinement with plain bilinear upsampling.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from imagegraphics.segmentation import refine
from imagegraphics.segmentation.segmenter import GUIDE_EPS, GUIDE_RADIUS, working_image

MODEL_SIDE = 256  # the low-resolution mask is made at the portrait model's size


def synthetic(width: int, height: int, seed: int = 0) -> tuple[Image.Image, np.ndarray]:
    """(RGB photo, true alpha float32): a wavy blob with thin arms over a textured background,
    edges anti-aliased by 4x supersampling."""
    rng = np.random.default_rng(seed)
    s = 4
    angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    radius = 0.3 * (1 + 0.15 * np.sin(7 * angles) + 0.05 * np.sin(23 * angles + 1))
    points = [(float((0.5 + r * np.cos(t) * height / width) * width * s),
               float((0.5 + r * np.sin(t)) * height * s)) for r, t in zip(radius, angles)]
    shape = Image.new("L", (width * s, height * s), 0)
    draw = ImageDraw.Draw(shape)
    draw.polygon(points, fill=255)
    for k in range(5):  # thin arms: hard for a low-resolution mask
        x = (0.12 + 0.17 * k) * width * s
        draw.line([(x, 0.05 * height * s), (x + 0.05 * width * s, 0.3 * height * s)], fill=255,
                  width=max(1, int((2 + 2 * k) * s * width / 2000)))
    alpha = np.asarray(shape.reduce(s), np.float32) / 255.0
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    fg = np.stack([200 + 30 * np.sin(xx / 37), 120 + 40 * np.cos(yy / 53), 60 + 0 * xx], -1)
    bg = np.stack([40 + 60 * yy / height, 90 + 50 * xx / width, 170 + 30 * np.sin((xx + yy) / 91)], -1)
    noise = rng.normal(0, 4, (height, width, 1)).astype(np.float32)
    rgb = alpha[..., None] * fg + (1 - alpha[..., None]) * bg + noise
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB"), alpha


def low_res_mask(alpha: np.ndarray) -> np.ndarray:
    """What a perfect model at MODEL_SIDE x MODEL_SIDE (aspect stretched) would output."""
    image = Image.fromarray(alpha, "F").resize((MODEL_SIDE, MODEL_SIDE), Image.BOX)
    return np.asarray(image, np.float32)


def bilinear(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(mask, "F").resize(size, Image.BILINEAR), np.float32)


def refined(image: Image.Image, mask: np.ndarray, radius: int = GUIDE_RADIUS,
            eps: float = GUIDE_EPS) -> np.ndarray:
    """The refinement the Segmenter applies, without the strength ramp, from the low-resolution mask."""
    small = working_image(image)
    rgb = np.asarray(small, np.float32)
    coef = refine.solve(rgb, bilinear(mask, small.size), radius, eps)
    return refine.from_levels(refine.apply(coef, image))


def edge_band(alpha: np.ndarray) -> np.ndarray:
    """Pixels within one model pixel of an edge of the true alpha."""
    reach = int(np.ceil(max(alpha.shape) / MODEL_SIDE))
    near = refine.box_mean((alpha > 0.5).astype(np.float32), reach)
    return ((near > 0) & (near < 1)) | ((alpha > 0.01) & (alpha < 0.99))


def edge_error(estimate: np.ndarray, truth: np.ndarray) -> float:
    """Mean absolute alpha error inside the edge band."""
    band = edge_band(truth)
    return float(np.abs(estimate[band] - truth[band]).mean())
