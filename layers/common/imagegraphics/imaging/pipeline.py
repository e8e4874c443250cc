"""Render one asset of an Image Graphics request: asset options first, then operations in order.

The current image starts as the (cropped, resized) asset. It is put on its canvas when the first
operation other than bg_remove runs (bg_add does this itself, then lays the result on the
background), or at the end. graphics_add and border_add draw on whatever the current image is.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from PIL import Image

from imagegraphics.errors import AssetMissing, ImageRejected, Loc, NoForeground, RenderFailed, detail
from imagegraphics.imaging import compose
from imagegraphics.imaging.decode import decode, read_header
from imagegraphics.imaging.encode import CONTENT_TYPE, encode_png
from imagegraphics.imaging.geometry import (
    centred, check_crop, fit_inside, resize, scale_box, shrink_decode_size)
from imagegraphics.imaging.types import ImageLoader, RenderLimits, RenderResult
from imagegraphics.request import check_position_fits

STAGES = ("decode", "resize", "mask", "refine", "composite", "encode")


def render_asset(req: Any, index: int, loader: ImageLoader, segmenter: Any = None,
                 limits: RenderLimits = RenderLimits()) -> RenderResult:
    """Render req.assets[index]; raises ImageGraphicsError subclasses, writes nothing."""
    render = _Render(req, index, loader, segmenter, limits)
    return render.run()


class _Render:
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

    # -- the render -----------------------------------------------------------------------
    def run(self) -> RenderResult:
        self.image = self.prepare_asset()
        for i, operation in enumerate(self.req.operations):
            handler = getattr(self, "op_" + operation.name)
            handler(operation, ("operations", i, operation.name))
        self.put_on_canvas()
        with self.timed("encode"):
            data, has_alpha = encode_png(self.image)
        return RenderResult(data, CONTENT_TYPE, self.image.width, self.image.height, has_alpha,
                            self.timings, self.notes)

    def prepare_asset(self) -> Image.Image:
        """Decode, crop (in the original's pixels) and size the asset."""
        asset_id, o = self.entry.asset_id, self.options
        loc = ("assets", self.options_loc[1], asset_id)
        with self.located(loc):
            data = self.loader.load(asset_id)
            with self.timed("decode"):
                full = read_header(data, self.limits.max_pixels)
                full_size = (full.width, full.height)
                box = (o.crop.left, o.crop.top, o.crop.right, o.crop.bottom) if o.crop else None
                if box is not None:
                    check_crop(box, full_size, self.options_loc + ("crop",))
                region = (box[2] - box[0], box[3] - box[1]) if box else full_size
                target = fit_inside(region, (o.size.width, o.size.height)) if o.size else region
                # A shrunk asset may be decoded at reduced scale, unless an operation draws it again.
                reused = asset_id in self.req.referenced_image_ids()
                at_least = None if reused else shrink_decode_size(region, target, full_size)
                image = decode(data, self.limits.max_pixels, at_least)
        if reused:
            self._images[asset_id] = image  # drawing on the current image copies it first
        with self.timed("resize"):
            if box is not None:
                image = image.crop(scale_box(box, full_size, image.size))
            if o.size is not None:
                self.check_pixels(target, self.options_loc + ("size",))
                image = resize(image, target)
        return image

    def asset_offset(self, frame_size: tuple[int, int]) -> tuple[int, int]:
        """Where the current image goes on a frame: options.position (bound-checked) or centred."""
        position = self.options.position
        if position is None:
            return centred(self.image.size, frame_size)
        check_position_fits(position, self.image.size, frame_size, self.options_loc + ("position",))
        return position.x, position.y

    def canvas_size(self) -> tuple[int, int]:
        """Explicit canvas size, else the background's explicit size, else the asset's size."""
        canvas = self.options.canvas
        if canvas.size is not None:
            return canvas.size.width, canvas.size.height
        for operation in self.req.operations:
            if operation.name == "bg_add" and operation.options.size is not None:
                return operation.options.size.width, operation.options.size.height
        return self.image.size

    def put_on_canvas(self) -> None:
        if self.framed or self.options.canvas is None:
            return
        size = self.canvas_size()
        self.check_pixels(size, self.options_loc + ("canvas", "size"))
        with self.timed("composite"):
            offset = self.asset_offset(size)
            self.image = compose.paste_over(compose.fill(size, self.options.canvas.color), self.image, offset)
        self.framed = True

    # -- operations -----------------------------------------------------------------------
    def op_bg_remove(self, operation: Any, loc: Loc) -> None:
        o = operation.options
        segmenter = self.segmenter()
        rgb = self.image if self.image.mode == "RGB" else self.image.convert("RGB")
        start = time.perf_counter()
        # The segmenter is shared by threads: what it chose and timed comes back with the alpha.
        with self.located(loc):
            matte = segmenter.matte(rgb, mode=o.mode, strength=o.strength, remove_artifacts=o.remove_artifacts)
        total = time.perf_counter() - start
        refine = float(matte.timings.get("refine", 0.0))
        self.timings["mask"] += total - refine
        self.timings["refine"] += refine
        self.notes["bg_remove"] = matte.choice
        self.notes["bg_remove_method"] = matte.method
        with self.timed("composite"):
            self.image = matte.cutout(self.own_image())

    def op_bg_add(self, operation: Any, loc: Loc) -> None:
        o = operation.options
        self.put_on_canvas()
        size = (o.size.width, o.size.height) if o.size is not None else self.image.size
        self.check_pixels(size, loc + ("options", "size"))
        image = self.load_image(o.image_id, loc + ("options", "image_id")) if o.image_id else None
        # A canvas (already holding the asset) goes centred over the background.
        offset = centred(self.image.size, size) if self.framed else self.asset_offset(size)
        with self.timed("composite"):
            self.image = compose.under(self.image, offset, size, o.color, image, o.mode)
        self.framed = True

    def op_graphics_add(self, operation: Any, loc: Loc) -> None:
        self.put_on_canvas()
        for j, graphic in enumerate(operation.graphics):
            g, gloc = graphic.options, loc + ("graphics", j, "options")
            if g.image_id:
                image = self.load_image(g.image_id, gloc + ("image_id",))
            else:
                image = self.load_url(g.image_url, gloc + ("image_url",))
            if g.size is not None:
                # Like every layer the render builds: a graphic enlarged past the limit is refused.
                target = fit_inside(image.size, (g.size.width, g.size.height))
                self.check_pixels(target, gloc + ("size",))
            with self.timed("composite"):
                if g.size is not None:
                    image = resize(image, target)
                if g.color is not None:
                    image = compose.tint(image, g.color)
                offset = self.graphic_offset(g.position, image.size, gloc + ("position",))
                compose.paste_over(self.own_image(), image, offset)

    def graphic_offset(self, position: Any, size: tuple[int, int], loc: Loc) -> tuple[int, int]:
        """Centred by default; an explicit position must start inside the image (overflow is clipped)."""
        if position is None:
            return centred(size, self.image.size)
        if position.x >= self.image.width or position.y >= self.image.height:
            raise RenderFailed("graphic position lies outside the image", [detail(
                loc, f"x must be < {self.image.width} and y < {self.image.height} (the output size)")])
        return position.x, position.y

    def op_border_add(self, operation: Any, loc: Loc) -> None:
        self.put_on_canvas()
        image = self.load_image(operation.options.image_id, loc + ("options", "image_id"))
        with self.timed("composite"):
            compose.border(self.own_image(), image)

