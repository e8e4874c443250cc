"""Products with soft, see-through or organic outlines: a glass tumbler, a fluffy pompom, a
pebble and a trainer. Same conventions as objects.py.
"""
from __future__ import annotations

import numpy as np

from bench.scenes.drawing import (F32, Ellipse, Patch, Polygon, Stroke, shade, smooth_closed,
                                  sphere_normal)
from bench.scenes.solids import MATTE, SATIN, paint_inflated, texture
from bench.scenes.stage import Scene

TUMBLER = [(0, 1), (1, 0.84)]  # radius share from rim (0) to foot (1): a slightly tapered tumbler


def glass(scene: Scene, cx, base, height, radius, tint=(225, 238, 236)) -> Patch:
    """A tumbler: see-through walls (alpha 0.3-0.6, more opaque where seen edge-on), a thick
    base, a rim and a highlight streak. All of it is fractional alpha: soft, not hole."""
    top, tilt = base - height, 0.12
    p = scene.patch(cx - radius - 3, top - tilt * radius - 3, cx + radius + 3, base + tilt * radius + 3)
    ts = np.linspace(0, 1, 120)
    rs = np.interp(ts, *zip(*TUMBLER)) * radius
    outline = [(cx + r, top + t * height) for t, r in zip(ts, rs)]
    outline += [(cx - r, top + t * height) for t, r in zip(ts[::-1], rs[::-1])]
    rim = Ellipse(cx, top, radius, tilt * radius)
    body = p.cover(Polygon(outline), Ellipse(cx, base, rs[-1], tilt * rs[-1]), rim)
    t = np.clip((p.y - top) / height, 0, 1)
    u = np.clip((p.x - cx) / (np.interp(t, *zip(*TUMBLER)) * radius), -1, 1)
    # the wall hides more of the backdrop where it is seen edge-on (|u| near 1), as Fresnel
    # reflectance climbs (Schlick's approximation: flat until grazing angles), and in the thick foot
    grazing = (1 - np.sqrt(1 - u * u)) ** 5
    thickness = 0.3 + 0.3 * grazing + 0.3 * np.clip((t - 0.86) * height, 0, 1)
    wall = shade(tint, (u, 0 * u, np.sqrt(1 - u * u)), ambient=0.8, gloss=0.3, shininess=20)
    p.paint(body * thickness, wall)
    lip = p.cover(rim, Ellipse(cx, top, 0.94 * radius, 0.94 * tilt * radius, cut=True))
    p.paint(lip * 0.85, np.asarray(tint, F32) * 1.05)
    streak = body * np.clip(1 - np.abs(u + 0.55) / 0.07, 0, 1) * np.clip((t - 0.08) * 8, 0, 1)
    p.paint(streak * 0.8, (252, 252, 252))
    p.mark("soft", (p.alpha > 0.02) & (p.alpha < 0.98))
    p.base = base + tilt * rs[-1]
    return p


def periodic_noise(rng: np.random.Generator, angle: np.ndarray, cycles: int) -> np.ndarray:
    """-1..1 noise around a circle with `cycles` random values per turn (seamless at +-pi)."""
    knots = np.linspace(-np.pi, np.pi, cycles + 1)[:-1]
    return np.interp(angle, knots, rng.uniform(-1, 1, cycles), period=2 * np.pi)


def pompom(scene: Scene, cx, cy, r, colour) -> Patch:
    """A fluffy wool ball: its edge is a wide band of fractional alpha with strands sticking out."""
    p = scene.patch(cx - 1.25 * r, cy - 1.25 * r, cx + 1.25 * r, cy + 1.25 * r)
    dx, dy = p.x - cx, p.y - cy
    d, angle = np.sqrt(dx * dx + dy * dy), np.arctan2(dy, dx)
    a, b = scene.rng.uniform(0, 2 * np.pi, 2)
    lumps = 0.04 * np.sin(3 * angle + a) + 0.03 * np.sin(5 * angle + b)
    fringe = r * (1 + lumps) + 0.08 * r * periodic_noise(scene.rng, angle, 360)  # strands
    alpha = np.clip((fringe - d) / (0.16 * r) + 0.5, 0, 1)
    fibres = 1 + 0.12 * periodic_noise(scene.rng, angle * 3 + d / r * 9, 960)  # swirls of yarn
    ball = sphere_normal(p.x, p.y, cx, cy, 1.1 * r, 1.1 * r)
    wool = shade(np.asarray(colour, F32) * fibres[..., None], ball, ambient=0.45, gloss=0.03)
    p.paint(alpha, wool)
    p.mark("soft", (p.alpha > 0.02) & (p.alpha < 0.98))
    p.base = cy + r
    return p


