"""The products in the generated set. Each function builds one object as a Patch (not yet added
to the scene, so a recipe can first cast its shadow or reflection) with p.base = its floor line.

Sizes are pixels; recipes pass multiples of the scene's unit so objects scale with the frame.
Thin parts, holes and soft parts are marked as regions for the tests and the truth.
"""
from __future__ import annotations

import numpy as np

from bench.scenes.drawing import (F32, Ellipse, Patch, Polygon, Stroke, bezier, ring_position, shade,
                                  smooth_noise, sphere_normal)
from bench.scenes.solids import MATTE, SATIN, paint_box, paint_lathe, paint_ring, paint_sphere, texture
from bench.scenes.stage import Scene

BOTTLE = [(0, 0.34), (0.12, 0.34), (0.125, 0.3), (0.28, 0.3), (0.5, 1), (0.97, 1), (1, 0.95)]
PERFUME = [(0, 0.42), (0.22, 0.42), (0.225, 0.22), (0.3, 0.22), (0.305, 1), (1, 1)]
CAN = [(0, 0.86), (0.035, 0.97), (0.06, 1), (0.94, 1), (0.97, 0.93), (1, 0.88)]
VASE = [(0, 0.42), (0.06, 0.36), (0.22, 0.32), (0.45, 0.72), (0.68, 1), (0.88, 0.86), (1, 0.62)]
THERMOS = [(0, 0.86), (0.02, 0.95), (0.2, 0.95), (0.205, 1), (0.97, 1), (1, 0.96)]
MUG = [(0, 1), (1, 0.96)]


def ball(scene: Scene, cx, cy, r, colour, light=SATIN, squash: float = 1.0) -> Patch:
    p = scene.patch(cx - r - 2, cy - r * squash - 2, cx + r + 2, cy + r * squash + 2)
    paint_sphere(p, cx, cy, r, r * squash, colour, **light)
    p.base = cy + r * squash
    return p


def fruit(scene: Scene, cx, cy, r, apple: bool = True) -> Patch:
    """An apple (streaky red, stem and leaf) or an orange (dimpled peel)."""
    p = scene.patch(cx - r - 2, cy - 1.45 * r, cx + r + 2, cy + r + 2)
    at = lambda u, v: (cx + u * r, cy + v * r)  # noqa: E731 - fruit-relative coordinates to pixels
    if apple:
        streaks = smooth_noise(scene.rng, p.shape, 10)[..., None]
        red, yellow = np.asarray((175, 25, 30), F32), np.asarray((60, 50, 0), F32)
        albedo = red * (1 - 0.25 * streaks) + yellow * streaks.clip(0)
    else:
        albedo = np.asarray((235, 125, 20), F32) * texture(scene.rng, p.shape, 70, 0.07)
    body = paint_sphere(p, cx, cy, r, 0.92 * r, albedo, **SATIN)
    dimple = p.cover(Ellipse(cx, cy - 0.8 * r, 0.14 * r, 0.05 * r)) * body
    p.paint(dimple * 0.6, (90, 70, 30) if apple else (110, 120, 40))
    if apple:
        stem = p.cover(Stroke(bezier(at(0, -0.8), at(0.02, -1.05), at(0.12, -1.22)), 0.07 * r))
        p.paint(stem, (95, 60, 30))
        p.mark("thin", stem > 0)
        leaf = bezier(at(0.08, -1.05), at(0.3, -1.4), at(0.6, -1.2))
        leaf += bezier(at(0.6, -1.2), at(0.35, -1.0), at(0.08, -1.05))
        curl = sphere_normal(p.x, p.y, *at(0.34, -1.15), 0.3 * r, 0.15 * r)  # a leaf curls like a shallow dome
        p.paint(p.cover(Polygon(leaf)), shade((60, 140, 40), curl, **SATIN))
    p.base = cy + 0.92 * r
    return p


def carton(scene: Scene, cx, base, width, height, depth, colour, label=None, light=SATIN) -> Patch:
    p = scene.patch(cx - width, base - height - depth, cx + width, base + 2)
    paint_box(p, scene.rng, cx, base, width, height, depth, colour, label, **light)
    return p


