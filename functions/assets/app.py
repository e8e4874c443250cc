"""POST /api/v1/assets (an upload form, or an image fetched from a url), GET /api/v1/assets (a page of
the tenant's assets), GET and DELETE /api/v1/assets/{asset_id}."""
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api import AssetResponse, CreateAssetResponse
from imagegraphics.api.models import AssetList, DeleteAssetResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.service.assets import create_asset as create, describe_asset, list_assets
from imagegraphics.service.deletion import delete_asset as delete, parse_cascade
from imagegraphics.service.http import cors, install_error_handlers, json_body, json_response, require_scope
from imagegraphics.service.models import CreateAsset, parse_body
from imagegraphics.service.openapi import documented

# Documentation only: describe_asset answers any other value as an unknown asset (404).
AssetIdParam = Annotated[str, Path(description="The asset's id.", pattern="^[0-9a-f]{32}$")]
# Documentation of the query parameters: the handlers read and check them themselves, so a wrong one
# is a 400 naming it like every other rule.
PageLimit = Annotated[int, Query(description="How many at most: 1 to 100.", ge=1, le=100)]
PageCursor = Annotated[str, Query(description="The `next` of the previous page.")]
StatusFilter = Annotated[str, Query(description="Only assets of this status: PENDING, READY or REJECTED.")]
SourceFilter = Annotated[str, Query(description="Only the assets a job made from this asset (their "
                                                "`source_asset_id`): an asset id, 32 lowercase hex characters.")]
Cascade = Annotated[bool, Query(description="Also delete the assets made from it, down every chain "
                                            "of `source_asset_id`.")]

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@app.post("/api/v1/assets", **documented(
    operation_id="createAsset",
    summary="Create an asset: an upload form, or an image fetched from a URL",
    description="With `filename` and `content_type`: a PENDING asset and a presigned S3 POST form: post the "
                "file to `upload.url` as multipart/form-data with every entry of `upload.fields`, then the file "
                "last. With `url` (https, a public host): the service fetches the image itself, after the "
                "answer (no redirect to a host that is not public, the upload size limit, one deadline). "
                "Either way the asset turns READY once the bytes are checked to be an image (REJECTED, with "
                "a `reason`, if not: \"the URL answered 404\", \"not an image\", \"larger than ...\"), and "
                "a `recipe` then runs as a job. Needs the scope `assets:write`.",
    tag="assets", status=201, response=CreateAssetResponse, response_description="The asset was created.",
    body=CreateAsset, body_description="The file's name and content type (or the `url` of the image), and "
                                       "metadata to keep with it.",
    body_example={"filename": "portrait.jpg", "content_type": "image/jpeg", "metadata": {"owner": "studio"}},
    errors={400: None, 404: "The recipe the body names does not exist for this key's tenant.", 413: None,
            422: None}))
@tracer.capture_method
def create_asset():
    tenant = require_scope(app, "assets:write")
    body = parse_body(CreateAsset, json_body(app))
    return json_response(201, create(tenant, body))


@app.get("/api/v1/assets", **documented(
    operation_id="listAssets", summary="List the assets",
    description="Newest first, a page at a time: `next` in the answer asks for the following page (null on "
                "the last). A page also ends early rather than pass 4 MB, and a filtered page may hold fewer "
                "than `limit` while `next` still goes on. Each entry is the asset without its download URLs "
                "(GET the asset for them). Needs the scope `assets:read`.",
    tag="assets", status=200, response=AssetList, response_description="A page of the tenant's assets.",
    errors={400: "`limit`, `next`, `status` or `source_asset_id` is not one this list takes."}))
@tracer.capture_method
def list_all(limit: PageLimit = 50, next: PageCursor = "", status: StatusFilter = "",  # noqa: A002 - the API's names
             source_asset_id: SourceFilter = ""):
    return list_assets(require_scope(app, "assets:read"), app.current_event.query_string_parameters)


@app.delete("/api/v1/assets/<asset_id>", **documented(
    operation_id="deleteAsset", summary="Delete an asset and everything made of it",
    description="Deletes the original file, every conversion (file and record) and the asset record; with "
                "`cascade=true` also the assets made from it, down every chain of `source_asset_id` (at most "
                "1,000 assets). Jobs that reach a deleted asset later fail for it with 404 (\"the asset was "
                "deleted\", code `asset_deleted`); a job already running writes nothing for it. The answer "
                "lists what was deleted. Needs the scope `assets:delete`.",
    tag="assets", status=200, response=DeleteAssetResponse, response_description="What was deleted.",
    errors={400: "`cascade` is not true or false.",
            404: "No such asset for this key's tenant, or not an asset id (32 lowercase hex characters).",
            422: "With `cascade`, more than 1,000 assets would be deleted; nothing was."}))
@tracer.capture_method
def delete_asset(asset_id: AssetIdParam, cascade: Cascade = False):
    tenant = require_scope(app, "assets:delete")
    return delete(tenant, asset_id, parse_cascade(app.current_event.query_string_parameters))


@app.get("/api/v1/assets/<asset_id>", **documented(
    operation_id="getAsset",
    summary="Describe an asset",
    description="Its status, image size, metadata and presigned download URLs of the original (once "
                "READY) and of each conversion. Needs the scope `assets:read`.",
    tag="assets", status=200, response=AssetResponse, response_description="The asset.",
    errors={404: "No such asset for this key's tenant, or not an asset id (32 lowercase hex characters)."}))
@tracer.capture_method
def get_asset(asset_id: AssetIdParam):
    return describe_asset(require_scope(app, "assets:read"), asset_id)


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
