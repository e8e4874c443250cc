"""Layers: plain fills, placing one image on another, background fitting, tinting, border."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops

from imagegraphics.imaging.geometry import Size, centred, cover, resize, resize_rgba

RGBA = tuple[int, int, int, int]
TRANSPARENT: RGBA = (0, 0, 0, 0)


def fill(size: Size, color: RGBA | None) -> Image.Image:
    """A solid layer; no colour means fully transparent."""
    return Image.new("RGBA", size, tuple(color) if color is not None else TRANSPARENT)


def paste_over(base: Image.Image, layer: Image.Image, offset: tuple[int, int]) -> Image.Image:
    """Alpha-composite layer onto base (RGBA) at offset; parts outside base are clipped."""
    if base.mode != "RGBA":
        base = base.convert("RGBA")
    x, y = offset
    left, top = max(0, -x), max(0, -y)
    right = min(layer.width, base.width - x)
    bottom = min(layer.height, base.height - y)
    if right <= left or bottom <= top:
        return base
    if (left, top, right, bottom) != (0, 0, layer.width, layer.height):
        layer = layer.crop((left, top, right, bottom))
    dest = (x + left, y + top)
    if layer.mode == "RGB":
        base.paste(layer, dest)  # opaque: a plain copy is exact and faster
    else:
        base.alpha_composite(layer if layer.mode == "RGBA" else layer.convert("RGBA"), dest)
    return base


def background(size: Size, color: RGBA | None, image: Image.Image | None, mode: str) -> Image.Image:
    """The background layer: colour (or transparent), then the image fitted over it.

    `stretch` resizes the image to exactly `size`; `as-is` keeps its aspect ratio and covers the
    whole area (scaled to cover, centred, the overflow cropped), so no empty bands appear.
    """
    base = fill(size, color)
    if image is None:
        return base
    if mode == "stretch":
        fitted = resize_rgba(image, size)
    else:
        scaled = resize_rgba(image, cover(image.size, size))
        x, y = centred(size, scaled.size)
        fitted = scaled.crop((x, y, x + size[0], y + size[1])) if scaled.size != size else scaled
    if color is None or color[3] == 0:
        return fitted if fitted.mode == "RGBA" else fitted.convert("RGBA")
    return paste_over(base, fitted, (0, 0))


def tint(image: Image.Image, color: RGBA) -> Image.Image:
    """Recolour: every pixel takes `color`, keeping the graphic's alpha (scaled by the colour's)."""
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    layer = Image.new("RGBA", image.size, tuple(color[:3]) + (255,))
    if alpha is None:
        alpha = Image.new("L", image.size, 255)
    if color[3] != 255:
        alpha = alpha.point(lambda a: (a * color[3] + 127) // 255)
    layer.putalpha(alpha)
    return layer


def border(frame: Image.Image, border_image: Image.Image) -> Image.Image:
    """Stretch the border image to the frame and composite it on top."""
    return paste_over(frame, resize_rgba(border_image, frame.size), (0, 0))


def apply_alpha(image: Image.Image, alpha: np.ndarray) -> Image.Image:
    """Multiply the image's alpha by a float [0,1] HxW mask (numpy)."""
    mask = np.clip(np.asarray(alpha, dtype=np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    mask_image = Image.fromarray(mask, "L")
    if image.mode == "RGBA":
        mask_image = ImageChops.multiply(image.getchannel("A"), mask_image)
        image = image.copy()
    else:
        image = image.convert("RGBA")
    image.putalpha(mask_image)
    return image
