"""Background removal masks: choose a method, get a working-resolution mask, clean it, refine it
to full resolution guided by the image."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from imagegraphics.errors import RenderFailed
from imagegraphics.imaging import compose
from imagegraphics.imaging.blas import one_blas_thread
from imagegraphics.imaging.heap import reuse_freed_memory
from imagegraphics.segmentation import backdrop, choose, evidence, foreground, product, refine
from imagegraphics.segmentation.colours import EdgeColours
from imagegraphics.segmentation.trimap import STRENGTH_THRESHOLD, Evidence, trimap
from imagegraphics.segmentation.registry import ModelEntry, Registry, models_dir
from imagegraphics.segmentation.sessions import BaseSession, open_session

logger = logging.getLogger(__name__)

MODES = ("auto", "portrait", "product")
# Strength chooses where the cut lies (trimap.STRENGTH_THRESHOLD: which pixels are subject); in the
# soft band along the outline the alpha is the ramp clip((alpha - t) / RAMP_WIDTH + 0.5) of the
# refined probability, so the band's alpha crosses one half where the cut lies. Over a clear object,
# whose estimate the ramp hands on (seethrough.ramped), it is wider: a steep ramp would magnify
# the refinement's small errors in its levels.
# Where the image is flat around the cut (no edge for the alpha to follow, the cut crossing a coat
# where the model missed part of it) the ramp narrows, down to FLAT_SHARE of it: a soft edge there
# would be the model's blur again, not the image's.
RAMP_WIDTH, CLEAR_RAMP_WIDTH = 0.4, 0.6
EDGE_SPREAD, FLAT_SHARE = 0.2, 0.25  # the guide's standard deviation (0..1, 5x5 window) of a full edge
WORK_SIDE = 512  # longest side of the working resolution where masks are computed
GUIDE_RADIUS = 5  # guided filter window radius at working resolution
GUIDE_EPS = 3e-4  # guided filter regulariser (guide in 0..1): lower follows image edges more closely
LANDSCAPE_ASPECT = 1.5  # wider than this, the 256x144 selfie model distorts the image less


@dataclass(frozen=True)
class Matte:
    """One call's answer: the alpha, the method that ran, and seconds per stage."""

    levels: np.ndarray  # uint8 HxW: the alpha in 256 levels at the image's full resolution
    choice: str  # "portrait" or "product"
    timings: dict[str, float] = field(default_factory=dict)  # inference, mask (including it), refine
    method: str = ""  # what ran, for logs: models, corrections, and why auto chose
    colours: EdgeColours | None = None  # foreground colour estimates for the soft edge

    @property
    def alpha(self) -> np.ndarray:
        """The alpha as float32 HxW in 0..1 (levels / 255), made on each call."""
        return refine.from_levels(self.levels)

    def cutout(self, image: Image.Image) -> Image.Image:
        """The image with this alpha applied (RGBA, in place when it already is one) and the colours
        of its soft edge decontaminated."""
        image = compose.apply_alpha(image, self.levels)
        return self.colours.apply(image) if self.colours is not None else image


