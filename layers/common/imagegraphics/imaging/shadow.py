"""Drop shadow: the subject's alpha, offset, blurred and tinted, drawn right under the subject.

The blur runs at reduced resolution: the alpha is box-reduced by a factor f that keeps the blur at
least MIN_SMALL_SIGMA pixels wide at the small scale, blurred there, and enlarged back bilinearly.
The reduction and the enlargement widen the Gaussian by about f²/4 in variance, which the small
blur leaves out, so the result matches a true full-resolution Gaussian to about two levels of 255
(see the tests) at a small fraction of the cost (bench/imaging.py). OpenCV blurs and resizes (an
exact sampled kernel; Pillow's box approximation of a Gaussian is itself 4-6 levels off); it is
imported on first use, as the segmentation that every shadow follows imports it anyway.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image

from imagegraphics.imaging.geometry import Box, Size
from imagegraphics.imaging.tiles import TILE, in_threads, tiles

MIN_SMALL_SIGMA = 4.0  # at the reduced scale: the enlarged result stays smooth
REACH = 3.0  # sigmas past which the Gaussian adds less than half a level of 255


@dataclass(frozen=True)
class Shadow:
    color: tuple[int, int, int, int]
    opacity: float  # 0..1, multiplied by the colour's own alpha
    blur: float  # the Gaussian's standard deviation in pixels
    offset: tuple[int, int]

    @property
    def strength(self) -> float:
        return self.opacity * self.color[3] / 255


def blurred(alpha: np.ndarray, sigma: float, strength: float = 1.0) -> tuple[np.ndarray, int]:
    """The alpha (uint8 HxW) blurred with a Gaussian of `sigma` and scaled by `strength`, on a
    canvas grown by a pad on every side so nothing is cut off; returns (array, pad)."""
    if sigma <= 0:
        return _scaled(alpha, strength), 0
    import cv2

    factor = max(1, int(sigma / MIN_SMALL_SIGMA))
    pad = math.ceil((math.ceil(REACH * sigma) + factor) / factor) * factor  # whole small pixels
    if factor == 1:
        canvas = np.pad(alpha, pad)
        return _scaled(_gaussian(canvas, sigma), strength), pad
    # The alpha alone is reduced (its far side padded to whole blocks), then padded at the small scale.
    height, width = (math.ceil(side / factor) * factor for side in alpha.shape)
    whole = np.pad(alpha, ((0, height - alpha.shape[0]), (0, width - alpha.shape[1])))
    # An integer factor of INTER_AREA is the box average of each f x f block.
    small = cv2.resize(whole, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    small_sigma = math.sqrt(max(sigma * sigma - factor * factor / 4, 0.0)) / factor
    small = _scaled(_gaussian(np.pad(small, pad // factor), small_sigma), strength)
    size = (small.shape[1] * factor, small.shape[0] * factor)
    return cv2.resize(small, size, interpolation=cv2.INTER_LINEAR), pad


def _gaussian(pixels: np.ndarray, sigma: float) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(pixels, (0, 0), sigma, borderType=cv2.BORDER_CONSTANT)


def _scaled(mask: np.ndarray, strength: float) -> np.ndarray:
    if strength >= 1:
        return mask
    table = np.array([round(v * strength) for v in range(256)], np.uint8)
    return table[mask]


def _intersect(a: Box, b: Box) -> Box | None:
    box = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return box if box[0] < box[2] and box[1] < box[3] else None


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _tile_extrema(values: np.ndarray, reduce: Callable[..., np.ndarray]) -> np.ndarray:
    """reduce (np.min or np.max) of each TILE x TILE tile of a 2-D array, as a grid in tiles() order."""
    height, width = values.shape
    whole = width // TILE * TILE
    out = np.empty((-(-height // TILE), -(-width // TILE)), values.dtype)
    for row, top in enumerate(range(0, height, TILE)):
        band = values[top:top + TILE]
        if whole:
            out[row, :width // TILE] = reduce(band[:, :whole].reshape(band.shape[0], -1, TILE), axis=(0, 2))
        if whole < width:
            out[row, -1] = reduce(band[:, whole:])
    return out


def _paste_array(target: np.ndarray, source: np.ndarray, at: tuple[int, int]) -> None:
    """target[at:] = source, clipped to target."""
    x, y = at
    top, left = max(0, y), max(0, x)
    bottom, right = min(target.shape[0], y + source.shape[0]), min(target.shape[1], x + source.shape[1])
    if top < bottom and left < right:
        target[top:bottom, left:right] = source[top - y:bottom - y, left - x:right - x]


def cast(subject: Image.Image, shadow: Shadow, frame: Size, at: tuple[int, int], in_place: bool = False
         ) -> tuple[Image.Image, tuple[int, int]]:
    """The subject (RGBA, placed at `at` on a frame of size `frame`) with its shadow under it: a
    layer covering both, clipped to the frame, and where it goes. Composited over a background,
    the layer gives the same pixels as the shadow over the background and then the subject.

    The layer starts as the subject (itself when `in_place` and the layer has its box, else a
    copy); only tiles where some shadow falls outside the subject's opaque pixels are then
    composited (shadow, then the subject over it).
    """
    if subject.mode != "RGBA" or shadow.strength <= 0:
        return subject, at
    alpha = np.asarray(subject.getchannel("A"))
    rows, columns = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if rows.size == 0:
        return subject, at
    inside = (int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1)
    mask, pad = blurred(alpha[inside[1]:inside[3], inside[0]:inside[2]], shadow.blur, shadow.strength)
    mask_at = (at[0] + inside[0] + shadow.offset[0] - pad, at[1] + inside[1] + shadow.offset[1] - pad)
    subject_box = (at[0], at[1], at[0] + subject.width, at[1] + subject.height)
    mask_box = (mask_at[0], mask_at[1], mask_at[0] + mask.shape[1], mask_at[1] + mask.shape[0])
    region = _intersect(_union(subject_box, mask_box), (0, 0, frame[0], frame[1]))
    if region is None:
        return subject, at
    size = (region[2] - region[0], region[3] - region[1])
    sub_at = (at[0] - region[0], at[1] - region[1])
    shade = np.zeros((size[1], size[0]), np.uint8)
    _paste_array(shade, mask, (mask_at[0] - region[0], mask_at[1] - region[1]))
    cover = alpha if sub_at == (0, 0) and alpha.shape == shade.shape else np.zeros_like(shade)
    if cover is not alpha:
        _paste_array(cover, alpha, sub_at)
        layer = Image.new("RGBA", size, (0, 0, 0, 0))
        layer.paste(subject, sub_at)
    else:
        layer = subject if in_place else subject.copy()
    mixed = (_tile_extrema(shade, np.max) > 0) & (_tile_extrema(cover, np.min) < 255)
    boxes = [box for i, box in enumerate(tiles(size)) if mixed[divmod(i, mixed.shape[1])]]
    shade_image = Image.fromarray(shade)

    def composite(box: Box) -> Image.Image:
        tile = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), shadow.color[:3])
        tile.putalpha(shade_image.crop(box))
        # Past the subject's edge the crop is transparent. In place, the layer is the subject: each
        # tile is read here before the main thread writes it, and no two tiles overlap.
        tile.alpha_composite(subject.crop((box[0] - sub_at[0], box[1] - sub_at[1],
                                           box[2] - sub_at[0], box[3] - sub_at[1])))
        return tile

    for box, tile in in_threads(composite, boxes):
        layer.paste(tile, box[:2])
    return layer, (region[0], region[1])
