"""Transparent and translucent products: clear glass and plastic, tinted glass. Same conventions as
objects.py.

How the truth treats them (the usual convention of matting data sets, where a glass's alpha comes
from photographing it over known backdrops): a photo pixel is alpha * F + (1 - alpha) * backdrop,
so alpha is how much of the backdrop the material hides and F the light it sends itself (what it
reflects, or its tint). Clear walls seen face-on hide little (alpha 0.15-0.2); seen edge-on, at the
silhouette, they reflect much more (up to 0.8, and darker, since they mirror the dark studio
around), climbing with the angle as Fresnel reflectance does (Schlick's approximation). Labels,
caps and lids are opaque. Tinted glass hides more (0.6-0.9).
"""
from __future__ import annotations

import numpy as np

from bench.scenes.drawing import (F32, Ellipse, Patch, Polygon, Stroke, normalised, rect, shade)
from bench.scenes.solids import GLOSSY, band_weight, profile_radius
from bench.scenes.stage import Scene

WATER_BOTTLE = [(0, 0.3), (0.1, 0.3), (0.11, 0.34), (0.16, 0.34), (0.3, 1), (0.97, 1), (1, 0.94)]
JAR = [(0, 0.9), (0.1, 0.9), (0.13, 1), (0.96, 1), (1, 0.95)]


def clear_lathe(scene: Scene, cx, base, height, radius, profile, tint, face: float, edge: float,
                tilt: float = 0.12, bands: tuple = (), lid=None) -> Patch:
    """A see-through solid of revolution (bottle, jar): walls of alpha `face` where seen face-on
    rising to `edge` where seen edge-on, darker there; a highlight streak; opaque `bands`
    (t0, t1, colour: a label) and an opaque `lid` (t1, colour: cap or lid from the top to t1)."""
    top = base - height
    p = scene.patch(cx - radius - 3, top - tilt * radius - 3, cx + radius + 3, base + tilt * radius + 3)
    knots_t, knots_r = (np.asarray(k, F32) for k in zip(*profile))
    ts = np.linspace(0, 1, 240, dtype=F32)
    rs = profile_radius(ts, knots_t, knots_r) * radius
    outline = [(cx + r, top + t * height) for t, r in zip(ts, rs)]
    outline += [(cx - r, top + t * height) for t, r in zip(ts[::-1], rs[::-1])]
    silhouette = p.cover(Polygon(outline), Ellipse(cx, top + height, rs[-1], tilt * rs[-1]),
                         Ellipse(cx, top, rs[0], tilt * rs[0]))
    t = np.clip((p.y - top) / height, 0, 1)
    r_row = profile_radius(t, knots_t, knots_r) * radius
    u = np.clip((p.x - cx) / np.maximum(r_row, 1e-3), -1, 1)
    step = 0.5 / height
    slope = (profile_radius(t + step, knots_t, knots_r) - profile_radius(t - step, knots_t, knots_r)) \
        * radius / (2 * step * height)
    normal = normalised(u, -slope, np.sqrt(1 - u * u))
    # Schlick's approximation of Fresnel reflectance: nearly flat until the wall is seen at a
    # grazing angle, then a steep climb at the silhouette
    fresnel = (1 - normal[2]) ** 5
    alpha = face + (edge - face) * fresnel
    light = 1.0 - 0.55 * fresnel  # edge-on walls mirror the dark studio
    wall = shade(tint, normal, ambient=0.85, gloss=0.2, shininess=25)
    p.paint(silhouette * alpha, wall * light[..., None])
    streak = silhouette * np.clip(1 - np.abs(u + 0.5) / 0.06, 0, 1) * band_weight(t, 0.2, 0.92, height)
    p.paint(streak * 0.7, (252, 252, 252))
    p.mark("soft", (p.alpha > 0.02) & (p.alpha < 0.98))
    solid = np.zeros(p.shape, F32)
    for t0, t1, colour in bands:
        band = silhouette * band_weight(t, t0, t1, height)
        p.paint(band, shade(colour, normalised(u, 0 * u, np.sqrt(1 - u * u)), ambient=0.55, gloss=0.1))
        solid = np.maximum(solid, band)
    if lid is not None:
        t1, colour = lid
        cap = np.maximum(silhouette * band_weight(t, -1, t1, height), p.cover(Ellipse(cx, top, rs[0], tilt * rs[0])))
        p.paint(cap, shade(colour, normalised(u, -0.3 + 0 * u, np.sqrt(1 - u * u)), **GLOSSY))
        solid = np.maximum(solid, cap)
    p.regions["soft"] &= solid < 0.98
    p.base = top + height + tilt * rs[-1]
    return p


def clear_box(scene: Scene, cx, base, width, height, depth, tint, face: float = 0.16, edge: float = 0.75) -> Patch:
    """A clear plastic food box seen from the front, slightly above and to the left: front, right
    side and lid are thin sheets (alpha `face`, more where two walls overlap), the folded edges and
    the lid's rim are seen edge-on (alpha `edge`, darker)."""
    dx, dy = 0.8 * depth, -0.5 * depth
    x0 = cx - (width + dx) / 2
    x1, top = x0 + width, base - height
    p = scene.patch(x0 - 4, top + dy - 4, x1 + dx + 4, base + 4)
    front = p.cover(rect(x0, top, x1, base))
    side = p.cover(Polygon([(x1, top), (x1 + dx, top + dy), (x1 + dx, base + dy), (x1, base)]))
    lid = p.cover(Polygon([(x0, top), (x0 + dx, top + dy), (x1 + dx, top + dy), (x1, top)]))
    back = p.cover(rect(x0 + dx, top + dy, x1 + dx, base + dy))  # the far walls, seen through the near ones
    sheet = np.asarray(tint, F32)
    p.paint(back * face, sheet * 0.92)
    p.paint(np.clip(front + side, 0, 1) * face, shade(sheet, normalised(0, 0, 1), ambient=0.9, gloss=0.15))
    p.paint(lid * (face + 0.08), shade(sheet, normalised(0, -1, 0.6), ambient=0.9, gloss=0.15))
    w = 0.02 * min(width, height)
    corners = [[(x0, top), (x1, top), (x1, base), (x0, base), (x0, top)], [(x1, top), (x1 + dx, top + dy)],
               [(x1 + dx, top + dy), (x1 + dx, base + dy), (x1, base)], [(x0, top), (x0 + dx, top + dy),
                                                                           (x1 + dx, top + dy)]]
    folds = np.clip(sum(p.cover(Stroke(line, w)) for line in corners), 0, 1)
    p.paint(folds * edge, sheet * 0.55)
    rim = p.cover(Stroke([(x0, top + 0.06 * height), (x1, top + 0.06 * height),
                          (x1 + dx, top + dy + 0.06 * height)], 1.6 * w))
    p.paint(rim * 0.5 * edge, sheet * 0.8)
    p.mark("soft", (p.alpha > 0.02) & (p.alpha < 0.98))
    p.base = base
    return p
