"""Layers: plain fills, placing one image on another, background fitting, tinting, border.

Opaque layers stay RGB: pasting through the top layer's alpha onto an opaque base is the same
"over" operation as alpha compositing, at a third of the cost on large images.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image, ImageChops

from imagegraphics.imaging.geometry import Size, cover_box, resize
from imagegraphics.imaging.tiles import (
    RESAMPLE, hidden_under, in_threads, resized_tiles, tile_resizer, tiles)

RGBA = tuple[int, int, int, int]
TRANSPARENT: RGBA = (0, 0, 0, 0)


def fill(size: Size, color: RGBA | None) -> Image.Image:
    """A solid layer: RGB when the colour is opaque, else RGBA (no colour = fully transparent)."""
    if color is not None and color[3] == 255:
        return Image.new("RGB", size, tuple(color[:3]))
    return Image.new("RGBA", size, tuple(color) if color is not None else TRANSPARENT)


def paste_over(base: Image.Image, layer: Image.Image, offset: tuple[int, int]) -> Image.Image:
    """Composite layer over base at offset, in place; parts outside base are clipped."""
    x, y = offset
    left, top = max(0, -x), max(0, -y)
    right, bottom = min(layer.width, base.width - x), min(layer.height, base.height - y)
    if right <= left or bottom <= top:
        return base
    if (left, top, right, bottom) != (0, 0, layer.width, layer.height):
        layer = layer.crop((left, top, right, bottom))
    dest = (x + left, y + top)
    if layer.mode == "RGB":
        base.paste(layer, dest)  # opaque: a plain copy
    elif base.mode == "RGB":
        base.paste(layer, dest, layer)  # opaque base: blend through the layer's alpha
    else:
        base.alpha_composite(layer, dest)
    return base


def background(size: Size, color: RGBA | None, image: Image.Image | None, mode: str,
               hidden: Callable[[tuple[int, int, int, int]], bool] | None = None) -> Image.Image:
    """The background layer: colour (or transparent), then the image fitted over it.

    `stretch` resizes the image to exactly `size`; `as-is` keeps its aspect ratio and covers the
    whole area (scaled to cover, centred, the overflow cropped), so no empty bands appear.
    Tiles for which `hidden` is true (the caller will cover them with opaque pixels) are left
    unpainted.
    """
    if image is None:
        return fill(size, color)
    region = None if mode == "stretch" else cover_box(image.size, size)
    opaque = image.mode == "RGB" or (color is not None and color[3] == 255)
    if hidden is None or not opaque:
        fitted = resize(image, size, region, RESAMPLE)
        if fitted is image:
            fitted = image.copy()  # decoded images are cached per render: never draw on them
        if fitted.mode == "RGB" or color is None or color[3] == 0:
            return fitted  # the image covers everything (or there is no colour to show through)
        return paste_over(fill(size, color), fitted, (0, 0))
    base = fill(size, color) if image.mode == "RGBA" else Image.new("RGB", size)
    for tile, at in resized_tiles(image, size, region, hidden):
        paste_over(base, tile, at)
    return base


def under(layer: Image.Image, offset: tuple[int, int], size: Size, color: RGBA | None,
          image: Image.Image | None, mode: str) -> Image.Image:
    """`layer` at `offset` over the background (see `background`) of `size`: a new frame.

    A cut-out over an opaque background is built tile by tile: a tile the layer hides is a copy
    of the layer; any other is its background tile with the layer blended over it. This gives
    the same pixels as painting the whole background and blending the whole layer over it, but
    no full-frame blend, and the tiles are built on two threads.
    """
    opaque = image is not None and (image.mode == "RGB" or (color is not None and color[3] == 255))
    if not opaque or layer.mode != "RGBA":
        frame = background(size, color, image, mode, hidden_under(layer, offset))
        return paste_over(frame, layer, offset)
    region = None if mode == "stretch" else cover_box(image.size, size)
    resized = tile_resizer(image, size, region)
    if layer.size == tuple(size) and offset == (0, 0):
        frame = layer.convert("RGB")
    else:
        frame = Image.new("RGB", size)
        frame.paste(layer, offset)  # RGBA onto RGB without a mask: a plain copy of the colours
    hidden = hidden_under(layer, offset)

    def build(box: tuple[int, int, int, int]) -> Image.Image:
        tile = resized(box)
        if tile is None or tile.mode == "RGBA":
            base = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), tuple(color[:3]))
            tile = base if tile is None else paste_over(base, tile, (0, 0))
        return paste_over(tile, layer, (offset[0] - box[0], offset[1] - box[1]))

    for box, tile in in_threads(build, (box for box in tiles(size) if not hidden(box))):
        frame.paste(tile, box[:2])
    return frame


def tint(image: Image.Image, color: RGBA) -> Image.Image:
    """Recolour: every pixel takes `color`, keeping the graphic's alpha (scaled by the colour's)."""
    alpha = image.getchannel("A") if image.mode == "RGBA" else Image.new("L", image.size, 255)
    if color[3] != 255:
        alpha = alpha.point(lambda a: (a * color[3] + 127) // 255)
    layer = Image.new("RGB", image.size, tuple(color[:3]))
    layer.putalpha(alpha)
    return layer


def border(frame: Image.Image, border_image: Image.Image) -> Image.Image:
    """Stretch the border image to the frame and composite it on top, in place.

    Only tiles with something visible are resized (borders are mostly transparent).
    """
    for tile, at in resized_tiles(border_image, frame.size):
        paste_over(frame, tile, at)
    return frame


def alpha_to_8bit(alpha: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """round(alpha * 255) as uint8 levels for alpha in 0..1 (in float32: times 255, plus 0.5,
    truncated), into `out` when given. Monotonic, so it commutes with minimum and maximum:
    min(alpha_to_8bit(a), alpha_to_8bit(b)) == alpha_to_8bit(min(a, b))."""
    scaled = np.multiply(alpha, np.float32(255.0), dtype=np.float32)
    scaled += np.float32(0.5)
    if out is None:
        return scaled.astype(np.uint8)
    out[...] = scaled  # truncates, as astype does: scaled >= 0.5
    return out


def apply_alpha(image: Image.Image, alpha: np.ndarray) -> Image.Image:
    """Multiply the image's alpha by an HxW mask, in place (RGB becomes RGBA): uint8 levels
    0..255, or float 0..1 (rounded to levels)."""
    mask = Image.fromarray(alpha if alpha.dtype == np.uint8 else alpha_to_8bit(alpha))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    if image.mode == "RGBA":
        mask = ImageChops.multiply(image.getchannel("A"), mask)
    image.putalpha(mask)
    return image
