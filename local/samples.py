"""Sample images made with Pillow: a background, a border frame, a graphic (a badge) and a product."""
from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, quality=90) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


def background(size: int = 1000) -> bytes:
    """A warm vertical gradient with soft discs: easy to tell from the photo's own backdrop."""
    image = Image.linear_gradient("L").resize((size, size))
    image = Image.merge("RGB", (
        image.point(lambda v: 250 - v // 4), image.point(lambda v: 190 - v // 3), image.point(lambda v: 90 + v // 3),
    ))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x, y, r = (i * 173) % size, (i * 311) % size, size // 10 + 15 * i
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(255, 236, 200), width=6)
    return _encode(image, "JPEG")


def border(size: int = 1000, width: int = 28) -> bytes:
    """An opaque frame with a transparent middle, so what it is laid over shows through."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size - 1, size - 1), outline=(32, 48, 96, 255), width=width)
    draw.rectangle((width, width, size - width - 1, size - width - 1), outline=(230, 190, 60, 255), width=4)
    return _encode(image, "PNG")


def graphic(size: int = 100) -> bytes:
    """A round badge with a star, on transparency."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((2, 2, size - 3, size - 3), fill=(200, 30, 60, 255), outline=(255, 255, 255, 255), width=4)
    c, r1, r2 = size / 2, size * 0.34, size * 0.14
    points = [(c + (r1 if i % 2 == 0 else r2) * math.sin(i * math.pi / 5),
               c - (r1 if i % 2 == 0 else r2) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(points, fill=(255, 255, 255, 255))
    return _encode(image, "PNG")


def solid(width: int, height: int, color: tuple[int, ...], fmt: str = "PNG") -> bytes:
    mode = "RGBA" if len(color) == 4 else "RGB"
    return _encode(Image.new(mode, (width, height), color), fmt)


def product(width: int = 96, height: int = 96, fmt: str = "PNG") -> bytes:
    """A shaded red ball on a white backdrop: the smallest image with a subject to cut out."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy, r = width / 2, height / 2, 0.35 * min(width, height)
    d = np.hypot(xx - cx, yy - cy) / r
    inside = np.clip((1 - d) * r, 0, 1)[..., None]  # one pixel of anti-aliased edge
    light = np.clip(1.1 - 0.6 * np.hypot(xx - cx + 0.3 * r, yy - cy + 0.3 * r) / r, 0.3, 1)[..., None]
    ball = np.array([210, 40, 40], np.float32) * light
    rgb = inside * ball + (1 - inside) * 255
    return _encode(Image.fromarray(rgb.astype(np.uint8), "RGB"), fmt)
