"""The stage of a generated product shot: backdrops, and a Scene that collects objects, the shadows
and reflections they throw on the floor, and renders the photo with its exact truth.

Shadows and reflections only ever change the background: the truth alpha there stays 0, which is
what a background remover must learn to leave out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from bench.scenes.drawing import F32, Patch, blur, smooth_noise

COARSE_SIDE = 480  # shadows are soft: computed on a grid this size, then upsampled
SHADOW_REGION = 0.12  # darkening from which a pixel counts as "in a shadow" in the regions
REFLECTION_REGION = 0.1  # reflection opacity from which a pixel counts as "in a reflection"


# -- backdrops (HxWx3 float32, 0..255) -------------------------------------------------------------
def paper(rng: np.random.Generator, shape: tuple[int, int], colour, grain: float = 0.012) -> np.ndarray:
    """A uniform backdrop with the faint unevenness of real paper or painted cyclorama."""
    texture = 1 + grain * smooth_noise(rng, shape, 14)
    return texture[..., None] * np.asarray(colour, F32)


def sweep(rng: np.random.Generator, shape: tuple[int, int], wall, floor, horizon: float = 0.55,
          softness: float = 0.5, across: bool = False) -> np.ndarray:
    """A studio sweep: `wall` colour blending into `floor` colour around `horizon` (share of the
    height; of the width if `across`), the curve of a paper roll."""
    h, w = shape
    position = (np.arange(w if across else h, dtype=F32) + 0.5) / (w if across else h)
    t = np.clip((position - horizon) / softness + 0.5, 0, 1)
    t = t * t * (3 - 2 * t)
    ramp = t[None, :] if across else t[:, None]
    base = paper(rng, shape, (1, 1, 1))
    return base * ((1 - ramp)[..., None] * np.asarray(wall, F32) + ramp[..., None] * np.asarray(floor, F32))


def vignette(backdrop: np.ndarray, strength: float, power: float = 2.0, centre=(0.5, 0.45)) -> np.ndarray:
    """Darker towards the corners (light fall-off, a spot on the subject): a corner loses `strength`."""
    h, w = backdrop.shape[:2]
    x = ((np.arange(w, dtype=F32) + 0.5) / w - centre[0])[None, :] * (w / max(h, w))
    y = ((np.arange(h, dtype=F32) + 0.5) / h - centre[1])[:, None] * (h / max(h, w))
    r = np.sqrt(x * x + y * y)
    fall = 1 - strength * np.clip(r / r.max(), 0, 1) ** power
    return backdrop * fall[..., None]


@dataclass
class Render:
    image: Image.Image  # RGB photo
    alpha: np.ndarray  # HxW float32 truth
    foreground: np.ndarray  # HxWx3 float32 true colour of the objects (the background where alpha is 0)
    background: np.ndarray  # HxWx3 float32 what is behind the objects, shadows and reflections included
    regions: dict[str, np.ndarray]  # boolean masks: shadow, reflection, hole, thin, soft


class Scene:
    """Objects over a backdrop. Lengths are in pixels; recipes scale them by `unit` (shorter side)."""

    def __init__(self, size: tuple[int, int], rng: np.random.Generator):
        self.width, self.height = size
        self.shape = (self.height, self.width)
        self.unit = min(size)
        self.rng = rng
        self.supersample = 4 if self.width * self.height <= 3_000_000 else 2  # 24 MP stays affordable
        self.backdrop = np.zeros(self.shape + (3,), F32)  # recipes set it first
        self.alpha = np.zeros((self.height, self.width), F32)
        self.premultiplied = np.zeros((self.height, self.width, 3), F32)
        self.coarse = max(1, math.ceil(max(size) / COARSE_SIDE))
        coarse_shape = (math.ceil(self.height / self.coarse), math.ceil(self.width / self.coarse))
        self.darkening = np.zeros(coarse_shape, F32)  # share of light the shadows take, coarse grid
        self.reflection: tuple[np.ndarray, np.ndarray] | None = None  # (opacity, premultiplied colour)
        self.regions: dict[str, np.ndarray] = {}

    def patch(self, left: float, top: float, right: float, bottom: float) -> Patch:
        return Patch((self.width, self.height), (left, top, right, bottom), self.supersample)

    def padded(self, patch: Patch, pad: float) -> Patch:
        """The same object in a box `pad` pixels wider on every side (room for a blur)."""
        bigger = self.patch(patch.left - pad, patch.top - pad, patch.left + patch.shape[1] + pad,
                            patch.top + patch.shape[0] + pad)
        inner = slice(patch.top - bigger.top, patch.top - bigger.top + patch.shape[0]), \
            slice(patch.left - bigger.left, patch.left - bigger.left + patch.shape[1])
        bigger.alpha[inner], bigger.premultiplied[inner] = patch.alpha, patch.premultiplied
        for name, mask in patch.regions.items():
            bigger.regions[name] = np.zeros(bigger.shape, bool)
            bigger.regions[name][inner] = mask
        bigger.base = patch.base
        return bigger

    def coarse_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Frame coordinates of the coarse grid's pixel centres."""
        h, w = self.darkening.shape
        return ((np.arange(w, dtype=F32) + 0.5) * self.coarse)[None, :], \
               ((np.arange(h, dtype=F32) + 0.5) * self.coarse)[:, None]

    def darken(self, shadow: np.ndarray) -> None:
        self.darkening = (1 - (1 - self.darkening) * (1 - np.clip(shadow, 0, 1))).astype(F32)

    # -- what objects do to the floor ------------------------------------------------------------
    def cast_shadow(self, patch: Patch, base: float, strength: float, lean: float, squash: float,
                    softness: float) -> None:
        """The object's silhouette laid on the floor behind it from `base` (the contact line):
        sheared sideways by `lean`, flattened by `squash`, blurrier and fainter further away."""
        f, top, left = self.coarse, patch.top, patch.left
        # coarse (X, Y) -> floor point (fX, fY) -> the object point that casts it, in the patch box
        coefficients = (f, lean * f / squash, -lean * base / squash - left,
                        0, f / squash, base * (1 - 1 / squash) - top)
        silhouette = Image.fromarray(patch.alpha, "F").transform(
            self.darkening.shape[::-1], Image.AFFINE, coefficients, Image.BILINEAR)
        silhouette = np.asarray(silhouette, F32)
        near, far = blur(silhouette, softness * 0.25 / f), blur(silhouette, softness / f)
        _, y = self.coarse_grid()
        t = np.clip((base - y) / max(1.0, patch.shape[0] * squash), 0, 1)
        self.darken(strength * (1 - 0.5 * t) * ((1 - t) * near + t * far))

    def contact_shadow(self, cx: float, base: float, half_width: float, strength: float,
                       thickness: float) -> None:
        """The dark, soft line where an object touches the floor (ambient light cannot get in)."""
        x, y = self.coarse_grid()
        across = np.clip(np.abs(x - cx) / half_width, 0, 3) ** 4
        depth = ((y - base + 0.3 * thickness) / thickness) ** 2
        self.darken(strength * np.exp(-across - depth))

    def reflect(self, patch: Patch, base: float, strength: float, fade: float, sigma: float = 0.0) -> None:
        """The object mirrored in a glossy floor below `base`, fading over `fade` pixels."""
        mirror = round(base)
        rows = np.arange(patch.top, patch.top + patch.shape[0])
        keep = rows < mirror  # only what stands above the floor is mirrored
        if not keep.any():
            return
        alpha, colour = patch.alpha[keep][::-1], patch.premultiplied[keep][::-1]
        if sigma > 0:
            alpha, colour = blur(alpha, sigma), blur(colour, sigma)
        top = 2 * mirror - 1 - rows[keep][-1]
        bottom = min(self.height, top + len(alpha))
        if bottom <= top:
            return
        distance = np.arange(top, bottom, dtype=F32) - mirror
        weight = (strength * np.clip(1 - distance / fade, 0, 1) ** 2)[:, None]
        alpha, colour = alpha[: bottom - top] * weight, colour[: bottom - top] * weight[..., None]
        if self.reflection is None:
            self.reflection = (np.zeros(self.alpha.shape, F32), np.zeros(self.premultiplied.shape, F32))
        opacity, light = self.reflection
        box = slice(top, bottom), slice(patch.left, patch.left + patch.shape[1])
        light[box] = colour + (1 - alpha[..., None]) * light[box]
        opacity[box] = alpha + (1 - alpha) * opacity[box]

    # -- objects -----------------------------------------------------------------------------------
    def add(self, patch: Patch) -> None:
        box = patch.slices
        self.premultiplied[box] = patch.premultiplied + (1 - patch.alpha[..., None]) * self.premultiplied[box]
        self.alpha[box] = patch.alpha + (1 - patch.alpha) * self.alpha[box]
        for name, mask in patch.regions.items():
            region = self.regions.setdefault(name, np.zeros(self.alpha.shape, bool))
            region[box] |= mask

    def render(self, noise: float) -> Render:
        """The photo: objects over the lit floor, plus Gaussian camera noise of `noise` levels."""
        h, w = self.alpha.shape
        dark = np.asarray(Image.fromarray(self.darkening, "F").resize(
            (w, h), Image.BILINEAR, box=(0, 0, w / self.coarse, h / self.coarse)), F32)
        background = self.backdrop * (1 - dark)[..., None]
        if self.reflection is not None:
            opacity, light = self.reflection
            background = background * (1 - opacity[..., None]) + light
        background = np.clip(background, 0, 255)
        alpha = self.alpha
        solid = alpha > 1e-6
        foreground = np.where(solid[..., None], self.premultiplied / np.maximum(alpha, 1e-6)[..., None],
                              background)
        foreground = np.clip(foreground, 0, 255)
        photo = alpha[..., None] * foreground + (1 - alpha[..., None]) * background
        photo += self.rng.standard_normal(photo.shape, dtype=F32) * F32(noise)
        image = Image.fromarray(np.clip(np.rint(photo), 0, 255).astype(np.uint8), "RGB")
        regions = dict(self.regions)
        if "hole" in regions:  # only what stayed uncovered is a hole
            regions["hole"] = regions["hole"] & (alpha == 0)
        regions["shadow"] = (dark >= SHADOW_REGION) & (alpha == 0)
        if self.reflection is not None:
            regions["reflection"] = (self.reflection[0] >= REFLECTION_REGION) & (alpha == 0)
        return Render(image, alpha, foreground, background, regions)
