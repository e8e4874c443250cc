"""Products with thin parts and the holes they enclose: spectacles, a mouse on its cable, a
carrier bag with cord handles, a kettle with an arched handle. Same conventions as objects.py.
"""
from __future__ import annotations

import numpy as np

from bench.scenes.drawing import (F32, Ellipse, Patch, Polygon, Stroke, bezier, rect, ring_normal, shade,
                                  smooth_closed, sphere_normal)
from bench.scenes.solids import GLOSSY, MATTE, SATIN, paint_inflated, paint_ring, texture
from bench.scenes.stage import Scene


def spectacles(scene: Scene, cx, cy, lens, colour=(40, 30, 28)) -> Patch:
    """Glasses seen from the front and above: rims, a bridge and two thin arms going back. The
    lenses are clear glass (alpha 0.12): the backdrop shows through them."""
    rx, ry, rim = lens / 2, 0.4 * lens, 0.035 * lens
    centres = (cx - 0.62 * lens, cx + 0.62 * lens)
    p = scene.patch(cx - 1.25 * lens, cy - 3.2 * ry, cx + 1.25 * lens, cy + ry + rim + 3)
    for lx, side in zip(centres, (-1, 1)):  # arms first: the rims hide their hinges
        hinge_to_ear = ((0.97, 0.35), (0.9, 2.2), (0.55, 2.9), (0.35, 2.7))  # (across, up) in rim radii
        bend = [(lx + side * k * rx, cy - v * ry) for k, v in hinge_to_ear]
        arm = p.cover(Stroke(bezier(*bend), 0.022 * lens))
        p.paint(arm, np.asarray(colour, F32) * 1.3)
        p.mark("thin", arm > 0)
    for lx in centres:
        p.paint(p.cover(Ellipse(lx, cy, rx - rim, ry - rim)) * 0.12, (235, 242, 245))
        paint_ring(p, lx, cy, rx - rim / 2, ry - rim / 2, rim, colour, **GLOSSY)
    arch = bezier((centres[0] + 0.9 * rx, cy - 0.4 * ry), (cx, cy - 0.75 * ry),
                  (centres[1] - 0.9 * rx, cy - 0.4 * ry))
    bridge = p.cover(Stroke(arch, 1.5 * rim))
    p.paint(bridge, colour)
    p.mark("thin", bridge > 0)
    p.base = cy + ry + rim
    return p


def mouse(scene: Scene, cx, cy, size, colour, cable_width, light=SATIN) -> Patch:
    """A computer mouse from above with its cable snaking away to a plug: a long thin part."""
    rx, ry = 0.3 * size, 0.46 * size
    path = bezier((cx, cy - 0.97 * ry), (cx, cy - ry - 0.5 * size), (cx + 0.9 * size, cy - ry + 0.1 * size),
                  (cx + 0.8 * size, cy - ry - 0.55 * size), n=96)
    ex, ey = path[-1]
    right = max(cx + rx, ex + 0.1 * size, max(x for x, _ in path))
    p = scene.patch(cx - rx - 4, ey - 0.12 * size, right + 4, cy + ry + 4)
    cable = p.cover(Stroke(path, cable_width))
    p.paint(cable, shade((50, 50, 55), (0, 0, 1), ambient=0.6, gloss=0.1))
    p.mark("thin", cable > 0)
    w = 0.035 * size
    tip = ey - 0.1 * size
    plug = Polygon([(ex - w, ey), (ex + w, ey), (ex + 0.85 * w, tip), (ex - 0.85 * w, tip)])
    p.paint(p.cover(plug), shade((180, 180, 185), (0.3, 0, 1), **GLOSSY))
    body = p.cover(Ellipse(cx, cy, rx, ry))
    paint_inflated(p, body, colour, 0.35 * rx, **light)
    split = p.cover(Stroke([(cx, cy - ry), (cx, cy - 0.15 * ry)], 0.012 * size)) * body  # between the buttons
    p.paint(split, np.asarray(colour, F32) * 0.5)
    wheel = (cx, cy - 0.58 * ry, 0.035 * size, 0.075 * size)
    p.paint(p.cover(Ellipse(*wheel)), shade((70, 70, 75), sphere_normal(p.x, p.y, *wheel), **GLOSSY))
    p.base = cy + ry
    return p


