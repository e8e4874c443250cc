"""Where a request names other assets, each with the location the client wrote it at."""
from __future__ import annotations

from imagegraphics.errors import Loc
from imagegraphics.request import ImageGraphicsRequest

References = list[tuple[Loc, str]]


def asset_references(req: ImageGraphicsRequest) -> References:
    """Assets to render, metadata sources, then every image_id an operation draws, in request order."""
    found: References = []
    for i, entry in enumerate(req.assets):
        found.append((("assets", i, entry.asset_id), entry.asset_id))
        metadata = entry.options.disposition.metadata
        if metadata is not None and metadata.src_asset_id:
            loc = ("assets", i, entry.asset_id, "options", "disposition", "metadata", "src_asset_id")
            found.append((loc, metadata.src_asset_id))
    return found + req.image_references()


def drawn_references(refs: References) -> References:
    """Of `refs`, those whose pixels are read (everything but metadata sources)."""
    return [(loc, asset_id) for loc, asset_id in refs if loc[-1] != "src_asset_id"]
