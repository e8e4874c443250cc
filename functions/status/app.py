"""GET /api/v1/assets/addons/image_graphics/jobs/{job_id} -> status, output, error, progress;
GET /api/v1/assets/addons/image_graphics/jobs -> a page of the tenant's jobs."""
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegraphics.api import JobStatusResponse
from imagegraphics.observability import REQUEST_ID_PATH, logger, metrics, tracer
from imagegraphics.service.http import cors, install_error_handlers, require_scope
from imagegraphics.service.openapi import documented
from imagegraphics.api.models import JobList
from imagegraphics.service.status import describe_job, list_jobs

# Documentation only: parse_job_id answers the 400 for anything else.
JobId = Annotated[str, Path(description="The job id the submit answered.", pattern="^[0-9]{1,18}$")]

# Documentation of the list's query parameters: list_jobs reads and checks them (400 naming the one).
PageLimit = Annotated[int, Query(description="How many at most: 1 to 100.", ge=1, le=100)]
PageCursor = Annotated[str, Query(description="The `next` of the previous page.")]
StatusFilter = Annotated[str, Query(description="Only jobs of this status: QUEUED, OK or ERROR.")]

app = APIGatewayRestResolver(cors=cors())
install_error_handlers(app)


@app.get("/api/v1/assets/addons/image_graphics/jobs", **documented(
    operation_id="listJobs", summary="List the jobs",
    description="Newest first, a page at a time (`next`, null on the last page), with each job's status, "
                "counts and times; GET a job for its outputs and errors. Jobs are listed until their records "
                "expire (the stack's JobTtlDays). Needs the scope `jobs:read`.",
    tag="jobs", status=200, response=JobList, response_description="A page of the tenant's jobs.",
    errors={400: "`limit`, `next` or `status` is not one this list takes."}))
@tracer.capture_method
def list_all(limit: PageLimit = 50, next: PageCursor = "", status: StatusFilter = ""):  # noqa: A002 - the API's names
    return list_jobs(require_scope(app, "jobs:read"), app.current_event.query_string_parameters)


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
