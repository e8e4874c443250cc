"""The name a job gives an asset's outcome (its conversion_name or the new asset's filename).

Apart from the processor, so the dead-letter function names a failure without importing the
renderer (numpy, Pillow).
"""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Callable

from imagegraphics.errors import NotFound

if TYPE_CHECKING:
    from imagegraphics.request import AssetEntry
    from imagegraphics.stores.assets import AssetStore


def output_name(entry: AssetEntry, filename_of: Callable[[str], str | None]) -> str:
    """The name a job gives an asset's outcome, the same whether it succeeds or fails: the
    `conversion_name` when the request gives one, else the conversion's default name, or, for
    create_asset, the new asset's filename (`filename_of` looks the source's up only then)."""
    d = entry.options.disposition
    if d.conversion_name:
        return d.conversion_name
    if d.add_as_conversion or not d.create_asset:
        return d.conversion_name_or_default
    return new_asset_filename(filename_of(entry.asset_id), entry.asset_id, d.extension)


def new_asset_filename(filename: str | None, source_asset_id: str, extension: str = "png") -> str:
    """The filename of an asset a job creates: its source's, in the output format (png, webp or
    jpg; the source's id when it has none)."""
    return f"{PurePosixPath(filename or source_asset_id).stem}.{extension}"


def failed_name(entry: AssetEntry, tenant: str, assets: AssetStore) -> str:
    """output_name of an asset that failed; a source that is gone (or not the tenant's) names the
    new asset after its id, as one without a filename would be."""
    def filename_of(asset_id: str) -> str | None:
        try:
            return assets.get(tenant, asset_id).filename
        except NotFound:
            return None

    return output_name(entry, filename_of)
