"""Crop to the subject: the cut-out's bounding box plus a margin, then (optionally) fitted to a size.

The box holds every pixel at least SUBJECT_MIN_ALPHA opaque: fainter ones (a level or two of haze
a soft matte leaves) are invisible on any background and would only loosen the crop. A margin
that reaches past the image is transparent. With a `size`, a margin in pixels stays exact in the
output (the subject is fitted inside the size less the margins); a percentage scales with it.
"""
from __future__ import annotations

from typing import Any, Callable

from PIL import Image

from imagegraphics.imaging.geometry import Box, Size, fit_inside, resize

SUBJECT_MIN_ALPHA = 8  # of 255
_AT_LEAST = [255 if level >= SUBJECT_MIN_ALPHA else 0 for level in range(256)]


def subject_box(image: Image.Image) -> Box | None:
    """The bounding box (left, top, right, bottom) of the visible subject, or None."""
    if image.mode != "RGBA":
        return (0, 0, image.width, image.height)
    return image.getchannel("A").point(_AT_LEAST).getbbox()


def planned_size(box: Box, margin: Any, size: Size | None) -> Size:
    """The output size of crop_to_subject, known before any pixel is made (to check limits)."""
    width, height = box[2] - box[0], box[3] - box[1]
    if size is not None and margin.pixels is not None:
        m = margin.pixels
        inner = fit_inside((width, height), (size[0] - 2 * m, size[1] - 2 * m))
        return inner[0] + 2 * m, inner[1] + 2 * m
    mx, my = margin.on(width, height)
    cropped = (width + 2 * mx, height + 2 * my)
    return fit_inside(cropped, size) if size is not None else cropped


def crop_to_subject(image: Image.Image, box: Box, margin: Any, size: Size | None,
                    check: Callable[[Size], None] = lambda size: None) -> Image.Image:
    """The image cropped to `box` plus `margin` (a request MarginValue) on every side; with `size`,
    fitted inside it. `check` sees the output size before it is built (RenderFailed if too large)."""
    width, height = box[2] - box[0], box[3] - box[1]
    out_size = planned_size(box, margin, size)
    check(out_size)
    if size is not None and margin.pixels is not None:
        m = margin.pixels
        out = Image.new("RGBA", out_size, (0, 0, 0, 0))
        subject = image.crop(box)
        out.paste(resize(subject, (out_size[0] - 2 * m, out_size[1] - 2 * m)), (m, m))
        return out
    mx, my = margin.on(width, height)
    # Pillow fills the part of a crop box outside the image with zeros: transparent.
    cropped = image.crop((box[0] - mx, box[1] - my, box[2] + mx, box[3] + my))
    return resize(cropped, out_size) if size is not None else cropped
