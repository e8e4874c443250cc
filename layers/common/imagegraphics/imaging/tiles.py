"""Resizing only the parts of a layer that will be seen.

A border is mostly transparent and a background is mostly hidden behind the subject, yet
enlarging either to 12 MP is the costliest step of a render. Pillow resizes a source box with
the same filter taps as the whole image, so tiles resized one by one join without seams -
provided the filter has no negative lobes: Pillow picks the order of its two passes by cost,
which differs between a tile and the whole image, and bicubic/Lanczos overshoot is clipped
between the passes. The triangle (bilinear, widened when shrinking) filter never overshoots,
so tiles match the whole-image resize to within 1 level.
"""
from __future__ import annotations

import math
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

from PIL import Image

from imagegraphics.imaging.geometry import Size

TILE = 128
THREADS = 2  # Lambda at 3008 MB has two vCPUs
WINDOW = 16  # tiles computed ahead of the one being used
T, R = TypeVar("T"), TypeVar("R")
RESAMPLE = Image.Resampling.BILINEAR  # for background and border layers, tiled or not
OutBox = tuple[int, int, int, int]
SourceBox = tuple[float, float, float, float]


def tiles(size: Size, tile: int = TILE) -> Iterator[OutBox]:
    for top in range(0, size[1], tile):
        for left in range(0, size[0], tile):
            yield left, top, min(left + tile, size[0]), min(top + tile, size[1])


def tile_resizer(image: Image.Image, size: Size, region: SourceBox | None = None
                 ) -> Callable[[OutBox], Image.Image | None]:
    """A function giving the output box of `image` (or its `region`) resized to `size`: RGB or
    RGBA like the image, or None when the box's source pixels (with the filter's reach) are all
    transparent. Safe to call from several threads."""
    x0, y0, x1, y1 = region or (0.0, 0.0, float(image.width), float(image.height))
    scale_x, scale_y = (x1 - x0) / size[0], (y1 - y0) / size[1]
    # Source pixels the filter reaches beyond a tile: support 1, widened when shrinking.
    reach_x, reach_y = math.ceil(max(1.0, scale_x)) + 1, math.ceil(max(1.0, scale_y)) + 1
    alpha = image.getchannel("A") if image.mode == "RGBA" else None
    # Pillow premultiplies RGBA around every resize call; do it once, not once per tile.
    source = image.convert("RGBa") if alpha is not None else image

    def resized(out: OutBox) -> Image.Image | None:
        left, top, right, bottom = out
        box = (x0 + left * scale_x, y0 + top * scale_y, x0 + right * scale_x, y0 + bottom * scale_y)
        if alpha is not None:
            reach = (max(0, int(box[0]) - reach_x), max(0, int(box[1]) - reach_y),
                     min(image.width, math.ceil(box[2]) + reach_x),
                     min(image.height, math.ceil(box[3]) + reach_y))
            if alpha.crop(reach).getbbox() is None:
                return None
        tile = source.resize((right - left, bottom - top), RESAMPLE, box=box)
        return tile.convert("RGBA") if alpha is not None else tile

    return resized


def in_threads(work: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
    """(item, work(item)) in the items' order, computed by two threads (Pillow releases the GIL
    while resizing and pasting); at most WINDOW results wait, so memory stays bounded."""
    pending: deque = deque()
    with ThreadPoolExecutor(THREADS) as pool:
        for item in items:
            pending.append((item, pool.submit(work, item)))
            if len(pending) >= WINDOW:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def resized_tiles(image: Image.Image, size: Size, region: SourceBox | None = None,
                  skip: Callable[[OutBox], bool] | None = None
                  ) -> Iterator[tuple[Image.Image, tuple[int, int]]]:
    """(tile, top-left) of `image` (or its `region`) resized to `size`, minus skipped tiles.

    A tile whose source pixels (with the filter's reach) are all transparent is skipped too.
    """
    boxes = (box for box in tiles(size) if skip is None or not skip(box))
    for box, tile in in_threads(tile_resizer(image, size, region), boxes):
        if tile is not None:
            yield tile, box[:2]


def hidden_under(layer: Image.Image, offset: tuple[int, int]) -> Callable[[OutBox], bool]:
    """A predicate: is this output box entirely covered by opaque pixels of layer at offset?"""
    alpha = layer.getchannel("A") if layer.mode == "RGBA" else None
    x, y = offset

    def hidden(box: OutBox) -> bool:
        left, top, right, bottom = box[0] - x, box[1] - y, box[2] - x, box[3] - y
        if left < 0 or top < 0 or right > layer.width or bottom > layer.height:
            return False
        return alpha is None or alpha.crop((left, top, right, bottom)).getextrema()[0] == 255

    return hidden
