"""Bodies the API accepts besides the Image Graphics request (which has its own package)."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from imagegraphics.errors import InvalidRequest, detail
from imagegraphics.imaging.types import CONTENT_TYPES
from imagegraphics.request import DynamoJson, at_path

ACCEPTED_CONTENT_TYPES = frozenset(CONTENT_TYPES.values())
MAX_FILENAME_CHARS = 255


def _image_type(value: str) -> str:
    if value not in ACCEPTED_CONTENT_TYPES:
        raise ValueError(f"must be one of {', '.join(sorted(ACCEPTED_CONTENT_TYPES))}")
    return value


class CreateAsset(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    filename: Annotated[str, Field(min_length=1, max_length=MAX_FILENAME_CHARS)]
    content_type: Annotated[str, AfterValidator(_image_type),
                            WithJsonSchema({"type": "string", "enum": sorted(ACCEPTED_CONTENT_TYPES)})]
    metadata: DynamoJson = Field(default_factory=dict)
    # Beyond the public API: the tenant's recipe to run as a job once the upload is READY.
    recipe: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,30}$")] | None = None


def parse_body(model: type[BaseModel], body: dict) -> BaseModel:
    """Validate a JSON body; every broken rule comes back located, as a 400."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [detail(list(e["loc"]) + at_path(e.get("ctx")), e["msg"].removeprefix("Value error, "))
                  for e in exc.errors()]
        raise InvalidRequest("invalid request body", errors) from exc
