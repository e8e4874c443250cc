"""Painters for the solids generated product shots are built from: spheres, tubes bent along an
ellipse (tori, handles, rims), solids of revolution (bottles, mugs, cans), boxes and cushions.

Each paints into a Patch and returns the coverage it drew, so objects can mark holes and parts.
Lengths are pixels of the frame; `light` keywords go to `shade` (ambient, gloss, shininess).
"""
from __future__ import annotations

import numpy as np

from bench.scenes.drawing import (F32, Ellipse, Patch, Polygon, inflated_normal, normalised, ring_normal,
                                 shade, smooth_noise, sphere_normal)

MATTE = {"ambient": 0.4, "gloss": 0.04, "shininess": 8.0}
SATIN = {"ambient": 0.35, "gloss": 0.22, "shininess": 30.0}
GLOSSY = {"ambient": 0.3, "gloss": 0.55, "shininess": 70.0}
PALE = {"ambient": 0.72, "gloss": 0.08, "shininess": 20.0}  # white objects: soft, low-contrast shading


def texture(rng: np.random.Generator, shape: tuple[int, int], cells: float, amount: float) -> np.ndarray:
    """A multiplicative HxWx1 unevenness (paper grain, fabric, glaze) of +-amount."""
    return (1 + amount * smooth_noise(rng, shape, cells))[..., None]


def paint_sphere(p: Patch, cx: float, cy: float, rx: float, ry: float, albedo, **light) -> np.ndarray:
    coverage = p.cover(Ellipse(cx, cy, rx, ry))
    p.paint(coverage, shade(albedo, sphere_normal(p.x, p.y, cx, cy, rx, ry), **light))
    return coverage


def paint_ring(p: Patch, cx: float, cy: float, rx: float, ry: float, half_width: float, albedo,
               **light) -> tuple[np.ndarray, np.ndarray]:
    """A tube along an ellipse; returns its coverage and the fully enclosed opening (a bool mask
    that callers intersect with what ends up uncovered)."""
    coverage = p.cover(Ellipse(cx, cy, rx + half_width, ry + half_width),
                       Ellipse(cx, cy, rx - half_width, ry - half_width, cut=True))
    p.paint(coverage, shade(albedo, ring_normal(p.x, p.y, cx, cy, rx, ry, half_width), **light))
    opening = p.cover(Ellipse(cx, cy, rx - half_width, ry - half_width)) >= 1
    return coverage, opening


def paint_inflated(p: Patch, coverage: np.ndarray, albedo, radius: float, **light) -> None:
    p.paint(coverage, shade(albedo, inflated_normal(coverage, radius), **light))


def band_weight(t: np.ndarray, t0: float, t1: float, pixels: float) -> np.ndarray:
    """1 between t0 and t1, anti-aliased over one pixel (`pixels` = length of t's unit)."""
    return np.clip((t - t0) * pixels + 0.5, 0, 1) * np.clip((t1 - t) * pixels + 0.5, 0, 1)


def profile_radius(t: np.ndarray, knots_t: np.ndarray, knots_r: np.ndarray) -> np.ndarray:
    """Radius share at height share t: an S-curve (smoothstep) between successive knots, so
    shoulders and necks are round like blown glass instead of faceted."""
    i = np.clip(np.searchsorted(knots_t, t, side="right") - 1, 0, len(knots_t) - 2)
    s = np.clip((t - knots_t[i]) / np.maximum(knots_t[i + 1] - knots_t[i], 1e-6), 0, 1)
    return knots_r[i] + (knots_r[i + 1] - knots_r[i]) * s * s * (3 - 2 * s)


