"""Sizes and boxes: crop, fit-inside, cover, centring, resampling. Pure functions."""
from __future__ import annotations

import math

from PIL import Image

from imagegraphics.errors import Loc, RenderFailed, detail

Size = tuple[int, int]
Box = tuple[int, int, int, int]


def check_crop(box: Box, size: Size, loc: Loc) -> None:
    """The crop box (left, top, right, bottom, in original pixels) must lie inside the image."""
    if box[2] > size[0] or box[3] > size[1]:
        raise RenderFailed(
            "crop box lies outside the image",
            [detail(loc, f"crop right/bottom ({box[2]}, {box[3]}) must be within the image size "
                         f"{size[0]}x{size[1]}")],
        )


def scale_box(box: Box, source: Size, target: Size) -> Box:
    """A box in source pixels expressed in the pixels of the same image at another size."""
    sx, sy = target[0] / source[0], target[1] / source[1]
    left, top = min(round(box[0] * sx), target[0] - 1), min(round(box[1] * sy), target[1] - 1)
    return left, top, max(left + 1, round(box[2] * sx)), max(top + 1, round(box[3] * sy))


def shrink_decode_size(region: Size, target: Size, full: Size) -> Size | None:
    """The least full-image size to decode when `region` of it ends up at `target`.

    Only worth asking when shrinking at least 4x; the decoded region then keeps at least twice
    the target's resolution, so the final Lanczos step still has real detail to work from.
    """
    ratio = max(target[0] / region[0], target[1] / region[1])
    if ratio > 0.25:
        return None
    return math.ceil(full[0] * 2 * ratio), math.ceil(full[1] * 2 * ratio)


def fit_inside(size: Size, box: Size) -> Size:
    """Largest size with the same aspect ratio that fits inside box (up- or downscaling)."""
    width, height = size
    scale = min(box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def cover_box(size: Size, box: Size) -> tuple[float, float, float, float]:
    """The centred region of an image of `size` that, scaled keeping aspect, exactly covers box."""
    width, height = size
    scale = max(box[0] / width, box[1] / height)
    region_w, region_h = box[0] / scale, box[1] / scale
    left, top = (width - region_w) / 2, (height - region_h) / 2
    return left, top, left + region_w, top + region_h


def centred(inner: Size, outer: Size) -> tuple[int, int]:
    """Top-left offset that centres inner on outer (negative when inner is larger)."""
    return (outer[0] - inner[0]) // 2, (outer[1] - inner[1]) // 2


def resample_for(source: Size, target: Size) -> Image.Resampling:
    """Lanczos when shrinking (no aliasing); bicubic when enlarging (as sharp, cheaper)."""
    shrinking = target[0] < source[0] or target[1] < source[1]
    return Image.Resampling.LANCZOS if shrinking else Image.Resampling.BICUBIC


def resize(image: Image.Image, size: Size, box: tuple[float, float, float, float] | None = None,
           resample: Image.Resampling | None = None) -> Image.Image:
    """Resize (optionally a source region). Pillow premultiplies alpha itself, so RGBA has no fringes."""
    if image.size == tuple(size) and box is None:
        return image
    if resample is not None:
        return image.resize(size, resample, box=box)
    region = (box[2] - box[0], box[3] - box[1]) if box else image.size
    # reducing_gap pre-shrinks by an integer factor first: much faster on big downscales,
    # no visible loss at a gap of 3.
    return image.resize(size, resample_for(region, size), box=box, reducing_gap=3.0)
