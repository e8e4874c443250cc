"""POST /api/v1/assets/addons/image_graphics -> 200 {"job_id": N}."""
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, tracer
from imagegraphics.service.http import install_error_handlers, raw_body, require_scope
from imagegraphics.service.submit import submit_job

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.post("/api/v1/assets/addons/image_graphics")
@tracer.capture_method
def submit():
    tenant = require_scope(app, "jobs:write")
    return {"job_id": submit_job(tenant, raw_body(app))}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