def pebble(scene: Scene, cx, cy, r, colour) -> Patch:
    """A smooth river stone lying flat: an organic outline, speckled, matte."""
    angles = np.linspace(0, 2 * np.pi, 14, endpoint=False)
    a, b = scene.rng.uniform(0, 2 * np.pi, 2)
    radial = 1 + 0.07 * np.sin(2 * angles + a) + 0.05 * np.sin(3 * angles + b)
    points = [(cx + r * k * np.cos(t), cy + 0.62 * r * k * np.sin(t)) for k, t in zip(radial, angles)]
    p = scene.patch(cx - 1.2 * r, cy - 0.8 * r, cx + 1.2 * r, cy + 0.8 * r)
    speckle = texture(scene.rng, p.shape, 25, 0.06) * texture(scene.rng, p.shape, 140, 0.05)
    stone = p.cover(Polygon(smooth_closed(points)))
    paint_inflated(p, stone, np.asarray(colour, F32) * speckle, 0.35 * r, **MATTE)
    p.base = max(y for _, y in points)
    return p


SHOE = [(0.03, 0.98), (0.0, 0.7), (0.02, 0.35), (0.07, 0.05), (0.16, 0.0), (0.25, 0.12), (0.34, 0.18),
        (0.42, 0.05), (0.48, 0.02), (0.54, 0.12), (0.66, 0.38), (0.82, 0.5), (0.95, 0.6), (1.0, 0.76),
        (0.99, 0.93), (0.92, 1.0), (0.5, 1.0), (0.15, 1.0)]  # side view, heel (0) to toe (1), top (0) down
STRIPE = [(0.32, 0.62), (0.6, 0.5), (0.84, 0.46), (0.62, 0.58), (0.36, 0.7)]


def sneaker(scene: Scene, left, base, length, upper, sole, accent, lining=(60, 60, 65), light=SATIN) -> Patch:
    """A trainer seen from the side, toe to the right: padded upper, sole, stripe, laces."""
    h = 0.42 * length
    top = base - h
    at = lambda u, v: (left + u * length, top + v * h)  # noqa: E731 - unit shoe coordinates to pixels
    p = scene.patch(left - 4, top - 4, left + length + 4, base + 4)
    shoe = p.cover(Polygon([at(u, v) for u, v in smooth_closed(SHOE)]))
    leather = np.asarray(upper, F32) * texture(scene.rng, p.shape, 60, 0.012)
    paint_inflated(p, shoe, leather, 0.07 * length, **light)
    sole_line = [at(u, 0.78 + 0.03 * np.sin(9 * u)) for u in np.linspace(-0.05, 1.05, 60)]
    rubber = shoe * p.cover(Polygon(sole_line + [at(1.05, 1.2), at(-0.05, 1.2)]))
    shadowed = 1.02 - 0.4 * np.clip((p.y - top) / h - 0.78, 0, 1)  # the sole darkens towards the floor
    p.paint(rubber, shade(sole, (0, 0.15, 1), ambient=0.75, gloss=0.05) * shadowed[..., None])
    p.paint(p.cover(Stroke(sole_line, 0.012 * length)) * shoe, np.asarray(sole, F32) * 0.8)
    p.paint(p.cover(Polygon([at(u, v) for u, v in smooth_closed(STRIPE, 6)])) * shoe, accent)
    p.paint(p.cover(Ellipse(*at(0.25, 0.13), 0.085 * length, 0.04 * length)) * shoe, lining)
    for k in range(4):
        u, v = 0.45 + 0.055 * k, 0.16 + 0.085 * k
        lace = Stroke([at(u, v), at(u + 0.08, v - 0.06)], 0.018 * length)
        p.paint(p.cover(lace) * shoe, np.asarray(upper, F32) * 0.88)
    p.base = base
    return p
