"""POST /api/v1/assets/addons/image_graphics -> 200 {"job_id": N}."""
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api import SubmitResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.request import ImageGraphicsRequest
from imagegraphics.service.http import cors, install_error_handlers, raw_body, require_scope
from imagegraphics.service.openapi import documented
from imagegraphics.service.submit import submit_job

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@app.post("/api/v1/assets/addons/image_graphics", **documented(
    operation_id="submitJob",
    summary="Submit an Image Graphics job",
    description="Runs the operations on every asset of the request, one queued message per asset. "
                "Every rule is checked before anything is queued: a refused request leaves no job. "
                "Poll the job's status for its outputs. Needs the scope `jobs:write`.",
    tag="jobs", status=200, response=SubmitResponse, response_description="The job was queued.",
    body=ImageGraphicsRequest, body_description="The assets, their options and the operations to run.",
    body_example={"assets": [{"5d3f0b6a9c2e4e7f8a1b2c3d4e5f6a7b": {"options": {
                      "size": {"width": 1000, "height": 1000},
                      "disposition": {"add_as_conversion": True, "conversion_name": "white-background"}}}}],
                  "operations": [{"bg_remove": {"options": {"mode": "auto"}}},
                                 {"bg_add": {"options": {"color": "#ffffff"}}}]},
    errors={400: None, 404: "An asset or image the request names does not exist for this key's tenant.",
            409: "An asset the request draws from is not READY yet (still uploading, or REJECTED).",
            413: None, 503: None}))
@tracer.capture_method
def submit():
    tenant = require_scope(app, "jobs:write")
    return {"job_id": submit_job(tenant, raw_body(app))}


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
