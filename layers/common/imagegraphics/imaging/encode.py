"""PNG output: RGBA only when something is actually transparent, fast zlib settings."""
from __future__ import annotations

import io

from PIL import Image

CONTENT_TYPE = "image/png"
# Measured by bench/imaging.py on 12 MP photos: level 1 encodes several times faster than
# Pillow's default 6 for a file only slightly larger; `optimize` multiplies the time again.
PNG_COMPRESS_LEVEL = 1


def has_transparency(image: Image.Image) -> bool:
    return image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255


def encode_png(image: Image.Image, compress_level: int = PNG_COMPRESS_LEVEL) -> tuple[bytes, bool]:
    """Encode as PNG; returns (bytes, has_alpha). Opaque results are written as RGB."""
    alpha = has_transparency(image)
    if not alpha and image.mode != "RGB":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=compress_level, optimize=False)
    return buffer.getvalue(), alpha
