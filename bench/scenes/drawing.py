"""Drawing kit for the generated quality set (bench/quality_set.py).

A scene keeps apart what a photo mixes: the foreground (exact alpha and colour of the objects) and
the background (a backdrop darkened by shadows, with reflections on a glossy floor). The photo is
then `alpha * foreground + (1 - alpha) * background + camera noise`, so the truth is known exactly.

Objects are `Patch`es: a box in the frame with coverage drawn by Pillow at 2-4x supersampling
(anti-aliased edges) and colour shaded from analytic surface normals (looks lit, not clip-art).
Shadows and blurs work on arrays of any size, so the set renders at 240x180 or at 24 MP.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

F32 = np.float32


def unit(*v: float) -> np.ndarray:
    vector = np.asarray(v, F32)
    return vector / np.linalg.norm(vector)


LIGHT = unit(-0.4, -0.5, 0.8)  # key light from the upper left (image axes: y down, z to the viewer)
HALF = unit(*(LIGHT + unit(0, 0, 1)))  # Blinn-Phong half vector, viewer straight ahead


# -- numeric helpers ------------------------------------------------------------------------------
def box_mean(x: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Mean over a 2r+1 window along one axis, clipped at the ends (cumulative sums: O(1) per pixel)."""
    if r < 1:
        return x
    c = np.cumsum(x, axis=axis, dtype=np.float64)
    c = np.concatenate([np.zeros_like(c.take([0], axis=axis)), c], axis=axis)
    n = x.shape[axis]
    i = np.arange(n)
    hi, lo = np.minimum(i + r + 1, n), np.maximum(i - r, 0)
    shape = [1] * x.ndim
    shape[axis] = n
    return ((c.take(hi, axis=axis) - c.take(lo, axis=axis)) / (hi - lo).reshape(shape)).astype(F32)


