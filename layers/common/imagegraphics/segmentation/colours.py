"""Edge colour decontamination: soft-edge pixels get an estimated foreground colour, so a cut-out
laid on a new background shows no halo of the old one.

Blur-fusion foreground estimation (Forte & Pitié, "Approximate fast foreground colour estimation",
ICIP 2021): local means of foreground and background weighted by alpha, then one step that makes
the pixel obey the compositing equation I = aF + (1 - a)B. The smooth means are computed at working
resolution (two passes, large then small radius, as the paper does); the final step runs at full
resolution on the soft pixels only, which are a thin band along the outline.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

WIDE, NARROW = 0.045, 0.006  # blur radii as shares of the working image's longest side (90 and 6 px at 2 MP)
EPS = 1e-5
TILE = 128  # full-resolution cells: only those the outline crosses are touched
THREADS = min(2, os.cpu_count() or 1)
REMAP_ROW = 1024


def _local_means(fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray,
                 radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Alpha-weighted local means of the foreground and the background colours."""
    k = (2 * radius + 1, 2 * radius + 1)
    a = alpha[..., None]
    blurred_a = cv2.blur(alpha, k)[..., None]
    mean_f = cv2.blur(fg * a, k) / (blurred_a + EPS)
    mean_b = cv2.blur(bg * (1 - a), k) / (1 - blurred_a + EPS)
    return mean_f, mean_b


def _fused(colour: np.ndarray, a: np.ndarray, mean_f: np.ndarray, mean_b: np.ndarray) -> np.ndarray:
    """The foreground estimate that makes the pixel obey I = aF + (1 - a)B (unclipped):
    mean_f + a * (colour - a * mean_f - (1 - a) * mean_b), the same operations in the same order,
    in place on one array (each temporary is a full pass over memory)."""
    out = np.multiply(a, mean_f)
    np.subtract(colour, out, out=out)
    out -= (1 - a) * mean_b
    out *= a
    out += mean_f
    return out


@dataclass(frozen=True)
class EdgeColours:
    """Smooth foreground and background colour estimates at working resolution."""

    foreground: np.ndarray  # float32 hxwx3, 0..255
    background: np.ndarray

    @classmethod
    def estimate(cls, rgb: np.ndarray, alpha: np.ndarray) -> EdgeColours:
        image = np.ascontiguousarray(rgb, np.float32)
        alpha = np.ascontiguousarray(alpha, np.float32)
        side = max(alpha.shape)
        wide, narrow = max(2, round(WIDE * side)), max(1, round(NARROW * side))
        mean_f, mean_b = _local_means(image, image, alpha, wide)
        fg = np.clip(_fused(image, alpha[..., None], mean_f, mean_b), 0, 255)
        mean_f, mean_b = _local_means(fg, mean_b, alpha, narrow)
        return cls(mean_f.astype(np.float32), mean_b.astype(np.float32))

    def apply(self, image: Image.Image) -> Image.Image:
        """Replace the colour of every soft pixel (alpha strictly between 0 and 255) of an RGBA image,
        in place. Only the tiles the outline crosses are read and written back, on two threads."""
        alpha8 = np.asarray(image.getchannel("A"))
        soft = (alpha8 > 0) & (alpha8 < 255)
        tiles = _tiles(soft)
        if not tiles:
            return image
        with ThreadPoolExecutor(THREADS) as pool:
            fixed = list(pool.map(lambda box: self._tile(image, box), tiles))
        for box, tile in zip(tiles, fixed):
            image.paste(tile, box[:2])
        return image

    def _tile(self, image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
        x0, y0, x1, _ = box
        pixels = np.array(image.crop(box))
        # Each RGBA pixel as one 32-bit word: the soft ones are gathered and written back with a
        # single flat index (indexing rows and columns of an HxWx4 array is ~10x slower).
        words = pixels.view(np.uint32).reshape(-1)
        alpha = pixels[..., 3].reshape(-1)
        index = np.flatnonzero((alpha > 0) & (alpha < 255))
        ys, xs = np.divmod(index, x1 - x0)
        h, w = self.foreground.shape[:2]
        # the soft pixels' places on the working-resolution grids
        map_x = (xs + x0 + 0.5) * (w / image.width) - 0.5
        map_y = (ys + y0 + 0.5) * (h / image.height) - 0.5
        mean_f, mean_b = _sample(self.foreground, map_x, map_y), _sample(self.background, map_x, map_y)
        soft = words[index].view(np.uint8).reshape(-1, 4)
        a = soft[:, 3:].astype(np.float32) * np.float32(1 / 255)
        f = _fused(soft[:, :3], a, mean_f, mean_b)
        f += 0.5
        soft[:, :3] = np.clip(f, 0, 255, out=f)  # truncated to uint8, as astype does
        words[index] = soft.view(np.uint32).reshape(-1)
        return Image.fromarray(pixels, "RGBA")


def _tiles(soft: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the TILE-sized cells that hold a soft pixel, merged along rows."""
    h, w = soft.shape
    rows, cols = -(-h // TILE), -(-w // TILE)
    padded = np.zeros((rows * TILE, cols * TILE), bool)
    padded[:h, :w] = soft
    busy = padded.reshape(rows, TILE, cols, TILE).any(axis=(1, 3))
    boxes = []
    for r in range(rows):
        run = None
        for c in [*range(cols), cols]:
            if c < cols and busy[r, c]:
                run = c if run is None else run
            elif run is not None:
                boxes.append((run * TILE, r * TILE, min(w, c * TILE), min(h, (r + 1) * TILE)))
                run = None
    return boxes


def _sample(grid: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """Bilinear samples (n x 3) of an hxwx3 grid at n places; cv2.remap wants maps under 32767 on
    each side, so the places are laid out in rows of REMAP_ROW."""
    n = len(fx)
    rows = -(-n // REMAP_ROW)
    maps = []
    for values in (fx, fy):
        laid = np.empty(rows * REMAP_ROW, np.float32)
        laid[:n] = values
        laid[n:] = values[-1] if n else 0
        maps.append(laid.reshape(rows, REMAP_ROW))
    out = cv2.remap(grid, maps[0], maps[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(-1, grid.shape[2])[:n]

