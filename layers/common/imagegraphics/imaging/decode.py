"""Safe decoding: header checks before any pixel is decoded, then normalisation to sRGB RGB(A).

Every image the engine touches (asset, background, graphic, border) comes through here, so the
pixel limit, the EXIF orientation and the colour conversion are applied in exactly one place.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from imagegraphics.errors import ImageRejected
from imagegraphics.imaging.types import CONTENT_TYPES

# Only these decoders are ever tried: Pillow would otherwise probe every plugin it has
# (including rarely exercised ones) on untrusted bytes. Multi-picture camera JPEGs open as MPO.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP")
_SRGB = ImageCms.createProfile("sRGB")
ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ImageInfo:
    format: str
    content_type: str
    width: int
    height: int


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and refuse anything over the pixel limit before decoding."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is superseded by our explicit limit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageRejected(f"image has too many pixels (limit {max_pixels}): {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            "not a supported image (JPEG, PNG, WebP, GIF, TIFF or BMP expected)"
        ) from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageRejected("not a supported image: zero width or height")
    if width * height > max_pixels:
        raise ImageRejected(
            f"image has too many pixels: {width}x{height} = {width * height} > limit {max_pixels}"
        )
    return image


def read_header(data: bytes, max_pixels: int) -> ImageInfo:
    """Format and upright size from the header alone; raises ImageRejected like decode() would.

    The size is the one decode() returns: EXIF orientations 5-8 (quarter turns) swap the sides,
    so a crop written against the photo as displayed matches the stored width and height.
    """
    image = _open(data, max_pixels)
    width, height = image.size
    if _orientation(image) in (5, 6, 7, 8):
        width, height = height, width
    return ImageInfo(image.format, CONTENT_TYPES[image.format], width, height)


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION_TAG, 1))
    except (OSError, SyntaxError, ValueError, TypeError):
        return 1  # unreadable EXIF: decode() ignores it the same way


def decode(data: bytes, max_pixels: int, at_least: tuple[int, int] | None = None) -> Image.Image:
    """Decode to an upright sRGB image in mode RGB or RGBA (first frame if animated).

    `at_least` (upright width, height) lets a JPEG be decoded at 1/2, 1/4 or 1/8 scale by
    libjpeg's DCT scaling, never below that size: far cheaper when the image is shrunk anyway.
    """
    image = _open(data, max_pixels)
    if at_least is not None and image.format == "JPEG":
        if _orientation(image) in (5, 6, 7, 8):
            at_least = (at_least[1], at_least[0])
        image.draft(image.mode, at_least)
    try:
        image.seek(0)
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(f"image data is truncated or corrupt: {exc}") from exc
    icc = image.info.get("icc_profile")
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError):
        pass  # malformed EXIF: keep the pixels as stored rather than refuse the image
    image = _to_8bit(image)
    if icc:
        image = _icc_to_srgb(image, icc)
    return _to_rgb_or_rgba(image)


def _to_8bit(image: Image.Image) -> Image.Image:
    """16/32-bit and float greyscale → 8-bit L; Pillow's convert() would clip instead of scale."""
    import numpy as np  # only here: ingest reads headers with this module and never needs numpy

    if image.mode.startswith("I;16") or image.mode == "I":
        values = np.asarray(image).astype(np.float64)
        full_scale = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
        return Image.fromarray(np.clip(values * (255.0 / full_scale) + 0.5, 0, 255).astype(np.uint8))
    if image.mode == "F":
        values = np.asarray(image)
        scale = 255.0 if values.max() <= 1.0 else 1.0
        return Image.fromarray(np.clip(values * scale + 0.5, 0, 255).astype(np.uint8))
    return image


def _icc_to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Convert from the embedded profile to sRGB; a broken profile is ignored, not fatal."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode in ("RGB", "RGBA") and "srgb" in ImageCms.getProfileDescription(source).lower():
            return image  # already sRGB: skip a full-image pass
        alpha = None
        if image.mode in ("RGBA", "LA", "PA", "P"):
            image = image.convert("RGBA") if image.mode != "LA" else image
            alpha = image.getchannel("A")
            image = image.convert("RGB" if image.mode == "RGBA" else "L")
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = (
        image.mode in ("LA", "La", "PA", "RGBa")
        or (image.mode in ("P", "L", "RGB") and "transparency" in image.info)
    )
    return image.convert("RGBA" if has_alpha else "RGB")
