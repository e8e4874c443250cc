"""The Image Graphics request: pydantic models, one function per API rule, and parse_request.

Names load on first use (PEP 562): `from imagegraphics.request import AssetId` imports the field
types only, so a function that never parses a request (status, assets) does not build its models.
"""
from __future__ import annotations

import importlib

_SOURCES = {
    "model": ("ImageGraphicsRequest",),
    "operations": ("OPERATIONS", "BgAdd", "BgAddOptions", "BgRemove", "BgRemoveOptions", "BorderAdd",
                   "BorderAddOptions", "CropToSubject", "Graphic", "GraphicOptions", "GraphicsAdd", "Operation",
                   "ShadowAdd", "ShadowAddOptions", "ShadowOffset"),
    "options": ("DEFAULT_CONVERSION_NAME", "AssetEntry", "AssetOptions", "Canvas", "Crop", "Disposition",
                "MetadataOptions", "OUTPUT_FORMATS", "Position", "Size"),
    "body": ("MAX_BODY_BYTES", "MESSAGE", "at_path", "json_object"),
    "parse": ("parse_request", "parse_request_json"),
    "rules": ("RULES", "check_position_fits"),
    "types": ("MAX_METADATA_BYTES", "AssetId", "Color", "ConversionName", "DynamoJson", "RequestLimits",
              "format_color", "is_asset_id", "parse_color"),
    "margin": ("MarginValue",),
}
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
