"""Bodies of the recipe, validate and webhook-secret routes (beyond the public API)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from imagegraphics.api.models import ResponseModel, _omit_none

RECIPE_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,30}$"
RecipeName = Annotated[str, Field(pattern=RECIPE_NAME_PATTERN)]


class RecipeRequest(BaseModel):
    """PUT /api/v1/recipes/{name}: what an Image Graphics request says, for one asset still to come.
    Validated by the request's own rules, as if `options` were the options of an asset."""

    model_config = ConfigDict(extra="forbid")

    operations: list[dict[str, Any]] = Field(description="the request's operations, run in order")
    options: dict[str, Any] = Field(default_factory=dict, description="the asset options of the request")
    webhook: dict[str, Any] | None = Field(None, description='{"url": "https://..."}: told when each job finishes')


class RecipeResponse(ResponseModel):
    """A stored recipe: the body as given, and when it was first and last saved."""

    name: RecipeName
    operations: list[dict[str, Any]]
    options: dict[str, Any]
    webhook: dict[str, Any] | None = Field(None, exclude_if=_omit_none)
    created_at: str
    updated_at: str


class RecipeList(ResponseModel):
    """GET /api/v1/recipes: a page of the tenant's recipes, newest first."""

    recipes: list[RecipeResponse]
    next: str | None = Field(None, description="pass as `next` for the following page; null on the last page")


class WebhookSecretResponse(ResponseModel):
    """The tenant's webhook signing secret: the HMAC-SHA256 key of X-ImageGraphics-Signature."""

    secret: str


class ValidateRequest(RecipeRequest):
    """POST /api/v1/assets/addons/image_graphics/validate: the flow for one asset, as a recipe holds it
    (`operations`, the asset's `options`, an optional `webhook`). Checked by the request's own rules."""


class ValidatedOutput(ResponseModel):
    """What the flow makes of each asset it runs on."""

    kind: Literal["conversion", "asset"] = Field(
        description="a conversion of the asset itself, or a new asset (disposition.create_asset)")
    name: str | None = Field(description=(
        "the output's name in a job's status: the conversion's name; for a new asset its "
        "conversion_name, or null when it is named after its source's filename"))
    format: Literal["png", "webp", "jpeg"]
    content_type: str
    extension: str = Field(description="of the stored object: png, webp or jpg")


class ValidateResponse(ResponseModel):
    """200 of the validate route: the flow breaks no rule. Nothing was created."""

    valid: Literal[True] = True
    output: ValidatedOutput
