"""POST /api/v1/assets (create + presigned upload) and GET /api/v1/assets/{asset_id}."""
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, tracer
from imagegraphics.service.assets import create_upload, describe_asset
from imagegraphics.service.http import install_error_handlers, json_body, json_response, require_scope
from imagegraphics.service.models import CreateAsset, parse_body

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post("/api/v1/assets")
@tracer.capture_method
def create_asset():
    tenant = require_scope(app, "assets:write")
    body = parse_body(CreateAsset, json_body(app))
    return json_response(201, create_upload(tenant, body))


@app.get("/api/v1/assets/<asset_id>")
@tracer.capture_method
def get_asset(asset_id: str):
    return describe_asset(require_scope(app, "assets:read"), asset_id)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
