"""Bodies the API accepts besides the Image Graphics request (which has its own package)."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from imagegraphics.errors import InvalidRequest, detail
from imagegraphics.imaging.types import CONTENT_TYPES
from imagegraphics.request import DynamoJson, at_path
from imagegraphics.settings import get_settings
from imagegraphics.urlcheck import url_problem

ACCEPTED_CONTENT_TYPES = frozenset(CONTENT_TYPES.values())
MAX_FILENAME_CHARS = 255


def _image_type(value: str) -> str:
    if value not in ACCEPTED_CONTENT_TYPES:
        raise ValueError(f"must be one of {', '.join(sorted(ACCEPTED_CONTENT_TYPES))}")
    return value


class CreateAsset(BaseModel):
    """An upload (`filename` and `content_type`: the answer holds the form to post the file with) or,
    beyond the public API, an image the service fetches itself from `url` (its type is sniffed)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=lambda schema: _absent_not_null(schema))

    # Optional, never null: each schema is the value's own (a generated client keeps one plain type).
    filename: Annotated[Annotated[str, Field(min_length=1, max_length=MAX_FILENAME_CHARS)] | None,
                        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_FILENAME_CHARS})] = None
    content_type: Annotated[Annotated[str, AfterValidator(_image_type)] | None,
                            WithJsonSchema({"type": "string", "enum": sorted(ACCEPTED_CONTENT_TYPES)})] = None
    url: Annotated[Annotated[str, AfterValidator(_fetchable)] | None, WithJsonSchema({
        "type": "string", "format": "uri",
        "description": "https URL of the image, fetched by the service (the upload form is then not used)"})] = None
    metadata: DynamoJson = Field(default_factory=dict)
    # Beyond the public API: the tenant's recipe to run as a job once the upload is READY.
    recipe: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,30}$")] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "CreateAsset":
        if self.url is not None:
            if self.content_type is not None:
                raise PydanticCustomError("url_with_type", "content_type is read from the fetched image: leave it "
                                                           "out with url", {"at": "content_type"})
        else:
            missing = [name for name in ("filename", "content_type") if getattr(self, name) is None]
            if missing:
                raise PydanticCustomError("upload_fields", "required (or give url instead)", {"at": missing[0]})
        return self


def _absent_not_null(schema: dict) -> None:
    """An optional field is left out, never sent as null: its schema holds no null default."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", 0) is None:
            del prop["default"]


def _fetchable(value: str) -> str:
    problem = url_problem(value, ("https",), get_settings().url_loopback)
    if problem:
        raise ValueError(problem)
    return value


def parse_body(model: type[BaseModel], body: dict) -> BaseModel:
    """Validate a JSON body; every broken rule comes back located, as a 400."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [detail(list(e["loc"]) + at_path(e.get("ctx")), e["msg"].removeprefix("Value error, "))
                  for e in exc.errors()]
        raise InvalidRequest("invalid request body", errors) from exc
