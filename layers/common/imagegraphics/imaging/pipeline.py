"""Render one asset of an Image Graphics request: asset options first, then operations in order.

The current image starts as the (cropped, resized) asset. It is put on its canvas when the first
operation other than bg_remove runs (bg_add does this itself, then lays the result on the
background), or at the end. graphics_add and border_add draw on whatever the current image is.

Beyond the public API: bg_remove may crop to the subject (`size` then applies to the cropped asset)
or output the mask alone; shadow_add's shadow is drawn right under the cut-out when it is first put
on a canvas or background (or drawn on), wherever shadow_add is listed after bg_remove; the result
is encoded as disposition.format.
"""
from __future__ import annotations

import time
from typing import Any

from PIL import Image

from imagegraphics.errors import Loc, NoForeground, RenderFailed, detail
from imagegraphics.imaging import compose, shadow, subject
from imagegraphics.imaging.decode import decode, read_header
from imagegraphics.imaging.encode import check_encodable, encode
from imagegraphics.imaging.geometry import (
    centred, check_crop, fit_inside, resize, scale_box, shrink_decode_size)
from imagegraphics.imaging.render_state import RenderState
from imagegraphics.imaging.types import ImageLoader, RenderLimits, RenderResult
from imagegraphics.request import check_position_fits


def render_asset(req: Any, index: int, loader: ImageLoader, segmenter: Any = None,
                 limits: RenderLimits = RenderLimits()) -> RenderResult:
    """Render req.assets[index]; raises ImageGraphicsError subclasses, writes nothing."""
    render = _Render(req, index, loader, segmenter, limits)
    return render.run()


class _Render(RenderState):
    def __init__(self, req: Any, index: int, loader: ImageLoader, segmenter: Any,
                 limits: RenderLimits):
        super().__init__(req, index, loader, segmenter, limits)
        remove = next((op for op in req.operations if op.name == "bg_remove"), None)
        self.crop_to_subject = remove.options.crop_to_subject if remove is not None else None
        self.mask_output = remove is not None and remove.options.output == "mask"
        self.shadow = next((_shadow(op) for op in req.operations if op.name == "shadow_add"), None)
        self.shadow_pending = False  # bg_remove has made the cut-out; its shadow is not drawn yet

    # -- the render -----------------------------------------------------------------------
    def run(self) -> RenderResult:
        self.image = self.prepare_asset()
        for i, operation in enumerate(self.req.operations):
            handler = getattr(self, "op_" + operation.name)
            handler(operation, ("operations", i, operation.name))
        if self.mask_output:
            self.image = self.mask()
        self.put_on_canvas()
        self.draw_shadow()
        d = self.options.disposition
        check_encodable(self.image.size, d.format, self.options_loc + ("disposition", "format"))
        with self.timed("encode"):
            data, content_type, has_alpha = encode(self.image, d.format, d.quality_or_default)
        return RenderResult(data, content_type, self.image.width, self.image.height, has_alpha,
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
                # A shrunk asset may be decoded at reduced scale, unless an operation draws it again
                # or `size` applies to the subject cropped out of it (its box is not known yet).
                reused = asset_id in self.req.referenced_image_ids()
                sized_later = self.crop_to_subject is not None
                at_least = None if reused or sized_later else shrink_decode_size(region, target, full_size)
                image = decode(data, self.limits.max_pixels, at_least)
        if reused:
            self._images[asset_id] = image  # drawing on the current image copies it first
        with self.timed("resize"):
            if box is not None:
                image = image.crop(scale_box(box, full_size, image.size))
            if o.size is not None and not sized_later:
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
            if self.image.mode == "L":  # the mask: the subject's matte where the asset goes, 0 elsewhere
                frame = Image.new("L", size, 0)
                frame.paste(self.image, offset)
                self.image = frame
            else:
                layer, offset = self.with_shadow(size, offset)
                self.image = compose.paste_over(compose.fill(size, self.options.canvas.color), layer, offset)
        self.framed = True

    def with_shadow(self, frame_size: tuple[int, int], offset: tuple[int, int]
                    ) -> tuple[Image.Image, tuple[int, int]]:
        """The current image with its pending shadow under it, as a layer for a frame (once)."""
        if not self.shadow_pending:
            return self.image, offset
        self.shadow_pending = False
        return shadow.cast(self.own_image(), self.shadow, frame_size, offset, in_place=True)

    def draw_shadow(self) -> None:
        """A pending shadow on the current image itself, clipped to it (no canvas or background)."""
        if self.shadow_pending:
            with self.timed("composite"):
                self.image, _ = self.with_shadow(self.image.size, (0, 0))

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
        if self.crop_to_subject is not None:
            self.crop_subject(loc + ("options", "crop_to_subject"))
        self.shadow_pending = self.shadow is not None

    def mask(self) -> Image.Image:
        """The cut-out's alpha as a grayscale image."""
        if self.image.mode == "RGBA":
            return self.image.getchannel("A")
        return Image.new("L", self.image.size, 255)

    def crop_subject(self, loc: Loc) -> None:
        """Crop the cut-out to its subject plus margin; `size` (when given) applies to the crop."""
        box = subject.subject_box(self.image)
        if box is None:
            raise NoForeground("no foreground found", [detail(loc, "no foreground found to crop to")])
        self.notes["subject_box"] = list(box)
        size = self.options.size
        target = (size.width, size.height) if size is not None else None
        size_loc = self.options_loc + ("size",) if size is not None else loc + ("margin",)
        with self.timed("resize"):
            self.image = subject.crop_to_subject(self.image, box, self.crop_to_subject.margin, target,
                                                 lambda planned: self.check_pixels(planned, size_loc))

    def op_shadow_add(self, operation: Any, loc: Loc) -> None:
        """Nothing to do here: the shadow goes right under the cut-out, drawn when the cut-out is
        first put on a canvas or background or drawn on (with_shadow, draw_shadow)."""

    def op_bg_add(self, operation: Any, loc: Loc) -> None:
        o = operation.options
        self.put_on_canvas()
        size = (o.size.width, o.size.height) if o.size is not None else self.image.size
        self.check_pixels(size, loc + ("options", "size"))
        image = self.load_image(o.image_id, loc + ("options", "image_id")) if o.image_id else None
        # A canvas (already holding the asset) goes centred over the background.
        offset = centred(self.image.size, size) if self.framed else self.asset_offset(size)
        with self.timed("composite"):
            layer, offset = self.with_shadow(size, offset)
            self.image = compose.under(layer, offset, size, o.color, image, o.mode)
        self.framed = True

    def op_graphics_add(self, operation: Any, loc: Loc) -> None:
        self.put_on_canvas()
        self.draw_shadow()
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
        self.draw_shadow()
        image = self.load_image(operation.options.image_id, loc + ("options", "image_id"))
        with self.timed("composite"):
            compose.border(self.own_image(), image)


def _shadow(operation: Any) -> shadow.Shadow:
    o = operation.options
    return shadow.Shadow(tuple(o.color), o.opacity, o.blur, (o.offset.x, o.offset.y))
