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

import numpy as np
from PIL import Image

from imagegraphics.imaging.geometry import Size

TILE = 256  # 128-px tiles spent ~8% of a 12 MP render handing tiles between threads
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


def source_box(image: Image.Image, size: Size, region: SourceBox | None = None
               ) -> Callable[[OutBox], SourceBox]:
    """The source box of `image` (or its `region`) that an output box of `size` resizes from."""
    x0, y0, x1, y1 = region or (0.0, 0.0, float(image.width), float(image.height))
    scale_x, scale_y = (x1 - x0) / size[0], (y1 - y0) / size[1]

    def box(out: OutBox) -> SourceBox:
        left, top, right, bottom = out
        return x0 + left * scale_x, y0 + top * scale_y, x0 + right * scale_x, y0 + bottom * scale_y

    return box


def transparent_source(image: Image.Image, size: Size, region: SourceBox | None = None
                       ) -> Callable[[OutBox], bool]:
    """A predicate: are all source pixels an output box resizes from (with the filter's reach)
    transparent? Never true for an image without alpha."""
    if image.mode != "RGBA":
        return lambda out: False
    x0, y0, x1, y1 = region or (0.0, 0.0, float(image.width), float(image.height))
    # Source pixels the filter reaches beyond a tile: support 1, widened when shrinking.
    reach_x = math.ceil(max(1.0, (x1 - x0) / size[0])) + 1
    reach_y = math.ceil(max(1.0, (y1 - y0) / size[1])) + 1
    alpha = np.asarray(image.getchannel("A"))
    to_source = source_box(image, size, region)

    def transparent(out: OutBox) -> bool:
        box = to_source(out)
        top, left = max(0, int(box[1]) - reach_y), max(0, int(box[0]) - reach_x)
        bottom = min(image.height, math.ceil(box[3]) + reach_y)
        right = min(image.width, math.ceil(box[2]) + reach_x)
        return not alpha[top:bottom, left:right].any()

    return transparent


def tile_resizer(image: Image.Image, size: Size, region: SourceBox | None = None,
                 transparent: Callable[[OutBox], bool] | None = None
                 ) -> Callable[[OutBox], Image.Image | None]:
    """A function giving the output box of `image` (or its `region`) resized to `size`: RGB or
    RGBA like the image, or None when the box's source pixels (with the filter's reach) are all
    transparent (`transparent`, if the caller has built that predicate already). Safe to call
    from several threads."""
    to_source = source_box(image, size, region)
    transparent = transparent or transparent_source(image, size, region)
    has_alpha = image.mode == "RGBA"
    # Pillow premultiplies RGBA around every resize call; do it once, not once per tile.
    source = image.convert("RGBa") if has_alpha else image

    def resized(out: OutBox) -> Image.Image | None:
        if transparent(out):
            return None
        tile = source.resize((out[2] - out[0], out[3] - out[1]), RESAMPLE, box=to_source(out))
        return tile.convert("RGBA") if has_alpha else tile

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
    transparent = transparent_source(image, size, region)  # decided here: no thread round trip
    boxes = (box for box in tiles(size)
             if not (skip is not None and skip(box)) and not transparent(box))
    for box, tile in in_threads(tile_resizer(image, size, region, transparent), boxes):
        if tile is not None:
            yield tile, box[:2]


def hidden_under(layer: Image.Image, offset: tuple[int, int]) -> Callable[[OutBox], bool]:
    """A predicate: is this output box entirely covered by opaque pixels of layer at offset?

    Boxes come a row of tiles at a time: each band's column-wise minimum alpha is taken once
    with numpy, so a tile's test is a minimum over a short vector rather than a Pillow crop.
    """
    alpha = layer.getchannel("A") if layer.mode == "RGBA" else None
    x, y = offset
    bands: dict[tuple[int, int], np.ndarray] = {}

    def hidden(box: OutBox) -> bool:
        left, top, right, bottom = box[0] - x, box[1] - y, box[2] - x, box[3] - y
        if left < 0 or top < 0 or right > layer.width or bottom > layer.height:
            return False
        if alpha is None:
            return True
        column_min = bands.get((top, bottom))
        if column_min is None:
            bands.clear()  # one row of tiles at a time
            band = np.asarray(alpha.crop((0, top, layer.width, bottom)))
            column_min = bands[top, bottom] = band.min(axis=0)
        return bool(column_min[left:right].min() == 255)

    return hidden
