"""Where a request names other assets, each with the location the client wrote it at."""
from __future__ import annotations

from imagegraphics.errors import Loc
from imagegraphics.request import BgAdd, BorderAdd, GraphicsAdd, ImageGraphicsRequest


def asset_references(req: ImageGraphicsRequest) -> list[tuple[Loc, str]]:
    """Assets to render, every image_id an operation draws, and metadata sources, in request order."""
    found: list[tuple[Loc, str]] = []
    for i, entry in enumerate(req.assets):
        found.append((("assets", i, entry.asset_id), entry.asset_id))
        metadata = entry.options.disposition.metadata
        if metadata is not None and metadata.src_asset_id:
            loc = ("assets", i, entry.asset_id, "options", "disposition", "metadata", "src_asset_id")
            found.append((loc, metadata.src_asset_id))
    for j, op in enumerate(req.operations):
        if isinstance(op, (BgAdd, BorderAdd)) and op.options.image_id:
            found.append((("operations", j, op.name, "options", "image_id"), op.options.image_id))
        elif isinstance(op, GraphicsAdd):
            for k, graphic in enumerate(op.graphics):
                if graphic.options.image_id:
                    loc = ("operations", j, op.name, "graphics", k, "options", "image_id")
                    found.append((loc, graphic.options.image_id))
    return found


def drawn_references(req: ImageGraphicsRequest) -> list[tuple[Loc, str]]:
    """The references whose pixels are read (everything but metadata sources)."""
    return [(loc, asset_id) for loc, asset_id in asset_references(req) if loc[-1] != "src_asset_id"]
