"""Scenes whose difficulty is the object's own shape: thin parts, holes that are backdrop, and
soft or see-through edges."""
from __future__ import annotations

from bench.scenes import objects as obj
from bench.scenes import gear, props
from bench.scenes.recipe import grounded, near, recipe
from bench.scenes.solids import GLOSSY
from bench.scenes.stage import Scene, paper


@recipe("thin")
def mouse_and_cable(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (230, 230, 228))
    cx, size = near(s, 0.35 * s.width), near(s, 0.5 * s.unit)
    p = gear.mouse(s, cx, 0.62 * s.height, size, (45, 45, 50), 0.006 * s.unit)
    s.cast_shadow(p, p.base, 0.3, 0.0, 1.0, 0.03 * s.unit)
    s.add(p)


@recipe("thin")
def spectacles(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (245, 245, 244))
    cx, lens = near(s, 0.5 * s.width), near(s, 0.26 * s.unit)
    p = gear.spectacles(s, cx, 0.66 * s.height, lens, (70, 45, 30))
    for side in (-1, 1):
        s.contact_shadow(cx + side * 0.62 * lens, p.base, 0.35 * lens, 0.3, 0.02 * s.unit)
    s.add(p)


@recipe("thin", "portrait")
def carrier_bag_with_cords(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (232, 232, 230))
    cx, u = near(s, 0.48 * s.width), s.unit
    p = gear.shopping_bag(s, cx, 0.85 * s.height, near(s, 0.55 * u), 0.55 * s.height, (190, 150, 105),
                           0.007 * u)
    grounded(s, p, cx, 0.3 * u, contact=0.45)


@recipe("hole")
def doughnut(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (200, 225, 240))
    cx, r = near(s, 0.4 * s.width), near(s, 0.22 * s.unit)
    grounded(s, obj.donut(s, cx, 0.5 * s.height, r), cx, r, contact=0.4)


@recipe("hole", "square")
def gold_ring(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (244, 244, 242))
    cx, r = near(s, 0.5 * s.width), near(s, 0.18 * s.unit)
    grounded(s, obj.jewel_ring(s, cx, 0.55 * s.height, r), cx, 0.9 * r, contact=0.35)


@recipe("hole")
def blue_mug_handle(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (230, 222, 205))
    cx, u = near(s, 0.42 * s.width), s.unit
    p = obj.mug(s, cx, 0.75 * s.height, near(s, 0.45 * u), 0.22 * u, (40, 80, 160))
    grounded(s, p, cx, 0.2 * u, contact=0.5, cast=0.3, lean=0.8, squash=0.35)


@recipe("soft")
def pink_pompom(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (222, 222, 220))
    cx, r = near(s, 0.5 * s.width), near(s, 0.28 * s.unit)
    grounded(s, props.pompom(s, cx, 0.5 * s.height, r, (235, 120, 160)), cx, 0.6 * r, contact=0.35)


@recipe("soft", "portrait")
def glass_tumbler(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (220, 150, 90))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = props.glass(s, cx, 0.72 * s.height, near(s, 0.4 * s.height), 0.24 * u)
    grounded(s, p, cx, 0.2 * u, contact=0.25)


@recipe("soft")
def bottle_out_of_focus(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (170, 190, 160))
    cx, u = near(s, 0.5 * s.width), s.unit
    sigma = 0.008 * u  # out of focus: the edge is a gradual blend several pixels wide
    p = obj.lathe(s, cx, 0.86 * s.height, near(s, 0.72 * s.height), 0.16 * u, obj.BOTTLE, (110, 60, 30),
                  bands=((0, 0.12, (30, 30, 30)), (0.55, 0.8, (235, 225, 200))), **GLOSSY)
    p = s.padded(p, 4 * sigma)
    p.defocus(sigma)
    grounded(s, p, cx, 0.16 * u, contact=0.3)
