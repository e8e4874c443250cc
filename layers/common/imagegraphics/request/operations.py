"""Operations: each item of `operations` is a one-key object naming it, e.g. `{"bg_add": {"options": {...}}}`."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_serializer
from pydantic_core import PydanticCustomError

from imagegraphics.request.base import RequestObject
from imagegraphics.request.options import Position, Size
from imagegraphics.request.margin import Margin, MarginValue
from imagegraphics.request.types import AssetId, Color, ImageUrl


class OperationObject(RequestObject):
    """Dumps as `{name: {...}}`, the shape the client sent, so a stored request parses back the same."""

    name: ClassVar[str]

    @model_serializer(mode="wrap")
    def _wrap_in_name(self, handler: Any) -> dict:
        return {self.name: handler(self)}

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict:
        """The JSON schema of that shape too (the API's OpenAPI document shows what clients send)."""
        body = handler.resolve_ref_schema(handler(core_schema))
        name = getattr(cls, "name", None)
        if name is None:
            return body
        title, description = body.pop("title", cls.__name__), body.pop("description", None)
        wrapped = {"type": "object", "title": title, "properties": {name: body}, "required": [name],
                   "additionalProperties": False}
        return wrapped | ({"description": description} if description else {})


class CropToSubject(RequestObject):
    """Crop to the subject's box plus `margin` on every side (margin past the image is transparent)."""

    margin: Margin = Field(default_factory=lambda: MarginValue(0, pixels=0), description=(
        'Around the subject\'s box on every side: pixels (20 or "20px", exact in the output) or a '
        'percentage ("10%") of the subject\'s width (left, right) and height (top, bottom).'))


class BgRemoveOptions(RequestObject):
    mode: Literal["auto", "portrait", "product"] = "auto"
    strength: Literal["low", "medium", "high"] = "medium"
    remove_artifacts: bool = True
    output: Literal["cutout", "mask"] = Field("cutout", description=(
        "mask: the result is the 8-bit alpha matte alone, a grayscale image (bg_remove must be the last "
        "operation)."))
    crop_to_subject: CropToSubject | None = Field(None, description=(
        "Crop the cut-out to the subject's box plus a margin; size, canvas, position and bg_add then see "
        "the cropped asset (bg_remove must be the first operation)."))


class BgRemove(OperationObject):
    name: ClassVar[str] = "bg_remove"
    options: BgRemoveOptions = Field(default_factory=BgRemoveOptions)


class BgAddOptions(RequestObject):
    color: Color | None = None
    image_id: AssetId | None = None  # drawn over the colour when both are given
    mode: Literal["as-is", "stretch"] = "as-is"
    size: Size | None = None


class BgAdd(OperationObject):
    name: ClassVar[str] = "bg_add"
    options: BgAddOptions


class GraphicOptions(RequestObject):
    image_id: AssetId | None = None
    image_url: ImageUrl | None = None
    color: Color | None = None  # tint
    position: Position | None = None  # centred when not given
    size: Size | None = None


class Graphic(RequestObject):
    type: Literal["image"] = "image"
    options: GraphicOptions


MAX_GRAPHICS = 20  # per graphics_add: each is decoded, resized and composited over the output
MAX_GRAPHICS_ADD = 10  # graphics_add operations per request (the only operation that may repeat)


def _graphics_count(graphics: list[Graphic]) -> list[Graphic]:
    if not graphics:
        raise PydanticCustomError("too_few", "must list at least one graphic")
    if len(graphics) > MAX_GRAPHICS:
        raise PydanticCustomError("too_many", "at most {max} graphics per graphics_add", {"max": MAX_GRAPHICS})
    return graphics


class GraphicsAdd(OperationObject):
    name: ClassVar[str] = "graphics_add"
    graphics: Annotated[list[Graphic], AfterValidator(_graphics_count)]


class BorderAddOptions(RequestObject):
    image_id: AssetId


class BorderAdd(OperationObject):
    name: ClassVar[str] = "border_add"
    options: BorderAddOptions


MAX_SHADOW_OFFSET = 2000
MAX_SHADOW_BLUR = 200


class ShadowOffset(RequestObject):
    x: Annotated[int, Field(ge=-MAX_SHADOW_OFFSET, le=MAX_SHADOW_OFFSET)] = 0
    y: Annotated[int, Field(ge=-MAX_SHADOW_OFFSET, le=MAX_SHADOW_OFFSET)] = 10


class ShadowAddOptions(RequestObject):
    color: Color = Field((0, 0, 0, 255), description="The shadow's colour (an alpha scales the opacity).")
    opacity: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.5
    blur: Annotated[float, Field(ge=0, le=MAX_SHADOW_BLUR, allow_inf_nan=False)] = Field(10, description=(
        "The Gaussian's standard deviation in pixels, as CSS filter: drop-shadow() reads its blur."))
    offset: ShadowOffset = Field(default_factory=ShadowOffset, description="Pixels right (x) and down (y).")


class ShadowAdd(OperationObject):
    """A drop shadow cast by the cut-out's alpha: always drawn right under the subject (rules.py:
    after bg_remove), so a background or canvas goes under it and graphics and borders over it."""

    name: ClassVar[str] = "shadow_add"
    options: ShadowAddOptions = Field(default_factory=ShadowAddOptions)


OPERATIONS: dict[str, type[OperationObject]] = {
    cls.name: cls for cls in (BgRemove, BgAdd, GraphicsAdd, BorderAdd, ShadowAdd)}


def _unwrap(data: Any) -> Any:
    """`{"bg_add": body}` → body, validated by the BgAdd model (chosen by the discriminator)."""
    if isinstance(data, dict) and len(data) == 1:
        return next(iter(data.values()))
    return data


def _operation_name(data: Any) -> str | None:
    if isinstance(data, OperationObject):
        return data.name
    return next(iter(data)) if isinstance(data, dict) and len(data) == 1 else None


def _one_known_key(data: Any) -> Any:
    valid = ", ".join(OPERATIONS)
    if isinstance(data, OperationObject):
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise PydanticCustomError(
            "operation_shape", "must be an object with exactly one key, the operation: {valid}",
            {"valid": valid})
    key = next(iter(data))
    if key not in OPERATIONS:
        # "at" puts the error on the unknown key itself (see parse.py).
        raise PydanticCustomError(
            "unknown_operation", "unknown operation; valid operations are {valid}", {"valid": valid, "at": key})
    return data


# The discriminator's tag is the client's key, so error locations read ["operations", 0, "bg_add", ...].
Operation = Annotated[
    Union[
        Annotated[BgRemove, BeforeValidator(_unwrap), Tag("bg_remove")],
        Annotated[BgAdd, BeforeValidator(_unwrap), Tag("bg_add")],
        Annotated[GraphicsAdd, BeforeValidator(_unwrap), Tag("graphics_add")],
        Annotated[BorderAdd, BeforeValidator(_unwrap), Tag("border_add")],
        Annotated[ShadowAdd, BeforeValidator(_unwrap), Tag("shadow_add")],
    ],
    Discriminator(_operation_name),
    BeforeValidator(_one_known_key),
]
