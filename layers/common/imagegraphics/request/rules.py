"""The API rules that relate several fields, one function each, run over the well-formed parts of a request.

Each rule returns the errors it finds (empty when the request honours it); parse_request reports all of them.
Rules about a single field (colours, ids, positive sizes, names) live in the field types (types.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from imagegraphics.errors import ErrorDetail, Loc, RenderFailed, detail
from imagegraphics.request.extension_rules import (
    asset_options, bg_add_of, crop_to_subject_first, crops_to_subject, margin_fits_size, mask_output_last,
    quality_only_for_webp_or_jpeg, shadow_add_after_bg_remove)
from imagegraphics.request.model import ImageGraphicsRequest
from imagegraphics.request.operations import MAX_GRAPHICS_ADD, BgAdd, GraphicsAdd
from imagegraphics.request.options import AssetOptions, Position

# Repeating these has no meaning (a second background would hide the first); graphics_add may repeat.
ONCE_ONLY = ("bg_remove", "bg_add", "border_add", "shadow_add")

Rule = Callable[[ImageGraphicsRequest], list[ErrorDetail]]


def crop_box_not_empty(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    errors = []
    for loc, options in asset_options(req):
        if (crop := options.crop) is not None:
            if crop.right <= crop.left:
                errors.append(detail(loc + ("crop", "right"), "must be greater than left"))
            if crop.bottom <= crop.top:
                errors.append(detail(loc + ("crop", "bottom"), "must be greater than top"))
    return errors


def position_needs_canvas_or_background(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    if bg_add_of(req) is not None:
        return []
    return [detail(loc + ("position",), "needs a canvas or a bg_add operation to position the asset on")
            for loc, options in asset_options(req) if options.position is not None and options.canvas is None]


def position_overflow(position: Position, asset_size: tuple[int, int], container_size: tuple[int, int],
                      container: str) -> list[tuple[str, str]]:
    """(axis, message) for each axis where asset + position does not stay below the container's side."""
    out = []
    for axis, side, offset, a, c in (("x", "width", position.x, asset_size[0], container_size[0]),
                                     ("y", "height", position.y, asset_size[1], container_size[1])):
        if a + offset >= c:
            out.append((axis, f"asset {side} {a} + {axis} {offset} must be less than the {container} {side} {c}"))
    return out


def check_position_fits(position: Position, asset_size: tuple[int, int], container_size: tuple[int, int],
                        loc: Loc, container: str = "canvas or background") -> None:
    """The position bound rule once image sizes are known (at render); raises RenderFailed."""
    problems = position_overflow(position, asset_size, container_size, container)
    if problems:
        raise RenderFailed("the asset does not fit at its position",
                           [detail(tuple(loc) + (axis,), msg) for axis, msg in problems])


def _known_container(options: AssetOptions, bg_add: BgAdd | None) -> tuple[str, tuple[int, int]] | None:
    """What the asset is positioned in, when the request gives its size.

    With a canvas the asset goes on the canvas (the canvas then goes centred over any background); a
    canvas without a size takes the background's size. Without a canvas it goes on the background.
    """
    bg_size = bg_add.options.size if bg_add is not None else None
    if options.canvas is not None:
        size = options.canvas.size or bg_size
        return ("canvas", (size.width, size.height)) if size else None
    return ("background", (bg_size.width, bg_size.height)) if bg_size else None


def _known_asset_size(options: AssetOptions, crops_to_subject: bool) -> tuple[int, int] | None:
    """The asset's output size: `size` when given (the asset is fitted inside it), else the crop box
    (unknown when bg_remove crops it to the subject: its box is found at render)."""
    if options.size is not None:
        return options.size.width, options.size.height
    crop = options.crop if not crops_to_subject else None
    if crop is not None and crop.right > crop.left and crop.bottom > crop.top:
        return crop.right - crop.left, crop.bottom - crop.top
    return None


