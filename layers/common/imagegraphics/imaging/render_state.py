"""The renderer's plumbing: its state, timings, images decoded once per render, located errors."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from PIL import Image

from imagegraphics.errors import AssetMissing, ImageRejected, Loc, NoForeground, RenderFailed, detail
from imagegraphics.imaging.decode import decode
from imagegraphics.imaging.types import ImageLoader, RenderLimits

STAGES = ("decode", "resize", "mask", "refine", "composite", "encode")


class RenderState:
    """One asset's render: what it reads, what it has made so far, and how long each stage took."""

    def __init__(self, req: Any, index: int, loader: ImageLoader, segmenter: Any,
                 limits: RenderLimits):
        self.req, self.loader, self.limits = req, loader, limits
        self.entry = req.assets[index]
        self.options = self.entry.options
        self.options_loc: Loc = ("assets", index, self.entry.asset_id, "options")
        self._segmenter = segmenter
        self._images: dict[str, Image.Image] = {}
        self.timings = dict.fromkeys(STAGES, 0.0)
        self.notes: dict = {}
        self.image: Image.Image | None = None
        self.framed = False  # the asset has been put on its canvas or background

    # -- plumbing -------------------------------------------------------------------------
    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] += time.perf_counter() - start

    def load_image(self, image_id: str, loc: Loc) -> Image.Image:
        """Decoded image of an asset id, decoded once per render however often it is used."""
        if image_id not in self._images:
            self._images[image_id] = self.fetch(lambda: self.loader.load(image_id), loc)
        return self._images[image_id]

    def load_url(self, url: str, loc: Loc) -> Image.Image:
        key = "url:" + url
        if key not in self._images:
            self._images[key] = self.fetch(lambda: self.loader.load_url(url), loc)
        return self._images[key]

    def fetch(self, load: Callable[[], bytes], loc: Loc) -> Image.Image:
        with self.located(loc):
            data = load()
            with self.timed("decode"):
                return decode(data, self.limits.max_pixels)

    @contextmanager
    def located(self, loc: Loc) -> Iterator[None]:
        """Errors without a location are reported at the field that named the image."""
        try:
            yield
        except (AssetMissing, ImageRejected, NoForeground) as exc:
            if exc.errors:
                raise
            raise type(exc)(exc.message, [detail(loc, exc.message)]) from exc

    def segmenter(self) -> Any:
        if self._segmenter is None:
            from imagegraphics.segmentation import get_segmenter  # loads onnxruntime: only when needed

            self._segmenter = get_segmenter()
        return self._segmenter

    def own_image(self) -> Image.Image:
        """The current image, copied first if it is a cached decode (drawing happens in place)."""
        if any(self.image is cached for cached in self._images.values()):
            self.image = self.image.copy()
        return self.image

    def check_pixels(self, size: tuple[int, int], loc: Loc) -> None:
        if size[0] * size[1] > self.limits.max_output_pixels:
            raise RenderFailed("output would be too large", [detail(
                loc, f"{size[0]}x{size[1]} exceeds the limit of {self.limits.max_output_pixels} pixels")])
