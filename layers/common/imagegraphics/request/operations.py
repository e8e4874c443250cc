"""Operations: each item of `operations` is a one-key object naming it, e.g. `{"bg_add": {"options": {...}}}`."""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_serializer
from pydantic_core import PydanticCustomError

from imagegraphics.request.base import RequestObject
from imagegraphics.request.options import Position, Size
from imagegraphics.request.types import AssetId, Color, ImageUrl


class OperationObject(RequestObject):
    """Dumps as `{name: {...}}`, the shape the client sent, so a stored request parses back the same."""

    name: ClassVar[str]

    @model_serializer(mode="wrap")
    def _wrap_in_name(self, handler: Any) -> dict:
        return {self.name: handler(self)}


class BgRemoveOptions(RequestObject):
    mode: Literal["auto", "portrait", "product"] = "auto"
    strength: Literal["low", "medium", "high"] = "medium"
    remove_artifacts: bool = True


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
        raise PydanticCustomError("too_short", "must list at least one graphic")
    if len(graphics) > MAX_GRAPHICS:
        raise PydanticCustomError("too_long", "at most {max} graphics per graphics_add", {"max": MAX_GRAPHICS})
    return graphics


class GraphicsAdd(OperationObject):
    name: ClassVar[str] = "graphics_add"
    graphics: Annotated[list[Graphic], AfterValidator(_graphics_count)]


class BorderAddOptions(RequestObject):
    image_id: AssetId


class BorderAdd(OperationObject):
    name: ClassVar[str] = "border_add"
    options: BorderAddOptions


OPERATIONS: dict[str, type[OperationObject]] = {
    cls.name: cls for cls in (BgRemove, BgAdd, GraphicsAdd, BorderAdd)}


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
    ],
    Discriminator(_operation_name),
    BeforeValidator(_one_known_key),
]
