"""GET /api/v1/assets/addons/image_graphics/jobs/{job_id} -> status, output, error, progress."""
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.observability import logger, metrics, tracer
from imagegraphics.service.http import install_error_handlers, require_scope
from imagegraphics.service.status import describe_job

app = APIGatewayRestResolver()
install_error_handlers(app)


@app.get("/api/v1/assets/addons/image_graphics/jobs/<job_id>")
@tracer.capture_method
def get_job(job_id: str):
    return describe_job(require_scope(app, "jobs:read"), job_id)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
