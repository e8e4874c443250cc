"""A generated set of product shots with EXACT alpha, for scoring background removal.

    generate(size=(800, 600), seed=0) -> list[Sample]     every recipe, in a fixed order
    sample(name, size, seed) -> Sample                    one of them (same pixels as in the list)

Each sample looks like a studio photo a shop would send: shaded, lit objects on paper or sweep
backdrops, with camera noise; the hard cases are cast and contact shadows and reflections (which
are background), white-on-white and grey-on-grey, gradient and vignetted backdrops, thin parts,
holes, soft or see-through edges, and transparent or translucent objects (clear glass and plastic,
tinted glass). The truth is exact because every photo is rendered as
alpha * foreground + (1 - alpha) * background + noise (see bench/scenes/stage.py).

`size` is the landscape frame; portrait recipes swap it, square ones use the shorter side. A
sample depends only on its name, the seed and the size: recipes can be added without changing
the others. Rendering is vectorised numpy and Pillow, and works from 240x180 up to 24 MP.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from bench.scenes import recipes_backdrop, recipes_shape  # noqa: F401 - defining them registers them
from bench.scenes import recipes_clear  # noqa: F401 - registered last, so the older names keep their order
from bench.scenes.recipe import RECIPES
from bench.scenes.stage import Scene

CATEGORIES = ("easy", "colour", "shadow", "reflection", "white", "grey", "gradient", "vignette", "thin",
              "hole", "soft", "clear")
NOISE = 2.0  # camera noise, grey levels (standard deviation)


@dataclass
class Sample:
    name: str  # "<category>-<n>"
    category: str  # one of CATEGORIES
    image: Image.Image  # RGB photo
    alpha: np.ndarray  # HxW float32 0..1: the exact truth
    foreground: np.ndarray  # HxWx3 float32 0..255: true object colour (where alpha is 0: the background)
    background: np.ndarray  # HxWx3 float32 0..255: what is behind the objects, shadows included
    regions: dict[str, np.ndarray]  # HxW bool: shadow, reflection, hole, thin, soft (where present)


def frame(size: tuple[int, int], orientation: str) -> tuple[int, int]:
    long, short = max(size), min(size)
    return {"landscape": (long, short), "portrait": (short, long), "square": (short, short)}[orientation]


def sample(name: str, size: tuple[int, int] = (800, 600), seed: int = 0) -> Sample:
    chosen = next((r for r in RECIPES if r.name == name), None)
    if chosen is None:
        raise KeyError(f"no generated sample {name!r}; the names are {names()}")
    scene = Scene(frame(size, chosen.orientation), np.random.default_rng([seed, zlib.crc32(name.encode())]))
    chosen.build(scene)
    out = scene.render(NOISE)
    return Sample(name, chosen.category, out.image, out.alpha, out.foreground, out.background, out.regions)


def names() -> list[str]:
    return [r.name for r in RECIPES]


def generate(size: tuple[int, int] = (800, 600), seed: int = 0) -> list[Sample]:
    return [sample(name, size, seed) for name in names()]
