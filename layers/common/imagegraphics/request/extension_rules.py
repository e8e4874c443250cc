"""The rules of the keys beyond the public API (output format, mask, crop to subject, shadow), one
function each, as in rules.py (which runs them), and the helpers both read a request with."""
from __future__ import annotations

from collections.abc import Iterator

from imagegraphics.errors import ErrorDetail, Loc, detail
from imagegraphics.request.model import ImageGraphicsRequest
from imagegraphics.request.operations import BgAdd, BgRemove
from imagegraphics.request.options import AssetOptions


def asset_options(req: ImageGraphicsRequest) -> Iterator[tuple[Loc, AssetOptions]]:
    for i, entry in enumerate(req.assets):
        yield ("assets", i, entry.asset_id, "options"), entry.options


def bg_add_of(req: ImageGraphicsRequest) -> BgAdd | None:
    return next((op for op in req.operations if isinstance(op, BgAdd)), None)


def bg_remove_of(req: ImageGraphicsRequest) -> tuple[int, BgRemove] | None:
    return next(((i, op) for i, op in enumerate(req.operations) if isinstance(op, BgRemove)), None)


def crops_to_subject(req: ImageGraphicsRequest) -> bool:
    found = bg_remove_of(req)
    return found is not None and found[1].options.crop_to_subject is not None


def quality_only_for_webp_or_jpeg(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    return [detail(loc + ("disposition", "quality"), "applies only to format webp or jpeg (png is lossless)")
            for loc, options in asset_options(req)
            if options.disposition.quality is not None and options.disposition.format == "png"]


def margin_fits_size(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    """A margin in pixels is kept exact in the output, so `size` must leave room for the subject."""
    found = bg_remove_of(req)
    crop = found[1].options.crop_to_subject if found else None
    if crop is None or crop.margin.pixels is None:
        return []
    twice, errors = 2 * crop.margin.pixels, []
    where = f"operations[{found[0]}].bg_remove.options.crop_to_subject.margin"
    for loc, options in asset_options(req):
        for side in ("width", "height"):
            value = getattr(options.size, side) if options.size is not None else None
            if value is not None and twice >= value:
                errors.append(detail(loc + ("size", side), f"must be more than twice the margin of "
                                                           f"{crop.margin.pixels} px ({where})"))
    return errors


def shadow_add_after_bg_remove(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    """The shadow is cast by the cut-out's alpha: there must be a cut-out."""
    names = [op.name for op in req.operations]
    remove = names.index("bg_remove") if "bg_remove" in names else None
    errors = []
    for i, name in enumerate(names):
        if name == "shadow_add" and (remove is None or remove > i):
            later = f" (operations[{remove}])" if remove is not None else ""
            errors.append(detail(("operations", i, "shadow_add"), f"must come after bg_remove{later}: "
                                                                  "the shadow is cast by the cut-out"))
    return errors


def mask_output_last(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    """The mask is the result itself: nothing can be drawn on it."""
    found = bg_remove_of(req)
    if found is None or found[1].options.output != "mask" or found[0] == len(req.operations) - 1:
        return []
    after = ", ".join(op.name for op in req.operations[found[0] + 1:])
    return [detail(("operations", found[0], "bg_remove", "options", "output"),
                   f"mask needs bg_remove to be the last operation ({after} after it)")]


def crop_to_subject_first(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    """What is drawn before bg_remove would be cut out and cropped with the subject."""
    found = bg_remove_of(req)
    if found is None or found[1].options.crop_to_subject is None or found[0] == 0:
        return []
    before = ", ".join(op.name for op in req.operations[:found[0]])
    return [detail(("operations", found[0], "bg_remove", "options", "crop_to_subject"),
                   f"needs bg_remove to be the first operation ({before} before it)")]
