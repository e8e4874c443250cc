"""Edge-aware upsampling of a low-resolution mask: a fast guided filter (He et al., 2015).

The filter's linear coefficients (a, b) are solved at working resolution, where the image and
mask are small, then upsampled and applied to the full-resolution guide: alpha = a * I + b.
Edges therefore follow the full-resolution image instead of the blurry bilinear mask.

The guide is one grey plane: the colour direction that best separates foreground from
background (Fisher's discriminant), so edges between colours of equal brightness still show.
Pillow renders that projection at full resolution in C (convert with a matrix).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

from imagegraphics.imaging.compose import alpha_to_8bit

LUMA = (0.299, 0.587, 0.114)
THREADS = min(4, os.cpu_count() or 1)
SATURATION_MARGIN = 0.01  # far above float32 rounding of a * guide + b
MIN_SATURATED_RUN = 64  # shorter saturated stretches are computed: not worth a separate step
MAX_RUNS = 32  # a row cut into more pieces than this is computed whole
SPREAD_RADIUS = 2  # window radius of the guide's spread: how much the image shows right at a pixel
HELD_RADIUS = 1  # window radius (working pixels) where the mask is a per-pixel see-through estimate


def _box_1d(x: np.ndarray, r: int, axis: int) -> np.ndarray:
    n = x.shape[axis]
    c = np.cumsum(x, axis=axis, dtype=np.float64)
    c = np.concatenate([np.zeros_like(c.take([0], axis=axis)), c], axis=axis)
    i = np.arange(n)
    hi, lo = np.minimum(i + r + 1, n), np.maximum(i - r, 0)
    count = (hi - lo).astype(np.float64)
    shape = [1, 1]
    shape[axis] = n
    return (c.take(hi, axis=axis) - c.take(lo, axis=axis)) / count.reshape(shape)


def box_mean(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window clipped at the borders, by cumulative sums (O(1) per pixel)."""
    return _box_1d(_box_1d(x, r, 0), r, 1).astype(np.float32)


