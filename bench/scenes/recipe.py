"""How the generated set's scenes are declared: a recipe builds one Scene (backdrop, objects,
their shadows and reflections) from the scene's random generator, and registers under
"<category>-<n>" in the order it is defined. Plus the helpers recipes share."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.scenes.stage import Scene


@dataclass(frozen=True)
class Recipe:
    name: str
    category: str
    orientation: str  # landscape, portrait or square
    build: Callable[[Scene], None]


RECIPES: list[Recipe] = []


def recipe(category: str, orientation: str = "landscape"):
    def register(build: Callable[[Scene], None]) -> Callable[[Scene], None]:
        n = 1 + sum(r.category == category for r in RECIPES)
        RECIPES.append(Recipe(f"{category}-{n}", category, orientation, build))
        return build
    return register


def near(s: Scene, value: float, spread: float = 0.06) -> float:
    """`value` moved by up to +-spread of itself: each seed places and sizes things a little apart."""
    return value * (1 + s.rng.uniform(-spread, spread))


def grounded(s: Scene, p, cx: float, half_width: float, contact: float = 0.45, cast: float = 0.0,
             lean: float = 0.8, squash: float = 0.4, softness: float = 0.03) -> None:
    """Shadows of an object standing on the floor at p.base, then the object itself."""
    if cast:
        s.cast_shadow(p, p.base, cast, lean, squash, softness * s.unit)
    if contact:
        s.contact_shadow(cx, p.base, half_width, contact, 0.025 * s.unit)
    s.add(p)


def on_gloss(s: Scene, p, cx: float, half_width: float, strength: float = 0.35) -> None:
    """An object on a glossy floor: its reflection below, a faint contact shadow, the object."""
    s.reflect(p, p.base, strength, 0.5 * (p.base - p.top), 0.002 * s.unit)
    s.contact_shadow(cx, p.base, half_width, 0.25, 0.012 * s.unit)
    s.add(p)
