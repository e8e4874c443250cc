"""POST /api/v1/assets (create + presigned upload) and GET /api/v1/assets/{asset_id}."""
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api import AssetResponse, CreateAssetResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.service.assets import create_upload, describe_asset
from imagegraphics.service.http import cors, install_error_handlers, json_body, json_response, require_scope
from imagegraphics.service.models import CreateAsset, parse_body
from imagegraphics.service.openapi import documented

# Documentation only: describe_asset answers any other value as an unknown asset (404).
AssetIdParam = Annotated[str, Path(description="The asset's id.", pattern="^[0-9a-f]{32}$")]

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@app.post("/api/v1/assets", **documented(
    operation_id="createAsset",
    summary="Create an asset and its upload form",
    description="A PENDING asset and a presigned S3 POST form: post the file to `upload.url` as "
                "multipart/form-data with every entry of `upload.fields`, then the file last. The asset "
                "turns READY once the upload is checked to be an image (REJECTED, with a `reason`, if "
                "not). Needs the scope `assets:write`.",
    tag="assets", status=201, response=CreateAssetResponse, response_description="The asset was created.",
    body=CreateAsset, body_description="The file's name and content type, and metadata to keep with it.",
    body_example={"filename": "portrait.jpg", "content_type": "image/jpeg", "metadata": {"owner": "studio"}},
    errors={400: None, 404: "The recipe the body names does not exist for this key's tenant.", 413: None,
            422: None}))
@tracer.capture_method
def create_asset():
    tenant = require_scope(app, "assets:write")
    body = parse_body(CreateAsset, json_body(app))
    return json_response(201, create_upload(tenant, body))


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