def blur(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-like blur of the first two axes: three box passes with that standard deviation."""
    r = round((math.sqrt(4 * sigma * sigma + 1) - 1) / 2)
    for _ in range(3):
        x = box_mean(box_mean(x, r, 0), r, 1)
    return x


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: float) -> np.ndarray:
    """Noise in -1..1 with about `cells` bumps along the longer side, whatever the pixel size
    (so a texture looks the same at 240x180 and at 12 MP)."""
    h, w = shape
    gx, gy = (max(2, round(cells * side / max(h, w))) for side in (w, h))
    grid = rng.uniform(-1, 1, (gy + 3, gx + 3)).astype(F32)
    big = Image.fromarray(grid, "F").resize((w, h), Image.BICUBIC, box=(1, 1, gx + 1, gy + 1))
    return np.asarray(big, F32)


# -- shading ---------------------------------------------------------------------------------------
def normalised(nx, ny, nz) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nx, ny, nz = np.broadcast_arrays(*(np.asarray(n, F32) for n in (nx, ny, nz)))
    length = np.sqrt(nx * nx + ny * ny + nz * nz) + F32(1e-6)
    return nx / length, ny / length, nz / length


def shade(albedo, normal, ambient: float = 0.35, gloss: float = 0.2, shininess: float = 40.0) -> np.ndarray:
    """Lambert diffuse plus a Blinn-Phong highlight: HxWx3 colour (may exceed 255 in highlights)."""
    nx, ny, nz = normal
    diffuse = np.clip(nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2], 0, 1)
    highlight = np.clip(nx * HALF[0] + ny * HALF[1] + nz * HALF[2], 0, 1) ** shininess
    lit = ambient + (1 - ambient) * diffuse
    return np.asarray(albedo, F32) * lit[..., None] + F32(255 * gloss) * highlight[..., None]


def sphere_normal(x, y, cx, cy, rx, ry):
    u, v = (x - cx) / rx, (y - cy) / ry
    return normalised(u, v, np.sqrt(np.clip(1 - u * u - v * v, 0, 1)))


def ring_position(x, y, cx, cy, rx, ry, half_width):
    """Where a pixel lies across a tube bent along an ellipse: t = -1 inner edge, 0 crest, 1 outer
    edge; with the direction (gx, gy) across the tube. The distance to the ellipse is estimated
    as (d - 1) / |grad d|, good near the curve, which is all the tube covers."""
    dx, dy = (x - cx) / rx, (y - cy) / ry
    d = np.sqrt(dx * dx + dy * dy) + F32(1e-6)
    gx, gy = dx / (rx * d), dy / (ry * d)
    g = np.sqrt(gx * gx + gy * gy) + F32(1e-9)
    return np.clip((d - 1) / g / half_width, -1, 1), gx / g, gy / g


def ring_normal(x, y, cx, cy, rx, ry, half_width):
    """A tube bent along an ellipse (torus, mug handle, spectacle rim)."""
    t, gx, gy = ring_position(x, y, cx, cy, rx, ry, half_width)
    return normalised(t * gx, t * gy, np.sqrt(1 - t * t))


def inflated_normal(coverage: np.ndarray, radius: float):
    """Normals of a silhouette puffed up like a cushion: flat inside, rounding over near the edge."""
    height = blur(coverage, radius)
    gy, gx = np.gradient(height)
    return normalised(-gx * 2.5 * radius, -gy * 2.5 * radius, 1)


# -- shapes drawn as coverage ----------------------------------------------------------------------
@dataclass
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float
    cut: bool = False

    def draw(self, draw: ImageDraw.ImageDraw, to) -> None:
        draw.ellipse([*to(self.cx - self.rx, self.cy - self.ry), *to(self.cx + self.rx, self.cy + self.ry)],
                     fill=0 if self.cut else 255)


@dataclass
class Polygon:
    points: list[tuple[float, float]]
    cut: bool = False

    def draw(self, draw: ImageDraw.ImageDraw, to) -> None:
        draw.polygon([to(*p) for p in self.points], fill=0 if self.cut else 255)


@dataclass
class Stroke:
    """A polyline of constant width with round joins and caps."""

    points: list[tuple[float, float]]
    width: float
    cut: bool = False

    def draw(self, draw: ImageDraw.ImageDraw, to) -> None:
        fill = 0 if self.cut else 255
        scale = to(1, 0)[0] - to(0, 0)[0]
        width = max(1, round(self.width * scale))
        draw.line([to(*p) for p in self.points], fill=fill, width=width, joint="curve")
        for end in (self.points[0], self.points[-1]):
            x, y = to(*end)
            draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=fill)


def rect(x0: float, y0: float, x1: float, y1: float, cut: bool = False) -> Polygon:
    return Polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], cut)


def bezier(*control: tuple[float, float], n: int = 64) -> list[tuple[float, float]]:
    """Points along a Bezier curve of any degree (de Casteljau)."""
    t = np.linspace(0, 1, n)[:, None]
    points = np.asarray(control, np.float64)[None]
    while points.shape[1] > 1:
        points = (1 - t)[..., None] * points[:, :-1] + t[..., None] * points[:, 1:]
    return [tuple(p) for p in points[:, 0]]


def smooth_closed(points: list[tuple[float, float]], per_segment: int = 12) -> list[tuple[float, float]]:
    """A closed Catmull-Rom curve through `points`: organic outlines (shoe, pebble) without corners."""
    p = np.asarray(points, np.float64)
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(len(p)):
        p0, p1, p2, p3 = p[i - 1], p[i], p[(i + 1) % len(p)], p[(i + 2) % len(p)]
        out.extend(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (3 * p1 - p0 - 3 * p2 + p3) * t ** 3))
    return [tuple(q) for q in out]


# -- an object -------------------------------------------------------------------------------------
class Patch:
    """One object: its box in the frame, coverage and premultiplied colour painted so far, and the
    parts of it the truth reports (`regions`: hole, thin, soft), as boolean masks of the box."""

    def __init__(self, frame: tuple[int, int], box: tuple[float, float, float, float], supersample: int):
        self.left, self.top = max(0, math.floor(box[0])), max(0, math.floor(box[1]))
        right = max(self.left + 1, min(frame[0], math.ceil(box[2])))
        bottom = max(self.top + 1, min(frame[1], math.ceil(box[3])))
        self.shape = (bottom - self.top, right - self.left)
        self.x = (np.arange(self.left, right, dtype=F32) + F32(0.5))[None, :]  # pixel centres
        self.y = (np.arange(self.top, bottom, dtype=F32) + F32(0.5))[:, None]
        self.supersample = supersample
        self.alpha = np.zeros(self.shape, F32)
        self.premultiplied = np.zeros(self.shape + (3,), F32)
        self.regions: dict[str, np.ndarray] = {}
        self.base = float(bottom)  # the floor line the object stands on (objects set it)

    def cover(self, *shapes) -> np.ndarray:
        """Coverage 0..1 of the union of `shapes` (those with cut=True are removed, in order)."""
        s = self.supersample
        canvas = Image.new("L", (self.shape[1] * s, self.shape[0] * s), 0)
        draw = ImageDraw.Draw(canvas)
        for shape in shapes:
            shape.draw(draw, lambda px, py: ((px - self.left) * s, (py - self.top) * s))
        return np.asarray(canvas.reduce(s), F32) / F32(255)

    def paint(self, coverage: np.ndarray, colour) -> None:
        """Lay a layer over what is painted (the 'over' operator on premultiplied colour)."""
        coverage = np.broadcast_to(np.asarray(coverage, F32), self.shape)
        c = coverage[..., None]
        self.premultiplied = c * np.clip(np.asarray(colour, F32), 0, 255) + (1 - c) * self.premultiplied
        self.alpha = coverage + (1 - coverage) * self.alpha

    def paint_faces(self, silhouette: np.ndarray, faces: list[tuple[np.ndarray, object]]) -> None:
        """Paint a solid whose faces tile its silhouette. Alpha comes from the silhouette drawn
        whole, so anti-aliased seams between faces never leave see-through cracks inside it."""
        weight = sum(np.asarray(cov, F32) for cov, _ in faces)
        colour = sum(np.asarray(cov, F32)[..., None] * np.asarray(c, F32) for cov, c in faces)
        fallback = np.broadcast_to(np.asarray(faces[0][1], F32), self.shape + (3,))
        colour = np.where(weight[..., None] > 1e-3, colour / np.maximum(weight, 1e-3)[..., None], fallback)
        self.paint(silhouette, colour)

    def mark(self, region: str, mask: np.ndarray) -> None:
        self.regions[region] = self.regions.get(region, np.zeros(self.shape, bool)) | mask

    def defocus(self, sigma: float) -> None:
        """Out of focus: alpha and colour blur together (the box needs a margin of ~3 sigma)."""
        self.alpha = blur(self.alpha, sigma)
        self.premultiplied = blur(self.premultiplied, sigma)
        self.mark("soft", (self.alpha > 0.02) & (self.alpha < 0.98))

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.top, self.top + self.shape[0]), slice(self.left, self.left + self.shape[1])
