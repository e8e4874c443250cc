"""Per-asset options: canvas, size, crop, position and where the result goes (disposition)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, NonNegativeInt, RootModel, model_validator
from pydantic_core import PydanticCustomError

from imagegraphics.request.base import RequestObject
from imagegraphics.request.types import AssetId, Color, ConversionName, DynamoJson, Side

DEFAULT_CONVERSION_NAME = "image-graphics"
MAX_DATA_SCHEMA_ID = 2**31 - 1  # a signed 32-bit id, as schema ids are elsewhere
DEFAULT_QUALITY = 90  # webp and jpeg
# disposition.format → the stored object's media type and file extension.
OUTPUT_FORMATS = {"png": ("image/png", "png"), "webp": ("image/webp", "webp"), "jpeg": ("image/jpeg", "jpg")}
# JPEG's file extension is taken for its name; the request then holds, stores and dumps "jpeg".
FORMAT_ALIASES = {"jpg": "jpeg"}
OutputFormat = Annotated[Literal["png", "webp", "jpeg", "jpg"],
                         AfterValidator(lambda name: FORMAT_ALIASES.get(name, name))]


class Size(RequestObject):
    width: Side
    height: Side


class Crop(RequestObject):
    """Box in pixels of the original image; right > left and bottom > top (see rules.py)."""

    left: NonNegativeInt
    top: NonNegativeInt
    right: NonNegativeInt
    bottom: NonNegativeInt


class Position(RequestObject):
    x: NonNegativeInt
    y: NonNegativeInt


class Canvas(RequestObject):
    size: Size | None = None
    color: Color | None = None  # transparent when not given


class MetadataOptions(RequestObject):
    inherit: bool = False
    src_asset_id: AssetId | None = None
    inherit_fields: list[str] | None = None  # None: every field of the source
    data: DynamoJson = Field(default_factory=dict)


class Disposition(RequestObject):
    add_as_conversion: bool = False
    create_asset: bool = False
    conversion_name: ConversionName | None = None
    mode: Literal["APPEND", "REPLACE"] = "APPEND"
    data_schema_id: Annotated[int, Field(ge=0, le=MAX_DATA_SCHEMA_ID)] | None = None
    metadata: MetadataOptions | None = None
    format: OutputFormat = Field("png", description=(
        "The result's file format; jpg is read as jpeg. jpeg has no transparency: the result is flattened on white."))
    quality: Annotated[int, Field(ge=1, le=100)] | None = Field(None, description=(
        f"webp and jpeg only (refused with png): 1 smallest file to 100 best, default {DEFAULT_QUALITY}."))

    @property
    def conversion_name_or_default(self) -> str:
        return self.conversion_name or DEFAULT_CONVERSION_NAME

    @property
    def quality_or_default(self) -> int:
        return self.quality if self.quality is not None else DEFAULT_QUALITY

    @property
    def content_type(self) -> str:
        return OUTPUT_FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        """Of the stored object and the command line's file: png, webp or jpg."""
        return OUTPUT_FORMATS[self.format][1]


class AssetOptions(RequestObject):
    canvas: Canvas | None = None
    size: Size | None = None
    crop: Crop | None = None
    position: Position | None = None
    disposition: Disposition = Field(default_factory=Disposition)


class AssetBody(RequestObject):
    options: AssetOptions = Field(default_factory=AssetOptions)


def _generator_friendly_entry(schema: dict[str, Any]) -> None:
    """Describe the entry's one key with `propertyNames` and its value with `additionalProperties`.

    pydantic writes a dict with a key pattern as `patternProperties`, which client generators
    (openapi-python-client among them) turn into an empty model. The two forms accept the same
    objects; only the document changes, the model validates as before."""
    ((pattern, body),) = schema.pop("patternProperties").items()
    schema.update(propertyNames={"pattern": pattern}, additionalProperties=body,
                  minProperties=1, maxProperties=1)


class AssetEntry(RootModel[dict[AssetId, AssetBody]]):
    """One item of `assets`: `{"<asset id>": {"options": {...}}}`, kept in that shape so it dumps as sent."""

    model_config = {"strict": True, "frozen": True, "json_schema_extra": _generator_friendly_entry}

    @model_validator(mode="before")
    @classmethod
    def _one_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) == 1:
            return data
        if isinstance(data, AssetEntry):
            return data.root
        raise PydanticCustomError(
            "asset_entry", "must be an object with exactly one key, the asset id")

    @classmethod
    def of(cls, asset_id: str, options: AssetOptions | None = None) -> AssetEntry:
        return cls({asset_id: AssetBody(options=options or AssetOptions())})

    @property
    def asset_id(self) -> str:
        return next(iter(self.root))

    @property
    def options(self) -> AssetOptions:
        return next(iter(self.root.values())).options
