"""Sizes and boxes: crop, fit-inside, cover, centring, resampling. Pure functions."""
from __future__ import annotations

from PIL import Image

from imagegraphics.errors import Loc, RenderFailed, detail

Size = tuple[int, int]
Box = tuple[int, int, int, int]


def crop(image: Image.Image, box: Box, loc: Loc) -> Image.Image:
    """Crop to (left, top, right, bottom) in original pixels; the box must lie inside the image."""
    left, top, right, bottom = box
    width, height = image.size
    if right > width or bottom > height:
        raise RenderFailed(
            "crop box lies outside the image",
            [detail(loc, f"crop right/bottom ({right}, {bottom}) must be within the image size "
                         f"{width}x{height}")],
        )
    return image.crop(box)


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
