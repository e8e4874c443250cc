"""The whole Image Graphics request: assets, each with its options, and the operations run on each."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from imagegraphics.errors import Loc
from imagegraphics.request.base import RequestObject
from imagegraphics.request.operations import MAX_GRAPHICS_ADD, BgAdd, BorderAdd, GraphicsAdd, Operation
from imagegraphics.request.options import AssetEntry
from imagegraphics.request.types import limits_of
from imagegraphics.request.webhook import Webhook


def _assets_count(assets: list[AssetEntry], info: ValidationInfo) -> list[AssetEntry]:
    limits = limits_of(info)
    if not assets:
        raise PydanticCustomError("too_few", "at least one asset is required")
    if len(assets) > limits.max_assets:
        raise PydanticCustomError("too_many", "at most {max} assets per request", {"max": limits.max_assets})
    return assets


# bg_remove, bg_add, border_add and shadow_add once each (rules.py), graphics_add up to MAX_GRAPHICS_ADD times.
MAX_OPERATIONS = 4 + MAX_GRAPHICS_ADD


def _operations_count(operations: list[Any]) -> list[Any]:
    if not operations:
        raise PydanticCustomError("too_few", "at least one operation is required")
    if len(operations) > MAX_OPERATIONS:
        raise PydanticCustomError("too_many", "at most {max} operations per request", {"max": MAX_OPERATIONS})
    return operations


# The two parts of a request, typed on their own so parse_request can validate one without the other.
# The counts' JSON schema is only documentation: the validators above say what is wrong in the API's words.
Assets = Annotated[list[AssetEntry], AfterValidator(_assets_count), Field(json_schema_extra={"minItems": 1})]
Operations = Annotated[list[Operation], AfterValidator(_operations_count),
                       Field(json_schema_extra={"minItems": 1, "maxItems": MAX_OPERATIONS})]
PARTS = ("assets", "operations")


class ImageGraphicsRequest(RequestObject):
    assets: Assets
    operations: Operations
    webhook: Webhook | None = None  # beyond the public API: where the finished job's status is POSTed

    def asset_ids(self) -> list[str]:
        return [entry.asset_id for entry in self.assets]

    def image_references(self) -> list[tuple[Loc, str]]:
        """Every image id the operations draw (background, graphics, border), where the client wrote it."""
        found: list[tuple[Loc, str]] = []
        for j, operation in enumerate(self.operations):
            if isinstance(operation, (BgAdd, BorderAdd)) and operation.options.image_id:
                found.append((("operations", j, operation.name, "options", "image_id"), operation.options.image_id))
            elif isinstance(operation, GraphicsAdd):
                for k, graphic in enumerate(operation.graphics):
                    if graphic.options.image_id:
                        loc = ("operations", j, operation.name, "graphics", k, "options", "image_id")
                        found.append((loc, graphic.options.image_id))
        return found

    def referenced_image_ids(self) -> set[str]:
        """Every image id the operations draw (background, graphics, border)."""
        return {image_id for _, image_id in self.image_references()}

    def to_payload(self) -> dict:
        """The request as JSON-ready data in the client's shape; parse_request reads it back equal."""
        return self.model_dump(mode="json", exclude_none=True)
