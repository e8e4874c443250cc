"""Mask clean-up at working resolution: drop small foreground islands, fill small pinholes.

Connected components are found on row runs (a run = a horizontal stretch of equal pixels), joined
across neighbouring rows and merged with a vectorised union-find, so no scipy is needed and the
cost follows the number of runs, not of pixels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ISLAND_FRACTION = 0.002  # foreground pieces smaller than this share of the frame are noise
HOLE_FRACTION = 0.001  # enclosed background smaller than this share of the frame is a pinhole


@dataclass
class Components:
    """Row runs of a binary mask and the component each run belongs to."""

    rows: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    label: np.ndarray  # per run, 0..count-1
    count: int

    def sizes(self) -> np.ndarray:
        return np.bincount(self.label, weights=self.ends - self.starts, minlength=self.count)

    def touching_border(self, shape: tuple[int, int]) -> np.ndarray:
        h, w = shape
        edge = (self.rows == 0) | (self.rows == h - 1) | (self.starts == 0) | (self.ends == w)
        return np.bincount(self.label, weights=edge, minlength=self.count) > 0

    def paint(self, chosen: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Boolean mask of the pixels of the chosen components (chosen: bool per component)."""
        out = np.zeros(shape, bool)
        pick = chosen[self.label]
        rows, starts, lengths = self.rows[pick], self.starts[pick], (self.ends - self.starts)[pick]
        if len(rows):
            offsets = np.repeat(rows * shape[1] + starts - np.cumsum(lengths) + lengths, lengths)
            out.ravel()[offsets + np.arange(lengths.sum())] = True
        return out


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    return rows, starts, ends


def _root(parent: np.ndarray) -> np.ndarray:
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def label(mask: np.ndarray, diagonal: bool) -> Components:
    """Connected components of mask's True pixels (8-connected when diagonal, else 4-connected)."""
    rows, starts, ends = _runs(mask)
    n, stride = len(rows), mask.shape[1] + 4
    reach = 1 if diagonal else 0
    # runs of row r+1 that touch a run of row r: overlap of [start, end) widened by `reach`
    key_start, key_end = rows * stride + starts, rows * stride + ends
    below = np.flatnonzero(rows > 0)
    base = (rows[below] - 1) * stride
    lo = np.searchsorted(key_end, base + starts[below] - reach, side="right")
    hi = np.searchsorted(key_start, base + ends[below] + reach, side="left")
    count = np.maximum(hi - lo, 0)
    first = np.repeat(below, count)
    second = np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    parent = np.arange(n)
    while len(first):
        pa, pb = parent[first], parent[second]
        differ = pa != pb
        if not differ.any():
            break
        small, large = np.minimum(pa, pb)[differ], np.maximum(pa, pb)[differ]
        np.minimum.at(parent, large, small)  # hook the larger root under the smaller: no cycles
        parent = _root(parent)
    # roots point at themselves: numbering them in order gives np.unique's labels without a sort
    is_root = parent == np.arange(n)
    run_label = (np.cumsum(is_root) - 1)[parent]
    return Components(rows, starts, ends, run_label, int(is_root.sum()))


def clean(mask: np.ndarray, weak: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(islands, pinholes): boolean masks of the foreground pixels to drop and background to fill.

    Pieces are joined through `weak` (pixels the matte leans towards foreground, grown by one pixel)
    before their size is judged: a spectacle arm or a cable that the 0.5 cut breaks off at working
    resolution still hangs on the subject by its faint pixels, where a stray speck hangs on nothing.
    """
    area = mask.size
    joined = mask if weak is None else mask | _grow(weak)
    fg = label(joined, diagonal=True)
    sizes = fg.sizes()
    keep = sizes >= ISLAND_FRACTION * area
    if fg.count and not keep.any():
        keep[np.argmax(sizes)] = True  # a small subject is still the subject
    islands = fg.paint(~keep, mask.shape) & mask
    bg = label(~mask, diagonal=False)
    fill = (bg.sizes() < HOLE_FRACTION * area) & ~bg.touching_border(mask.shape)
    return islands, bg.paint(fill, mask.shape)


def _grow(mask: np.ndarray) -> np.ndarray:
    """3x3 dilation."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    rows = out.copy()
    out[:, 1:] |= rows[:, :-1]
    out[:, :-1] |= rows[:, 1:]
    return out


def _bands(changed: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Row bands (r0, r1, c0, c1), end-exclusive, covering every changed pixel."""
    rows = np.flatnonzero(changed.any(axis=1))
    if not len(rows):
        return []
    breaks = np.flatnonzero(np.diff(rows) > 2)
    bands = []
    for first, last in zip(rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, len(rows) - 1]]):
        cols = np.flatnonzero(changed[first:last + 1].any(axis=0))
        bands.append((int(first), int(last) + 1, int(cols[0]), int(cols[-1]) + 1))
    return bands


def patch(alpha: np.ndarray, islands: np.ndarray, holes: np.ndarray, binary: np.ndarray) -> None:
    """Apply the working-resolution fixes to the full-resolution alpha, in place.

    Only the bands around the fixes are touched. An island's soft rim goes with it (grown by one
    working pixel, but never into the kept foreground); a pinhole is filled to its rim. The alpha
    is in 256 levels (refine.apply) or float 0..1; levels are patched with the fixes in levels,
    which gives the levels of the float alpha patched (alpha_to_8bit commutes with min and max).
    """
    from PIL import Image

    from imagegraphics.imaging.compose import alpha_to_8bit

    drop = _grow(islands) & ~(binary & ~islands)
    fill = _grow(holes)
    if not (drop.any() or fill.any()):
        return
    height, width = alpha.shape
    low_h, low_w = binary.shape
    sy, sx = low_h / height, low_w / width
    keep_map = Image.fromarray((~drop).astype(np.float32), "F")
    fill_map = Image.fromarray(fill.astype(np.float32), "F")
    for r0, r1, c0, c1 in _bands(drop | fill):
        y0, y1 = max(0, int((r0 - 1) / sy)), min(height, int(np.ceil((r1 + 1) / sy)))
        x0, x1 = max(0, int((c0 - 1) / sx)), min(width, int(np.ceil((c1 + 1) / sx)))
        box = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)
        region = alpha[y0:y1, x0:x1]
        size = (x1 - x0, y1 - y0)
        keep = np.asarray(keep_map.resize(size, Image.BILINEAR, box=box))
        fill_here = np.asarray(fill_map.resize(size, Image.BILINEAR, box=box))
        if alpha.dtype == np.uint8:
            keep, fill_here = alpha_to_8bit(keep), alpha_to_8bit(fill_here)
        np.minimum(region, keep, out=region)
        np.maximum(region, fill_here, out=region)
