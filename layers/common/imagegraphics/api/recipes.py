"""Bodies of the recipe and webhook-secret routes (beyond the public API)."""
from __future__ import annotations

from typing import Annotated, Any

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
