"""A tenant's saved setup: recipes (PUT/GET/DELETE /api/v1/recipes/{name}, GET /api/v1/recipes) and the
webhook signing secret (GET /api/v1/webhooks/secret, POST /api/v1/webhooks/secret/rotate)."""
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api.recipes import RecipeList, RecipeRequest, RecipeResponse, WebhookSecretResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.service.http import cors, install_error_handlers, json_body, require_scope
from imagegraphics.service.openapi import documented
from imagegraphics.service.recipes import delete_recipe, get_recipe, list_recipes, put_recipe
from imagegraphics.service.secrets import rotate_webhook_secret, webhook_secret

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)

RecipeName = Annotated[str, Path(description="The recipe's name: 1 to 30 of A-Z, a-z, 0-9, '_' and '-'.",
                                 pattern="^[A-Za-z0-9_-]{1,30}$")]
# Documentation of the list's query parameters: the handler reads and checks them itself
# (service/pages.py), so a wrong one is a 400 naming it like every other rule.
PageLimit = Annotated[int, Query(description="How many at most: 1 to 100.", ge=1, le=100)]
PageCursor = Annotated[str, Query(description="The `next` of the previous page.")]


@app.put("/api/v1/recipes/<name>", **documented(
    operation_id="putRecipe",
    summary="Save a recipe",
    description="Creates or replaces the recipe. It is checked by the Image Graphics request's rules, "
                "as the request it becomes for each upload (`options` are that asset's options). An "
                "upload created with `\"recipe\": name` runs it as a job once READY. Needs `recipes:write`.",
    tag="recipes", status=200, response=RecipeResponse, response_description="The stored recipe.",
    body=RecipeRequest, body_description="The operations, the asset options and an optional webhook.",
    errors={400: None, 404: "An image the recipe draws does not exist for this key's tenant.",
            409: "An image the recipe draws is not READY.", 413: None}))
@tracer.capture_method
def save(name: RecipeName):
    tenant = require_scope(app, "recipes:write")
    return put_recipe(tenant, name, json_body(app, "invalid recipe"))


@app.get("/api/v1/recipes/<name>", **documented(
    operation_id="getRecipe", summary="Read a recipe", description="Needs `recipes:read`.",
    tag="recipes", status=200, response=RecipeResponse, response_description="The stored recipe.",
    errors={400: "Not a recipe name.", 404: "No recipe of this name for this key's tenant."}))
@tracer.capture_method
def read(name: RecipeName):
    return get_recipe(require_scope(app, "recipes:read"), name)


@app.get("/api/v1/recipes", **documented(
    operation_id="listRecipes", summary="List the recipes",
    description="Newest first, a page at a time: `next` in the answer asks for the following page (null on "
                "the last). A page also ends early rather than pass 4 MB. Needs `recipes:read`.",
    tag="recipes", status=200, response=RecipeList, response_description="A page of the tenant's recipes.",
    errors={400: "`limit` or `next` is not one this list takes."}))
@tracer.capture_method
def list_all(limit: PageLimit = 50, next: PageCursor = ""):  # noqa: A002 - the API's names; read below
    return list_recipes(require_scope(app, "recipes:read"), app.current_event.query_string_parameters)


_DELETE = documented(
    operation_id="deleteRecipe", summary="Delete a recipe",
    description="Uploads created with it before and not yet READY then start no job (the asset's "
                "`recipe_error` says so). Needs `recipes:write`.",
    tag="recipes", status=204, response={}, response_description="Deleted.",
    errors={400: "Not a recipe name.", 404: "No recipe of this name for this key's tenant."})
_DELETE["responses"][204] = {"description": "Deleted; no body."}


@app.delete("/api/v1/recipes/<name>", **_DELETE)
@tracer.capture_method
def delete(name: RecipeName):
    delete_recipe(require_scope(app, "recipes:write"), name)
    return Response(status_code=204, body=None)


@app.get("/api/v1/webhooks/secret", **documented(
    operation_id="getWebhookSecret", summary="The webhook signing secret",
    description="The key of `X-ImageGraphics-Signature` (HMAC-SHA256 over `\"<t>.\" + body`), made on "
                "first use and then stable. Needs `webhooks:read`.",
    tag="webhooks", status=200, response=WebhookSecretResponse, response_description="The secret."))
@tracer.capture_method
def secret():
    return webhook_secret(require_scope(app, "webhooks:read"))


@app.post("/api/v1/webhooks/secret/rotate", **documented(
    operation_id="rotateWebhookSecret", summary="Replace the webhook signing secret",
    description="Every delivery from now on, retries included, is signed with the new secret. "
                "Needs `webhooks:write`.",
    tag="webhooks", status=200, response=WebhookSecretResponse, response_description="The new secret."))
@tracer.capture_method
def rotate():
    return rotate_webhook_secret(require_scope(app, "webhooks:write"))


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
