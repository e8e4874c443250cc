"""Scenes whose difficulty is around the object: plain and coloured backdrops, shadows and
reflections on the floor, white-on-white and grey-on-grey, gradient and vignetted backdrops."""
from __future__ import annotations

from bench.scenes import objects as obj
from bench.scenes import gear, props
from bench.scenes.recipe import grounded, near, on_gloss, recipe
from bench.scenes.solids import GLOSSY, MATTE, PALE, SATIN
from bench.scenes.stage import Scene, paper, sweep, vignette


@recipe("easy")
def red_ball_on_grey_paper(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (212, 212, 208))
    s.add(obj.ball(s, near(s, 0.5 * s.width), near(s, 0.5 * s.height), near(s, 0.3 * s.unit), (200, 40, 35)))


@recipe("easy", "square")
def blue_carton_on_white(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (246, 246, 244))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.carton(s, cx, 0.8 * s.height, near(s, 0.4 * u), near(s, 0.5 * u), 0.18 * u, (40, 90, 170),
                   (0.3, 0.55, (235, 235, 240)))
    grounded(s, p, cx, 0.25 * u, contact=0.3)


@recipe("easy", "portrait")
def green_bottle_on_beige(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (228, 218, 200))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.lathe(s, cx, 0.86 * s.height, near(s, 0.68 * s.height), 0.16 * u, obj.BOTTLE, (40, 120, 60),
                  bands=((0, 0.12, (200, 170, 60)), (0.55, 0.82, (240, 235, 220))), **GLOSSY)
    grounded(s, p, cx, 0.16 * u, contact=0.35)


@recipe("colour")
def orange_on_teal(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (40, 150, 150))
    cx, r = near(s, 0.45 * s.width), near(s, 0.25 * s.unit)
    grounded(s, obj.fruit(s, cx, 0.52 * s.height, r, apple=False), cx, 0.7 * r, contact=0.5)


@recipe("colour", "portrait")
def yellow_can_on_magenta(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (200, 40, 120))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.lathe(s, cx, 0.78 * s.height, near(s, 0.5 * s.height), 0.19 * u, obj.CAN, (245, 205, 30),
                  lid=(200, 200, 205), bands=((0.3, 0.45, (200, 30, 30)), (0.62, 0.68, (30, 30, 30))),
                  **GLOSSY)
    grounded(s, p, cx, 0.18 * u, contact=0.5)


@recipe("colour")
def three_eggs_on_blue(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (30, 70, 190))
    for k, colour in enumerate([(250, 200, 60), (250, 120, 150), (120, 220, 140)]):  # three eggs in a row
        cx, r = near(s, (0.3 + 0.2 * k) * s.width, 0.03), near(s, 0.11 * s.unit)
        grounded(s, obj.ball(s, cx, 0.55 * s.height - 0.2 * r, r * 0.78, colour, SATIN, squash=1.3), cx,
                 0.5 * r, contact=0.5)


@recipe("shadow")
def tall_carton_long_shadow(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (236, 236, 232))
    cx, u = near(s, 0.4 * s.width), s.unit
    p = obj.carton(s, cx, 0.78 * s.height, 0.22 * u, near(s, 0.5 * u), 0.1 * u, (240, 236, 225),
                   (0.15, 0.3, (190, 150, 60)))
    grounded(s, p, cx, 0.14 * u, contact=0.5, cast=0.45, lean=0.9, squash=0.45, softness=0.02)


@recipe("shadow")
def ball_with_cast_shadow(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (214, 206, 196))
    cx, r = near(s, 0.42 * s.width), near(s, 0.2 * s.unit)
    p = obj.ball(s, cx, 0.6 * s.height, r, (200, 220, 60), MATTE)
    grounded(s, p, cx, 0.5 * r, contact=0.6, cast=0.4, lean=0.6, squash=0.3, softness=0.035)


@recipe("shadow", "square")
def red_trainer_with_shadow(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (245, 245, 243))
    length = near(s, 0.75 * s.width)
    p = props.sneaker(s, 0.5 * (s.width - length), 0.68 * s.height, length, (200, 35, 40), (240, 240, 235),
                      (250, 250, 250))
    grounded(s, p, 0.5 * s.width, 0.42 * length, contact=0.55, cast=0.35, lean=1.2, squash=0.35)


@recipe("shadow", "portrait")
def small_vase_hard_shadow(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (232, 220, 200))
    cx, u = near(s, 0.35 * s.width), s.unit
    p = obj.lathe(s, cx, 0.7 * s.height, near(s, 0.3 * s.height), 0.12 * u, obj.VASE, (70, 110, 160),
                  open_top=True, **GLOSSY)
    grounded(s, p, cx, 0.07 * u, contact=0.5, cast=0.5, lean=1.2, squash=0.6, softness=0.008)


@recipe("reflection", "portrait")
def perfume_on_white_gloss(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (250, 250, 250), (236, 236, 238), horizon=0.5)
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.lathe(s, cx, 0.62 * s.height, near(s, 0.42 * s.height), 0.26 * u, obj.PERFUME, (190, 120, 40),
                  tilt=0.08, bands=((0, 0.225, (215, 180, 90)),), **GLOSSY)
    on_gloss(s, p, cx, 0.25 * u)


@recipe("reflection")
def red_ball_on_grey_gloss(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (235, 235, 235), (222, 222, 226), horizon=0.45)
    cx, r = near(s, 0.5 * s.width), near(s, 0.2 * s.unit)
    on_gloss(s, obj.ball(s, cx, 0.58 * s.height - r, r, (190, 30, 40), GLOSSY), cx, 0.3 * r, strength=0.45)