class Segmenter:
    """Turns an RGB image into a full-resolution alpha matte. Model sessions are opened on first
    use and kept for the life of the process (Lambda warm starts reuse them).

    One Segmenter is shared by every thread of a process: what a call finds is returned, never
    kept on the instance.
    """

    def __init__(self, directory: Path | str | None = None):
        reuse_freed_memory()  # full-resolution mattes are reused, not refaulted
        one_blas_thread()  # its BLAS calls are tiny: no idle workers spinning beside the render
        self.registry = Registry(models_dir(directory))
        self._sessions: dict[str, BaseSession] = {}

    # -- models ---------------------------------------------------------------------------
    def session(self, entry: ModelEntry) -> BaseSession:
        if entry.name not in self._sessions:
            self._sessions[entry.name] = open_session(entry, self.registry.path(entry))
        return self._sessions[entry.name]

    def portrait_entry(self, size: tuple[int, int]) -> ModelEntry | None:
        installed = self.registry.installed("portrait")
        if not installed:
            return None
        wide = size[0] >= LANDSCAPE_ASPECT * size[1]
        fitting = [e for e in installed if (e.width >= LANDSCAPE_ASPECT * e.height) == wide]
        return (fitting or installed)[0]

    def general_entry(self) -> ModelEntry | None:
        installed = self.registry.installed("general")
        return installed[0] if installed else None

    def predict(self, entry: ModelEntry, small: Image.Image, timings: dict[str, float]) -> np.ndarray:
        """Model probability resized to the working resolution."""
        start = time.perf_counter()
        mask = self.session(entry).predict(small)
        timings["inference"] = timings.get("inference", 0.0) + time.perf_counter() - start
        resized = Image.fromarray(mask, "F").resize(small.size, Image.BILINEAR)
        return np.asarray(resized, np.float32)

    # -- choosing the method --------------------------------------------------------------
    def low_res_mask(self, small: Image.Image, rgb: np.ndarray, mode: str,
                     timings: dict[str, float]) -> tuple[np.ndarray, str, str, np.ndarray | None]:
        """(foreground probability at working resolution, method chosen, what ran, where the
        probability is a per-pixel see-through estimate: weights from backdrop.estimate, or None)."""
        person = self.portrait_entry(small.size)
        general = self.general_entry()
        if mode == "portrait":
            if person is None:
                raise RenderFailed(f"bg_remove mode 'portrait' is unavailable: no portrait model "
                                   f"installed in {self.registry.directory}")
            return self.predict(person, small, timings), "portrait", person.name, None
        if mode == "product":
            mask, method, held = self.product_mask(small, rgb, general, timings)
            return mask, "product", method, held
        subject = self.predict(general, small, timings) if general is not None else None
        if person is not None:
            mask = self.predict(person, small, timings)
            seen = choose.evidence(mask, subject)
            face = seen.portrait and choose.has_face(rgb, mask)
            # without a general model: the person, unless a plain backdrop suggests an object
            if face if subject is not None else (seen.person or not product.backdrop(rgb).uniform):
                if subject is not None:  # where the two models disagree about a part, colour decides
                    mask = evidence.person_by_both(mask, subject, rgb)
                return mask, "portrait", f"{person.name}; auto: portrait ({seen.summary()}, face seen)", None
            why = f"auto: product ({seen.summary()}{', no face seen' if seen.portrait else ''})"
        else:
            why = "auto: product (no portrait model installed)"
        mask, method, held = self.product_mask(small, rgb, general, timings, subject)
        return mask, "product", f"{method}; {why}", held

    def product_mask(self, small: Image.Image, rgb: np.ndarray, general: ModelEntry | None,
                     timings: dict[str, float], subject: np.ndarray | None = None,
                     ) -> tuple[np.ndarray, str, np.ndarray | None]:
        """Any object: the general model's mask corrected against the backdrop; without a general
        model, the colour distance to a plain backdrop."""
        if general is not None:
            subject = self.predict(general, small, timings) if subject is None else subject
            start = time.perf_counter()
            mask, held = backdrop.estimate(rgb, subject)
            timings["backdrop"] = time.perf_counter() - start
            return mask, f"{general.name} + backdrop correction", held
        seen = product.backdrop(rgb)
        if not seen.uniform:
            logger.info("bg_remove product: backdrop is not uniform (spread %.1f, match %.2f)",
                        seen.noise, seen.share)
        return product.matte(product.srgb_to_lab(rgb), seen), "backdrop colour distance (no general model)", None

    # -- the matte ------------------------------------------------------------------------
    def alpha(self, image: Image.Image, mode: str = "auto", strength: str = "medium",
              remove_artifacts: bool = True) -> np.ndarray:
        """Foreground alpha, float32 HxW in 0..1 (256 levels) at the image's full resolution."""
        return self.matte(image, mode, strength, remove_artifacts).alpha

    def matte(self, image: Image.Image, mode: str = "auto", strength: str = "medium",
              remove_artifacts: bool = True) -> Matte:
        """The alpha with the method used and the time each stage took. NoForeground (422) when
        the image holds no subject."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if strength not in STRENGTH_THRESHOLD:
            raise ValueError(f"strength must be one of {tuple(STRENGTH_THRESHOLD)}, not {strength!r}")
        image = image if image.mode == "RGB" else image.convert("RGB")
        timings: dict[str, float] = {}
        start = time.perf_counter()
        small = working_image(image)
        rgb = np.asarray(small, np.float32)
        mask, choice, method, held = self.low_res_mask(small, rgb, mode, timings)
        foreground.check(mask, choice, rgb)
        odds = evidence.colour_odds(rgb, mask, None if held is None else held > 0)
        weighed = evidence.lowered(mask, odds, held)
        coef = refine.solve(rgb, weighed, GUIDE_RADIUS, GUIDE_EPS, held)
        guide = refine.project(rgb, coef.matrix)
        seen = Evidence(mask, weighed, coef.low_res(guide), odds, held)
        regions = trimap(seen, strength, remove_artifacts)
        width = RAMP_WIDTH * np.clip(coef.spread / EDGE_SPREAD, FLAT_SHARE, 1.0)
        if held is not None:
            width = width + (CLEAR_RAMP_WIDTH - width) * held
        coef = coef.ramp(STRENGTH_THRESHOLD[strength], width).pinned(regions.subject, regions.background)
        low = np.clip(coef.low_res(guide), 0.0, 1.0).astype(np.float32)
        foreground.check(low, choice)  # a high strength may cut away a faint subject entirely
        colours = EdgeColours.estimate(rgb, low)
        timings["mask"] = time.perf_counter() - start
        start = time.perf_counter()
        levels = refine.apply(coef, image)
        timings["refine"] = time.perf_counter() - start
        logger.info("bg_remove %s: %s", choice, method)
        return Matte(levels, choice, timings, method, colours)


def working_image(image: Image.Image) -> Image.Image:
    """The image box-reduced so its longest side is at most WORK_SIDE (cheap, no aliasing)."""
    factor = -(-max(image.size) // WORK_SIDE)
    return image.reduce(factor) if factor > 1 else image.copy()


@lru_cache(maxsize=4)
def _cached(directory: Path) -> Segmenter:
    return Segmenter(directory)


def get_segmenter(directory: Path | str | None = None) -> Segmenter:
    """The process-wide Segmenter for a models directory (sessions survive Lambda warm starts)."""
    return _cached(models_dir(directory).resolve())
