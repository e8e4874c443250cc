"""GET /api/v1/assets/addons/image_graphics/jobs/{job_id} -> status, output, error, progress."""
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api import JobStatusResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.service.http import cors, install_error_handlers, require_scope
from imagegraphics.service.openapi import documented
from imagegraphics.service.status import describe_job

# Documentation only: parse_job_id answers the 400 for anything else.
JobId = Annotated[str, Path(description="The job id the submit answered.", pattern="^[0-9]{1,18}$")]

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@app.get("/api/v1/assets/addons/image_graphics/jobs/<job_id>", **documented(
    operation_id="getJob",
    summary="A job's status and results",
    description="QUEUED until every asset has an outcome, then OK (at least one asset succeeded) or "
                "ERROR (none did). Lists a presigned URL for each output and the error of each failed asset. "
                "Needs the scope `jobs:read`.",
    tag="jobs", status=200, response=JobStatusResponse, response_description="The job.",
    errors={400: "The job id is not a positive integer.", 404: "No such job for this key's tenant."}))
@tracer.capture_method
def get_job(job_id: JobId):
    return describe_job(require_scope(app, "jobs:read"), job_id)


@logger.inject_lambda_context(clear_state=True, correlation_id_path=REQUEST_ID_PATH)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
