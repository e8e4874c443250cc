"""Sizes and boxes: crop, fit-inside, cover, centring. Pure functions on plain tuples."""
from __future__ import annotations

from PIL import Image

from imagegraphics.errors import Loc, RenderFailed, detail

Size = tuple[int, int]
Box = tuple[int, int, int, int]

# Lanczos for downscaling photos; it is also what Pillow's reducing_gap path is tuned for.
RESAMPLE = Image.Resampling.LANCZOS


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


def cover(size: Size, box: Size) -> Size:
    """Smallest size with the same aspect ratio that covers box entirely."""
    width, height = size
    scale = max(box[0] / width, box[1] / height)
    return max(box[0], round(width * scale)), max(box[1], round(height * scale))


def centred(inner: Size, outer: Size) -> tuple[int, int]:
    """Top-left offset that centres inner on outer (negative when inner is larger)."""
    return (outer[0] - inner[0]) // 2, (outer[1] - inner[1]) // 2


def resize(image: Image.Image, size: Size) -> Image.Image:
    if image.size == tuple(size):
        return image
    # reducing_gap lets Pillow pre-shrink by an integer factor first: much faster on big
    # downscales with no visible loss at 3x.
    return image.resize(size, RESAMPLE, reducing_gap=3.0)


def resize_rgba(image: Image.Image, size: Size) -> Image.Image:
    """Resize without dark fringes: premultiply alpha so transparent pixels' colour can't bleed."""
    if image.mode != "RGBA" or image.size == tuple(size):
        return resize(image, size)
    return resize(image.convert("RGBa"), size).convert("RGBA")
