"""Scenes of transparent and translucent products on plain backdrops: clear glass with an opaque
label and cap, a clear plastic box, tinted glass, a clear jar on a neutral backdrop."""
from __future__ import annotations

from bench.scenes import clear
from bench.scenes.recipe import grounded, near, recipe
from bench.scenes.stage import Scene, paper, sweep


@recipe("clear", "portrait")
def water_bottle_with_label(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (150, 185, 215), (205, 220, 232), horizon=0.6, softness=0.5)
    cx, u = near(s, 0.5 * s.width), s.unit
    p = clear.clear_lathe(s, cx, 0.88 * s.height, near(s, 0.7 * s.height), 0.2 * u, clear.WATER_BOTTLE,
                          (228, 236, 240), face=0.15, edge=0.8, bands=((0.5, 0.72, (245, 240, 225)),),
                          lid=(0.1, (30, 90, 170)))
    grounded(s, p, cx, 0.18 * u, contact=0.3)


@recipe("clear")
def plastic_box_on_green(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (175, 210, 165))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = clear.clear_box(s, cx, 0.78 * s.height, near(s, 0.62 * u), near(s, 0.36 * u), 0.3 * u, (232, 240, 246))
    grounded(s, p, cx, 0.35 * u, contact=0.3)


@recipe("clear", "portrait")
def green_glass_bottle_on_white(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (244, 244, 242))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = clear.clear_lathe(s, cx, 0.88 * s.height, near(s, 0.72 * s.height), 0.17 * u, clear.WATER_BOTTLE,
                          (40, 110, 50), face=0.62, edge=0.9, lid=(0.1, (190, 170, 90)))
    grounded(s, p, cx, 0.16 * u, contact=0.35)


@recipe("clear", "square")
def jar_on_grey(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (212, 212, 210))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = clear.clear_lathe(s, cx, 0.82 * s.height, near(s, 0.55 * s.height), 0.3 * u, clear.JAR,
                          (230, 236, 234), face=0.2, edge=0.8, lid=(0.1, (170, 170, 175)))
    grounded(s, p, cx, 0.28 * u, contact=0.35)
