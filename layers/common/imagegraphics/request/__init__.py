"""The Image Graphics request: pydantic models, one function per API rule, and parse_request."""
from imagegraphics.request.model import ImageGraphicsRequest
from imagegraphics.request.operations import (
    OPERATIONS, BgAdd, BgAddOptions, BgRemove, BgRemoveOptions, BorderAdd, BorderAddOptions, Graphic,
    GraphicOptions, GraphicsAdd, Operation)
from imagegraphics.request.options import (
    DEFAULT_CONVERSION_NAME, AssetEntry, AssetOptions, Canvas, Crop, Disposition, MetadataOptions,
    Position, Size)
from imagegraphics.request.parse import (
    MAX_BODY_BYTES, MESSAGE, at_path, json_object, parse_request, parse_request_json)
from imagegraphics.request.rules import RULES, check_position_fits
from imagegraphics.request.types import (
    MAX_METADATA_BYTES, AssetId, Color, ConversionName, DynamoJson, RequestLimits, format_color,
    is_asset_id, parse_color)

__all__ = [
    "AssetEntry", "AssetId", "AssetOptions", "BgAdd", "BgAddOptions", "BgRemove", "BgRemoveOptions",
    "BorderAdd", "BorderAddOptions", "Canvas", "Color", "ConversionName", "Crop", "DEFAULT_CONVERSION_NAME",
    "Disposition", "DynamoJson", "Graphic", "GraphicOptions", "GraphicsAdd", "ImageGraphicsRequest",
    "MAX_BODY_BYTES", "MAX_METADATA_BYTES", "MESSAGE", "MetadataOptions", "OPERATIONS", "Operation",
    "Position", "RULES", "RequestLimits", "Size", "at_path", "check_position_fits", "format_color",
    "is_asset_id", "json_object", "parse_color", "parse_request", "parse_request_json",
]