def lathe(scene: Scene, cx, base, height, radius, profile, colour, tilt=0.12, **options) -> Patch:
    """Any solid of revolution standing on `base`: bottle, can, vase, thermos, perfume."""
    top = base - height
    p = scene.patch(cx - radius - 3, top - tilt * radius - 3, cx + radius + 3, base + tilt * radius + 3)
    paint_lathe(p, scene.rng, cx, top, height, radius, profile, colour, tilt=tilt, **options)
    return p


def mug(scene: Scene, cx, base, height, radius, colour, light=SATIN, side: int = 1) -> Patch:
    """A mug with a D-shaped handle: the opening of the handle is backdrop (a hole)."""
    top, hx = base - height, cx + side * 0.98 * radius
    hrx, hry, hw = 0.42 * radius, 0.3 * height, 0.055 * height
    p = scene.patch(min(cx - radius, hx - hrx - hw) - 3, top - 0.15 * radius - 3,
                    max(cx + radius, hx + hrx + hw) + 3, base + 0.15 * radius + 3)
    _, opening = paint_ring(p, hx, top + 0.45 * height, hrx, hry, hw, colour, **light)
    paint_lathe(p, scene.rng, cx, top, height, radius, MUG, colour, open_top=True, **light)
    p.mark("hole", opening & (p.alpha == 0))
    return p


def donut(scene: Scene, cx, cy, radius, tilt=0.72, icing=(235, 130, 170)) -> Patch:
    """A glazed ring doughnut seen from above at an angle: the hole in the middle is backdrop."""
    tube, ry = 0.42 * radius, tilt * radius
    p = scene.patch(cx - radius - tube - 3, cy - ry - tube - 3, cx + radius + tube + 3, cy + ry + tube + 3)
    dough = np.asarray((205, 140, 70), F32) * texture(scene.rng, p.shape, 30, 0.08)
    ring, opening = paint_ring(p, cx, cy, radius, ry, tube, dough, **MATTE)
    t, _, _ = ring_position(p.x, p.y, cx, cy, radius, ry, tube)  # across the tube: the glaze covers its crest
    angle = np.arctan2((p.y - cy) / tilt, p.x - cx)
    edge = 0.62 + 0.12 * np.sin(6 * angle + scene.rng.uniform(0, 6)) + 0.05 * np.sin(17 * angle)
    glaze = ring * np.clip((edge - np.abs(t)) * tube + 0.5, 0, 1)
    sheen = shade(icing, (0, -0.2, 1), ambient=0.5, gloss=0.35, shininess=40)
    p.paint(glaze, sheen * (1 - 0.25 * np.abs(t))[..., None])
    for _ in range(28):  # sprinkles on the glaze
        a, k, d = scene.rng.uniform(0, 2 * np.pi), scene.rng.uniform(-0.45, 0.45), scene.rng.uniform(0, np.pi)
        x, y = cx + np.cos(a) * (radius + k * tube), cy + np.sin(a) * (ry + k * tube)
        end = (x + 0.09 * tube * np.cos(d), y + 0.09 * tube * np.sin(d))
        colour = scene.rng.choice([(250, 240, 90), (90, 170, 240), (250, 250, 250), (120, 200, 90)])
        p.paint(p.cover(Stroke([(x, y), end], 0.05 * tube)) * glaze, colour)
    p.mark("hole", opening & (p.alpha == 0))
    p.base = cy + ry + tube
    return p


def jewel_ring(scene: Scene, cx, cy, radius, metal=(215, 175, 70), tilt=0.34) -> Patch:
    """A gold ring lying tilted, with a stone on top: the inside of the band is backdrop."""
    band, ry = 0.085 * radius, tilt * radius
    reach = radius + band + 3
    p = scene.patch(cx - reach, cy - ry - 0.4 * radius, cx + reach, cy + ry + band + 3)
    _, opening = paint_ring(p, cx, cy, radius, ry, band, metal, ambient=0.3, gloss=0.8, shininess=50)
    stone = (cx, cy - ry - 0.12 * radius, 0.2 * radius, 0.17 * radius)
    paint_sphere(p, *stone, (200, 215, 245), ambient=0.45, gloss=0.9, shininess=90)
    p.mark("hole", opening & (p.alpha == 0))
    p.base = cy + ry + band
    return p