def shopping_bag(scene: Scene, cx, base, width, height, colour, cord_width, cord=(45, 40, 40)) -> Patch:
    """A paper carrier bag with two cord handles; what the cords enclose above the bag is backdrop."""
    depth = 0.28 * width
    sx, sy = 0.6 * depth, -0.35 * depth  # the back of the bag, up and to the right
    x0 = cx - (width + sx) / 2
    x1, top = x0 + width, base - height
    arc_h = 0.34 * height
    p = scene.patch(x0 - 4, top + sy - arc_h - cord_width - 4, x1 + sx + 4, base + 4)
    paper = np.asarray(colour, F32) * texture(scene.rng, p.shape, 50, 0.03)
    arcs = []
    for dx, dy in ((sx, sy), (0, 0)):  # the back handle first: the bag hides its feet
        hx = (x0 + x1) / 2 + dx
        arc = [(hx + 0.2 * width * np.cos(a), top + dy - arc_h * np.sin(a))
               for a in np.linspace(0, np.pi, 48)]
        arcs.append(arc)
        if dx == 0:
            faces = [(p.cover(rect(x0, top, x1, base)), shade(paper, (0, 0, 1), **MATTE)),
                     (p.cover(Polygon([(x1, top), (x1 + sx, top + sy), (x1 + sx, base + sy), (x1, base)])),
                      shade(paper, (1, 0, 0.45), **MATTE)),
                     (p.cover(Polygon([(x0, top), (x0 + sx, top + sy), (x1 + sx, top + sy), (x1, top)])),
                      paper * 0.4)]  # the inside, seen over the front edge
            p.paint_faces(np.clip(sum(f for f, _ in faces), 0, 1), faces)
        tucked = [(arc[0][0], arc[0][1] + 0.03 * height)] + arc + [(arc[-1][0], arc[-1][1] + 0.03 * height)]
        handle = p.cover(Stroke(tucked, cord_width))
        p.paint(handle, shade(cord, (0, 0, 1), ambient=0.6, gloss=0.1))
        p.mark("thin", handle > 0)
    for arc in arcs:
        p.mark("hole", (p.cover(Polygon(arc)) >= 1) & (p.alpha == 0))
    logo = Ellipse((x0 + x1) / 2, top + 0.45 * height, 0.12 * width, 0.12 * width)
    p.paint(p.cover(logo), np.asarray(colour, F32) * 0.45)
    p.base = base
    return p


def kettle(scene: Scene, cx, base, width, colour, handle_colour=(35, 35, 38)) -> Patch:
    """A round kettle with a spout and an arched handle over the lid (the arch encloses backdrop)."""
    rx, ry = 0.5 * width, 0.4 * width
    cy, hy, hr, hw = base - 0.34 * width, base - 0.62 * width, 0.3 * width, 0.035 * width
    p = scene.patch(cx - 0.82 * width, hy - hr - hw - 4, cx + rx + 4, base + 4)
    below_hinges = rect(cx - width, hy, cx + width, base, cut=True)  # only the upper half of the ring
    handle = p.cover(Ellipse(cx, hy, hr + hw, hr + hw), Ellipse(cx, hy, hr - hw, hr - hw, cut=True),
                     below_hinges)
    p.paint(handle, shade(handle_colour, ring_normal(p.x, p.y, cx, hy, hr, hr, hw), **GLOSSY))
    spout = smooth_closed([(cx - 0.36 * rx, cy + 0.2 * ry), (cx - 0.8 * rx, cy - 0.25 * ry),
                           (cx - 1.5 * rx, cy - 0.95 * ry), (cx - 1.58 * rx, cy - 0.82 * ry),
                           (cx - 1.0 * rx, cy + 0.3 * ry)], 8)
    paint_inflated(p, p.cover(Polygon(spout)), colour, 0.05 * width, **GLOSSY)
    body = p.cover(Ellipse(cx, cy, rx, ry), rect(cx - width, base, cx + width, base + width, cut=True))
    p.paint(body, shade(colour, sphere_normal(p.x, p.y, cx, cy, rx, ry), **GLOSSY))
    lid = Ellipse(cx, cy - 0.9 * ry, 0.42 * rx, 0.12 * rx)
    p.paint(p.cover(lid), shade(np.asarray(colour, F32) * 0.85, (0, -1, 0.5), **GLOSSY))
    knob = (cx, cy - 1.02 * ry, 0.1 * rx, 0.08 * rx)
    p.paint(p.cover(Ellipse(*knob)), shade(handle_colour, sphere_normal(p.x, p.y, *knob), **GLOSSY))
    inside = p.cover(Ellipse(cx, hy, hr - hw, hr - hw), below_hinges)
    p.mark("hole", (inside >= 1) & (p.alpha == 0))
    p.base = base
    return p
