"""POST /api/v1/assets/addons/image_graphics -> 200 {"job_id": N}; POST .../image_graphics/validate checks
a flow for one asset by the same rules and creates nothing."""
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api import SubmitResponse
from imagegraphics.api.recipes import ValidateRequest, ValidateResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.request import MESSAGE, ImageGraphicsRequest
from imagegraphics.service.http import cors, install_error_handlers, json_body, raw_body, require_scope
from imagegraphics.service.openapi import documented
from imagegraphics.service.submit import submit_job
from imagegraphics.service.validation import validate_flow

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


@app.post("/api/v1/assets/addons/image_graphics/validate", **documented(
    operation_id="validateFlow",
    summary="Check a flow before uploading",
    description="Checks the operations, asset options and webhook a job would run on one asset, by the "
                "rules submit applies, with a stand-in for the asset: each error is located where the "
                "body has it (`options...`, `operations...`), and every image the flow draws must exist "
                "and be READY. Creates nothing. The answer says what each asset's output will be (its "
                "name and format), so a client can name its files before uploading any. The body is a "
                "recipe's. Needs the scope `jobs:write`, as submit does.",
    tag="jobs", status=200, response=ValidateResponse, response_description="The flow breaks no rule.",
    body=ValidateRequest, body_description="The operations, the options of each asset and an optional webhook.",
    body_example={"operations": [{"bg_remove": {"options": {"mode": "product"}}},
                                 {"bg_add": {"options": {"color": "#ffffff"}}}],
                  "options": {"size": {"width": 1000, "height": 1000},
                              "disposition": {"add_as_conversion": True, "conversion_name": "white-background"}}},
    errors={400: None, 404: "An image the flow draws does not exist for this key's tenant.",
            409: "An image the flow draws is not READY yet (still uploading, or REJECTED).", 413: None}))
@tracer.capture_method
def validate():
    tenant = require_scope(app, "jobs:write")
    return validate_flow(tenant, json_body(app, MESSAGE))


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