def paint_lathe(p: Patch, rng: np.random.Generator, cx: float, top: float, height: float, radius: float,
                profile: list[tuple[float, float]], albedo, *, tilt: float = 0.12, open_top: bool = False,
                lid=None, bands: tuple = (), streaks: float = 0.0, **light) -> np.ndarray:
    """An upright solid of revolution seen slightly from above. `profile` lists (t, share of
    radius) from the top (t=0) to the bottom (t=1); `bands` are (t0, t1, colour) rings of another
    colour (label, cap); `streaks` is brushed-metal unevenness. Sets p.base to its lowest point."""
    knots_t, knots_r = (np.asarray(k, F32) for k in zip(*profile))
    ts = np.linspace(0, 1, 240, dtype=F32)
    rs = profile_radius(ts, knots_t, knots_r) * radius
    outline = [(cx + r, top + t * height) for t, r in zip(ts, rs)]
    outline += [(cx - r, top + t * height) for t, r in zip(ts[::-1], rs[::-1])]
    rim = Ellipse(cx, top, rs[0], tilt * rs[0])
    silhouette = p.cover(Polygon(outline), Ellipse(cx, top + height, rs[-1], tilt * rs[-1]), rim)
    top_face = p.cover(rim)

    t = np.clip((p.y - top) / height, 0, 1)
    r_row = profile_radius(t, knots_t, knots_r) * radius
    step = 0.5 / height
    above, below = profile_radius(t - step, knots_t, knots_r), profile_radius(t + step, knots_t, knots_r)
    slope = (below - above) * radius / (2 * step * height)  # dr/dy: shoulders face up, necks down
    u = np.clip((p.x - cx) / np.maximum(r_row, 1e-3), -1, 1)
    normal = normalised(u, -slope, np.sqrt(1 - u * u))
    colour = np.broadcast_to(np.asarray(albedo, F32), p.shape + (3,))
    for t0, t1, band in bands:
        w = band_weight(t, t0, t1, height)[..., None]
        colour = colour * (1 - w) + np.asarray(band, F32) * w
    if streaks:
        colour = colour * (1 + streaks * smooth_noise(rng, (1, p.shape[1]), 80))[..., None]
    faces = [(np.clip(silhouette - top_face, 0, 1), shade(colour, normal, **light))]
    if open_top:
        inner = p.cover(Ellipse(cx, top, 0.9 * rs[0], 0.9 * tilt * rs[0]))
        v = np.clip((p.y - top) / (tilt * rs[0]), -1, 1)  # far wall (lit, -1) to near wall (dark, 1)
        inside = np.asarray(albedo, F32) * (0.55 - 0.25 * v)[..., None]
        faces += [(inner, np.broadcast_to(inside, p.shape + (3,))),
                  (np.clip(top_face - inner, 0, 1), shade(albedo, normalised(0, -1, 0.5), **light))]
    else:
        faces += [(top_face, shade(albedo if lid is None else lid, normalised(0, -1, 0.4), **light))]
    p.paint_faces(silhouette, faces)
    p.base = top + height + tilt * rs[-1]
    return silhouette


def paint_box(p: Patch, rng: np.random.Generator, cx: float, base: float, width: float, height: float,
              depth: float, albedo, label=None, **light) -> np.ndarray:
    """A carton seen from the front, slightly above and to the left: front, right side and lid.
    `label` is (t0, t1, colour): a printed band across the front, t from its top."""
    dx, dy = 0.8 * depth, -0.5 * depth
    x0 = cx - (width + dx) / 2
    x1, top = x0 + width, base - height
    front = Polygon([(x0, top), (x1, top), (x1, base), (x0, base)])
    side = Polygon([(x1, top), (x1 + dx, top + dy), (x1 + dx, base + dy), (x1, base)])
    lid = Polygon([(x0, top), (x0 + dx, top + dy), (x1 + dx, top + dy), (x1, top)])
    grain = np.asarray(albedo, F32) * texture(rng, p.shape, 40, 0.012)
    front_colour = grain * (0.97 - 0.07 * np.clip((p.y - top) / height, 0, 1))[..., None]  # floor bounce
    if label is not None:
        w = band_weight((p.y - top) / height, label[0], label[1], height)[..., None]
        front_colour = front_colour * (1 - w) + np.asarray(label[2], F32) * w
    faces = [(p.cover(front), shade(front_colour, normalised(0, 0, 1), **light)),
             (p.cover(side), shade(grain, normalised(1, 0, 0.45), **light)),
             (p.cover(lid), shade(grain, normalised(0, -1, 0.45), **light))]
    silhouette = p.cover(front, side, lid)
    p.paint_faces(silhouette, faces)
    p.base = base
    return silhouette