def position_fits_container(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    errors = []
    bg_add, cropped = bg_add_of(req), crops_to_subject(req)
    for loc, options in asset_options(req):
        container = _known_container(options, bg_add)
        asset_size = _known_asset_size(options, cropped)
        if options.position is None or container is None or asset_size is None:
            continue  # checked by the renderer once the images are decoded
        for axis, msg in position_overflow(options.position, asset_size, container[1], container[0]):
            errors.append(detail(loc + ("position", axis), msg))
    return errors


def conversion_name_when_add_as_conversion(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    return [detail(loc + ("disposition", "conversion_name"), "required when add_as_conversion is true")
            for loc, options in asset_options(req)
            if options.disposition.add_as_conversion and options.disposition.conversion_name is None]


def conversion_targets_unique(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    """Two entries writing the same conversion of the same asset would overwrite each other."""
    errors, seen = [], {}
    for loc, options in asset_options(req):
        d = options.disposition
        if d.create_asset and not d.add_as_conversion:
            continue
        target = (loc[2], d.conversion_name_or_default)
        if target in seen:
            msg = f"conversion {target[1]!r} of this asset is already written by assets[{seen[target]}]"
            errors.append(detail(loc + ("disposition", "conversion_name"), msg))
        else:
            seen[target] = loc[1]
    return errors


def bg_remove_before_bg_add(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    names = [op.name for op in req.operations]
    if "bg_remove" in names and "bg_add" in names:
        remove, add = names.index("bg_remove"), names.index("bg_add")
        if remove > add:
            return [detail(("operations", remove, "bg_remove"),
                           f"must come before bg_add (operations[{add}])")]
    return []


def operations_at_most_once(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    errors, first = [], {}
    for i, op in enumerate(req.operations):
        if op.name in ONCE_ONLY and op.name in first:
            errors.append(detail(("operations", i, op.name),
                                 f"may appear only once (already at operations[{first[op.name]}])"))
        first.setdefault(op.name, i)
    return errors


def graphics_add_at_most_max(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    indexes = [i for i, op in enumerate(req.operations) if isinstance(op, GraphicsAdd)]
    return [detail(("operations", i, "graphics_add"),
                   f"at most {MAX_GRAPHICS_ADD} graphics_add operations per request")
            for i in indexes[MAX_GRAPHICS_ADD:]]


def bg_add_has_color_or_image(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    return [detail(("operations", i, "bg_add", "options"), "needs color or image_id (or both)")
            for i, op in enumerate(req.operations)
            if isinstance(op, BgAdd) and op.options.color is None and op.options.image_id is None]


def graphic_has_one_source(req: ImageGraphicsRequest) -> list[ErrorDetail]:
    errors = []
    for i, op in enumerate(req.operations):
        if not isinstance(op, GraphicsAdd):
            continue
        for j, graphic in enumerate(op.graphics):
            g = graphic.options
            if (g.image_id is None) == (g.image_url is None):
                errors.append(detail(("operations", i, "graphics_add", "graphics", j, "options"),
                                     "needs exactly one of image_id or image_url"))
    return errors


ASSETS = frozenset({"assets"})
OPERATIONS = frozenset({"operations"})
BOTH = ASSETS | OPERATIONS

# Each rule with the parts of the request it reads. A rule runs whenever those parts are well formed,
# so a broken operation does not hide what else is wrong with the assets, and the other way round.
RULES: tuple[tuple[Rule, frozenset[str]], ...] = (
    (crop_box_not_empty, ASSETS),
    (position_needs_canvas_or_background, BOTH),
    (position_fits_container, BOTH),
    (conversion_name_when_add_as_conversion, ASSETS),
    (conversion_targets_unique, ASSETS),
    (quality_only_for_webp_or_jpeg, ASSETS),
    (margin_fits_size, BOTH),
    (bg_remove_before_bg_add, OPERATIONS),
    (shadow_add_after_bg_remove, OPERATIONS),
    (mask_output_last, OPERATIONS),
    (crop_to_subject_first, OPERATIONS),
    (operations_at_most_once, OPERATIONS),
    (graphics_add_at_most_max, OPERATIONS),
    (bg_add_has_color_or_image, OPERATIONS),
    (graphic_has_one_source, OPERATIONS),
)