@recipe("reflection")
def navy_mug_on_grey_gloss(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (215, 215, 220), (190, 190, 196), horizon=0.5)
    cx, u = near(s, 0.45 * s.width), s.unit
    p = obj.mug(s, cx, 0.6 * s.height, near(s, 0.36 * u), 0.17 * u, (30, 50, 100), GLOSSY)
    on_gloss(s, p, cx, 0.15 * u, strength=0.4)


@recipe("white")
def white_mug_on_white(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (247, 247, 246))
    cx, u = near(s, 0.45 * s.width), s.unit
    p = obj.mug(s, cx, 0.72 * s.height, near(s, 0.42 * u), 0.2 * u, (246, 246, 244), PALE)
    grounded(s, p, cx, 0.18 * u, contact=0.35, cast=0.18, lean=0.7, squash=0.35)


@recipe("white")
def white_trainer_on_white(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (248, 248, 247))
    length = near(s, 0.62 * s.width)
    p = props.sneaker(s, near(s, 0.2 * s.width), 0.7 * s.height, length, (247, 247, 245), (238, 238, 234),
                      (232, 232, 230), lining=(225, 225, 222), light=PALE)
    grounded(s, p, p.left + 0.5 * length, 0.42 * length, contact=0.4)


@recipe("white", "portrait")
def white_flask_on_white_sweep(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (252, 252, 252), (240, 240, 240))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.lathe(s, cx, 0.82 * s.height, near(s, 0.6 * s.height), 0.2 * u, obj.THERMOS, (248, 248, 246),
                  bands=((0, 0.205, (240, 240, 238)),), **PALE)
    grounded(s, p, cx, 0.2 * u, contact=0.35)


@recipe("grey")
def pebble_on_grey(s: Scene) -> None:
    s.backdrop = paper(s.rng, s.shape, (140, 140, 138))
    cx, r = near(s, 0.5 * s.width), near(s, 0.28 * s.unit)
    p = props.pebble(s, cx, 0.55 * s.height, r, (132, 130, 126))
    grounded(s, p, cx, 0.8 * r, contact=0.45, cast=0.25, lean=0.6, squash=0.5)


@recipe("grey", "portrait")
def steel_flask_on_grey_sweep(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (168, 168, 170), (138, 138, 140))
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.lathe(s, cx, 0.84 * s.height, near(s, 0.62 * s.height), 0.19 * u, obj.THERMOS, (150, 152, 156),
                  bands=((0, 0.205, (60, 60, 62)),), streaks=0.06, **GLOSSY)
    grounded(s, p, cx, 0.19 * u, contact=0.4)


@recipe("gradient")
def yellow_carton_on_blue_sweep(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (120, 160, 220), (236, 240, 248), horizon=0.5, softness=0.9)
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.carton(s, cx, 0.8 * s.height, near(s, 0.5 * u), 0.36 * u, 0.2 * u, (250, 200, 40),
                   (0.55, 0.8, (30, 30, 30)))
    grounded(s, p, cx, 0.3 * u, contact=0.45)


@recipe("gradient", "portrait")
def apple_on_warm_gradient(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (245, 205, 150), (150, 90, 60), horizon=0.5, softness=1.0, across=True)
    cx, r = near(s, 0.5 * s.width), near(s, 0.3 * s.unit)
    grounded(s, obj.fruit(s, cx, 0.55 * s.height, r), cx, 0.7 * r, contact=0.5)


@recipe("gradient")
def red_kettle_dark_wall_light_floor(s: Scene) -> None:
    s.backdrop = sweep(s.rng, s.shape, (70, 70, 76), (205, 205, 205), horizon=0.6, softness=0.4)
    cx, width = near(s, 0.55 * s.width), near(s, 0.48 * s.unit)
    p = gear.kettle(s, cx, 0.82 * s.height, width, (200, 40, 40))
    grounded(s, p, cx, 0.4 * width, contact=0.5)


@recipe("vignette")
def orange_carton_vignette(s: Scene) -> None:
    s.backdrop = vignette(paper(s.rng, s.shape, (228, 228, 225)), 0.65, 1.8)
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.carton(s, cx, 0.75 * s.height, near(s, 0.38 * u), 0.42 * u, 0.16 * u, (235, 120, 30),
                   (0.6, 0.75, (250, 250, 250)))
    grounded(s, p, cx, 0.22 * u, contact=0.45)


@recipe("vignette", "portrait")
def perfume_in_a_spotlight(s: Scene) -> None:
    s.backdrop = vignette(paper(s.rng, s.shape, (95, 115, 175)), 0.8, 1.4)
    cx, u = near(s, 0.5 * s.width), s.unit
    p = obj.lathe(s, cx, 0.72 * s.height, near(s, 0.45 * s.height), 0.3 * u, obj.PERFUME, (210, 150, 60),
                  tilt=0.08, bands=((0, 0.225, (40, 40, 45)),), **GLOSSY)
    grounded(s, p, cx, 0.28 * u, contact=0.5)


@recipe("vignette", "square")
def blue_trainer_vignette(s: Scene) -> None:
    s.backdrop = vignette(paper(s.rng, s.shape, (232, 214, 188)), 0.6, 2.2)
    length = near(s, 0.7 * s.width)
    p = props.sneaker(s, 0.5 * (s.width - length), 0.66 * s.height, length, (40, 70, 150), (235, 235, 230),
                      (250, 200, 40))
    grounded(s, p, 0.5 * s.width, 0.42 * length, contact=0.5)
