"""Output: PNG (default), WebP or JPEG; an alpha channel only when something is actually transparent.

PNG: RGB and RGBA go through imaging.png (Up filter, row bands deflated on several threads with
zlib-ng): on a 12 MP cut-out about 0.25 s for 7.6 MB where Pillow's level 1 takes 0.7 s for
8.5 MB (bench/imaging.py prints both). Pillow writes any other mode (a grayscale mask), at level 1.
WebP keeps the alpha (lossy colours, lossless alpha); JPEG has none, so a transparent result is
flattened on white.
"""
from __future__ import annotations

import io

from PIL import Image

from imagegraphics.errors import Loc, RenderFailed, detail
from imagegraphics.imaging import png

CONTENT_TYPE = "image/png"
CONTENT_TYPES = {"png": "image/png", "webp": "image/webp", "jpeg": "image/jpeg"}
PNG_COMPRESS_LEVEL = 1  # Pillow's, for the modes imaging.png does not write
# libwebp's effort, 0-6: 4 (Pillow's default) is twice as slow at 12 MP for files a few % smaller.
WEBP_METHOD = 2
MAX_SIDE = {"webp": 16383, "jpeg": 65535}  # the formats' own limits; PNG's is far past any render
WHITE = (255, 255, 255)


def has_transparency(image: Image.Image) -> bool:
    return image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255


def encode_png(image: Image.Image, compress_level: int = PNG_COMPRESS_LEVEL) -> tuple[bytes, bool]:
    """Encode as PNG; returns (bytes, has_alpha). Opaque results are written as RGB, a grayscale
    image (a mask) as grayscale."""
    alpha = has_transparency(image)
    if not alpha and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image.mode in png.COLOUR_TYPE:
        return png.encode(image), alpha
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=compress_level, optimize=False)
    return buffer.getvalue(), alpha


def flatten_on_white(image: Image.Image) -> Image.Image:
    """An opaque RGB (or grayscale) image: what is transparent shows white."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    base = Image.new("RGB", image.size, WHITE)
    base.paste(image, (0, 0), image)
    return base


def check_encodable(size: tuple[int, int], output_format: str, loc: Loc) -> None:
    limit = MAX_SIDE.get(output_format)
    if limit is not None and max(size) > limit:
        raise RenderFailed(f"the output is too large for {output_format}", [detail(
            loc, f"{size[0]}x{size[1]}: {output_format} images are at most {limit} pixels on a side")])


def encode(image: Image.Image, output_format: str = "png", quality: int = 90) -> tuple[bytes, str, bool]:
    """(bytes, content type, has_alpha) of the image in `output_format` (png, webp or jpeg).

    `quality` (1-100) applies to webp and jpeg. A grayscale image (a mask) stays grayscale in PNG
    and JPEG; WebP has no grayscale mode and stores it as equal RGB channels.
    """
    if output_format == "png":
        data, alpha = encode_png(image)
        return data, CONTENT_TYPE, alpha
    buffer = io.BytesIO()
    if output_format == "jpeg":
        image = flatten_on_white(image)
        image.save(buffer, "JPEG", quality=quality)
        return buffer.getvalue(), CONTENT_TYPES["jpeg"], False
    if output_format != "webp":
        raise ValueError(f"unknown output format {output_format!r}")
    alpha = has_transparency(image)
    if image.mode not in ("RGB", "RGBA", "L") or (image.mode == "RGBA" and not alpha):
        image = image.convert("RGBA" if alpha else "RGB")
    image.save(buffer, "WEBP", quality=quality, method=WEBP_METHOD)
    return buffer.getvalue(), CONTENT_TYPES["webp"], alpha