def _direction(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Colour direction that best separates foreground from background near the mask's edge
    (Fisher's discriminant); luma when that is unclear or no better than luma."""
    luma = np.asarray(LUMA)
    near = box_mean(mask, 6)
    band = (near > 0.02) & (near < 0.98)
    fg = rgb[band & (mask > 0.7)].astype(np.float64)
    bg = rgb[band & (mask < 0.3)].astype(np.float64)
    if len(fg) < 20 or len(bg) < 20:
        return luma
    gap = fg.mean(0) - bg.mean(0)
    w = np.linalg.solve(np.cov(fg.T) + np.cov(bg.T) + np.eye(3), gap)
    norm = np.abs(w).sum()
    if not np.isfinite(norm) or norm < 1e-12:
        return luma
    w /= norm
    return w if abs(w @ gap) >= 0.5 * abs(luma @ gap) else luma  # both have unit L1 norm


def guide_weights(rgb: np.ndarray, mask: np.ndarray) -> tuple[float, float, float, float]:
    """Pillow 'L' conversion matrix (r, g, b, offset): the separating direction, stretched so the
    image's colours span 0..255 (the regulariser then means the same on dull and vivid images)."""
    w = _direction(rgb, mask)
    values = rgb @ w
    low, high = np.percentile(values, (0.5, 99.5))
    gain = 255.0 / max(float(high - low), 8.0)
    return float(w[0] * gain), float(w[1] * gain), float(w[2] * gain), float(-low * gain)


@dataclass
class Coefficients:
    """Guided-filter coefficients at working resolution: alpha = a * guide + b, pinned by `pin`
    (None, or a map of +1 where the alpha is opaque whatever the line says, -1 where it is
    transparent, 0 where the line decides). Everything is upsampled bilinearly to full resolution,
    so a pin eases in over one working pixel instead of stepping: alpha is the line held between
    max(pin, 0) and 1 + min(pin, 0)."""

    a: np.ndarray
    b: np.ndarray
    matrix: tuple[float, float, float, float]
    pin: np.ndarray | None = None
    spread: np.ndarray | None = None  # the guide's standard deviation over each window (solve)

    def low_res(self, guide: np.ndarray) -> np.ndarray:
        """The alpha at working resolution (unclipped where nothing is pinned)."""
        alpha = self.a * guide + self.b
        if self.pin is not None:
            alpha = np.minimum(np.maximum(alpha, np.maximum(self.pin, 0)), 1 + np.minimum(self.pin, 0))
        return alpha

    def ramp(self, threshold: float, width: float | np.ndarray) -> Coefficients:
        """Fold the monotone ramp clip((alpha - threshold) / width + 0.5) into a and b (free at full
        res); `width` may differ per working pixel."""
        return Coefficients(self.a / width, (self.b - threshold) / width + 0.5, self.matrix, self.pin,
                            self.spread)

    def pinned(self, opaque: np.ndarray, transparent: np.ndarray) -> Coefficients:
        """Opaque where `opaque`, transparent where `transparent` (disjoint bool maps), whatever
        the line says there. The line is kept, so the alpha stays monotone in it and in the maps."""
        pin = opaque.astype(np.float32) - transparent.astype(np.float32)
        return Coefficients(self.a, self.b, self.matrix, pin, self.spread)


def project(rgb: np.ndarray, matrix: tuple[float, float, float, float]) -> np.ndarray:
    """The guide at working resolution, in 0..1, from an HxWx3 float array in 0..255."""
    r, g, b, offset = matrix
    guide = rgb[..., 0] * r + rgb[..., 1] * g + rgb[..., 2] * b + offset
    return np.clip(guide, 0, 255) / 255.0  # clipped as Pillow clips it


def solve(rgb: np.ndarray, mask: np.ndarray, radius: int, eps: float,
          held: np.ndarray | None = None) -> Coefficients:
    """Guided-filter coefficients for mask (HxW 0..1) guided by rgb (HxWx3 float 0..255), same size.

    `held` (HxW weights 0..1, or None) marks where the mask is a per-pixel estimate of levels (the
    see-through parts of a clear object): there the coefficients are fitted over HELD_RADIUS, by
    weight. A window of `radius` fits one linear function of the guide across a clear wall's
    levels and averages them (a thin rim of alpha 0.56 beside faces of 0.3 falls under 0.5); a
    3x3 window keeps each level and still follows the full-resolution image."""
    matrix = guide_weights(rgb, mask)
    guide = project(rgb, matrix).astype(np.float32)
    a, b, var_i = _fit(guide, mask, radius, eps)
    if held is not None:
        fine_a, fine_b, _ = _fit(guide, mask, HELD_RADIUS, eps)
        a, b = a + held * (fine_a - a), b + held * (fine_b - b)
    if SPREAD_RADIUS != radius:
        mean = box_mean(guide, SPREAD_RADIUS)
        var_i = box_mean(guide * guide, SPREAD_RADIUS) - mean * mean
    return Coefficients(a, b, matrix, spread=np.sqrt(np.maximum(var_i, 0)))


def _fit(guide: np.ndarray, mask: np.ndarray, radius: int, eps: float) -> tuple[np.ndarray, ...]:
    """The guided filter's (a, b), each averaged over the windows that hold a pixel, and the
    guide's variance over each window."""
    mean_i = box_mean(guide, radius)
    mean_p = box_mean(mask, radius)
    var_i = box_mean(guide * guide, radius) - mean_i * mean_i
    cov_ip = box_mean(guide * mask, radius) - mean_i * mean_p
    a = cov_ip / (np.maximum(var_i, 0) + eps)
    b = mean_p - a * mean_i
    return box_mean(a, radius), box_mean(b, radius), var_i


def _lerp_positions(n_out: int, n_in: int) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear source index and fraction per output sample (pixel centres aligned, as Pillow does)."""
    src = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    src = np.clip(src, 0, n_in - 1)
    k = np.floor(src).astype(np.intp)
    return k, (src - k).astype(np.float32)


def _columns(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """x upsampled along columns to width, plus its row-to-next-row difference (for row lerps)."""
    x = np.concatenate([x, x[:, -1:]], axis=1)
    k, f = _lerp_positions(width, x.shape[1] - 1)
    cols = x[:, k] + f * (x[:, k + 1] - x[:, k])
    cols = np.concatenate([cols, cols[-1:]], axis=0)
    return cols[:-1], np.diff(cols, axis=0)


def _runs(coef: Coefficients, width: int) -> list[list[tuple]]:
    """Per pair of low-res rows, full-resolution column runs (start, end, value): value 0 or 1
    where alpha is saturated for any guide value, None where it must be computed.

    A pixel's a, b and pin are convex blends of four low-res neighbours, so bounds taken over
    those corners hold for it: a cell is surely 1 when its four corners are pinned opaque, or when
    the line is above 1 for any guide and no corner is pinned transparent (surely 0 the other way
    round). Line saturation is claimed only with a margin far above float32 rounding:
    computing a saturated pixel would give the same 0 or 1, so results do not depend on how
    runs are cut (which keeps strengths ordered pixel by pixel)."""
    a, b = _padded(coef.a), _padded(coef.b)
    high, low = b + np.maximum(a, 0), b + np.minimum(a, 0)  # the guide spans 0..1
    surely_0 = _corners(np.maximum, high) <= -SATURATION_MARGIN
    surely_1 = _corners(np.minimum, low) >= 1 + SATURATION_MARGIN
    if coef.pin is not None:
        pin = _padded(coef.pin)
        lowest, highest = _corners(np.minimum, pin), _corners(np.maximum, pin)
        surely_0 = (surely_0 & (highest <= 0)) | (highest == -1)  # no corner lifted, or all cleared
        surely_1 = (surely_1 & (lowest >= 0)) | (lowest == 1)
    state = np.full(surely_0.shape, 2, np.int8)
    state[surely_0] = 0
    state[surely_1] = 1
    kx, _ = _lerp_positions(width, coef.a.shape[1])
    first_column = np.searchsorted(kx, np.arange(state.shape[1] + 1))  # of each low-res cell
    result = []
    for row in state:
        cuts = np.flatnonzero(row[1:] != row[:-1]) + 1
        if len(cuts) > MAX_RUNS:
            result.append([(0, width, None)])
            continue
        edges = first_column[[0, *cuts.tolist(), len(row)]].tolist()
        values = row[[0, *cuts.tolist()]].tolist()
        merged: list[tuple] = []
        for start, end, value in zip(edges, edges[1:], values):
            if end <= start:
                continue
            value = value if value < 2 and end - start >= MIN_SATURATED_RUN else None
            if merged and merged[-1][2] == value:
                merged[-1] = (merged[-1][0], end, value)
            else:
                merged.append((start, end, value))
        result.append(merged or [(0, width, None)])
    return result


def _padded(x: np.ndarray) -> np.ndarray:
    """x with its last row and column repeated (the upsampling reads one cell past the end)."""
    return np.pad(x, ((0, 1), (0, 1)), mode="edge")


def _corners(reduce, x: np.ndarray) -> np.ndarray:
    """`reduce` (np.maximum or np.minimum) over each cell's four corners of an edge-padded map."""
    return reduce.reduce([x[:-1, :-1], x[1:, :-1], x[:-1, 1:], x[1:, 1:]])


def from_levels(levels: np.ndarray) -> np.ndarray:
    """uint8 levels as float32 alpha in 0..1."""
    return levels.astype(np.float32) * np.float32(1 / 255)


def apply(coef: Coefficients, image: Image.Image) -> np.ndarray:
    """Full-resolution alpha in 256 levels (uint8 HxW, alpha_to_8bit of the float alpha clipped
    to 0..1) from the coefficients and the RGB image: the cut-out's 8-bit alpha, written block by
    block, so no full-frame float alpha (48 MB at 12 MP) is ever held.

    a and b are upsampled bilinearly in two separable steps: along columns at low height (cheap),
    then along rows one block of output rows at a time, each block sharing one pair of low-res rows,
    so the full-resolution work is a few broadcast operations on cache-sized blocks and no
    full-frame float temporaries exist besides the result. Stretches that are surely 0 or 1 are
    filled without arithmetic. numpy releases the GIL, so the blocks are shared between threads.
    """
    width, height = image.size
    with ThreadPoolExecutor(2) as pool:  # Pillow and numpy release the GIL: these overlap
        converting = pool.submit(lambda: np.asarray(image.convert("L", matrix=coef.matrix)))
        b_columns = pool.submit(_columns, coef.b, width)
        a0, da = _columns(coef.a / np.float32(255), width)  # the guide is 0..255 at full resolution
        p0, dp = _columns(coef.pin, width) if coef.pin is not None else (None, None)
        b0, db = b_columns.result()
        runs = _runs(coef, width)
        guide = converting.result()
    k, f = _lerp_positions(height, coef.a.shape[0])
    out = np.empty((height, width), np.uint8)
    starts = np.flatnonzero(np.diff(k, prepend=-1))
    bounds = list(zip(starts, [*starts[1:], height]))
    tallest = max(end - start for start, end in bounds)

    def run(blocks: list[tuple[int, int]]) -> None:
        buffer = np.empty((tallest, width), np.float32)
        values = np.empty((tallest, width), np.float32)
        for start, end in blocks:
            row, fy = k[start], f[start:end, None]
            for c0, c1, value in runs[row]:
                if value is not None:
                    out[start:end, c0:c1].fill(255 * value)
                    continue
                g, t = guide[start:end, c0:c1], buffer[: end - start, : c1 - c0]
                block = values[: end - start, : c1 - c0]
                np.multiply(g, a0[row, c0:c1], out=block)
                block += b0[row, c0:c1]
                np.multiply(g, da[row, c0:c1], out=t)
                t += db[row, c0:c1]
                t *= fy
                block += t
                if p0 is not None:  # held between max(pin, 0) and 1 + min(pin, 0)
                    np.multiply(dp[row, c0:c1], fy, out=t)
                    t += p0[row, c0:c1]
                    np.maximum(block, t, out=block)
                    t += 1
                    np.minimum(block, t, out=block)
                np.clip(block, 0.0, 1.0, out=block)
                alpha_to_8bit(block, out[start:end, c0:c1])

    workers = min(THREADS, len(bounds))
    if workers <= 1:
        run(bounds)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, [bounds[i::workers] for i in range(workers)]))
    return out
