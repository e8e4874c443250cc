"""Status: a job's outcome with presigned URLs of its outputs and the error of each failed asset."""
from __future__ import annotations

from imagegraphics.api import JobError, JobOutput, JobProgress, JobStatusResponse
from imagegraphics.api.models import WebhookDelivery
from imagegraphics.errors import InvalidRequest, detail
from imagegraphics.observability import logger
from imagegraphics.stores.blobs import BlobStore
from imagegraphics.api.models import JobList, JobSummary
from imagegraphics.service.pages import filter_value, from_partition, one_page, page_request
from imagegraphics.stores.jobs import ERROR, OK, QUEUED, Job, JobStore, list_partition


def parse_job_id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise InvalidRequest("invalid job id", [detail(("job_id",), "must be a positive integer")])
    return int(raw)


def describe_job(tenant: str, raw_job_id: str) -> dict:
    """The job and its outcomes as one view: progress counts the outcomes this answer lists.

    The job's own counters move just after each outcome is written, so counters and outcomes read
    one after the other can disagree; the outcomes, read (consistently) after the job, are the truth.
    A finished job's outcomes are all written before it finishes, so OK/ERROR always lists them all.
    """
    job_id = parse_job_id(raw_job_id)
    logger.append_keys(job_id=job_id)
    store = JobStore.from_settings()
    job = store.get_job(tenant, job_id)
    items = sorted(store.list_items(job_id), key=lambda item: item.index)
    blobs = BlobStore.from_settings()
    output = [JobOutput(name=item.name, asset_id=item.output_asset_id or item.asset_id,
                        url=blobs.presigned_get(item.s3_key))
              for item in items if item.outcome == OK and item.s3_key]
    # Every recorded failure carries its message; the fallback keeps the field a sentence regardless.
    error = [JobError(name=item.name, asset_id=item.asset_id, error=item.error or "processing failed",
                      status=item.error_status, code=item.error_code)
             for item in items if item.outcome != OK]
    return JobStatusResponse(
        job_id=job.job_id,
        status=job.status,
        output=output,
        error=error,
        progress=JobProgress(total=job.total, done=len(output) + len(error), succeeded=len(output),
                             failed=len(error)),
        created_at=job.created_at,
        finished_at=job.finished_at,
        webhook=webhook_view(job),
    ).body()


def webhook_view(job: Job) -> WebhookDelivery | None:
    if not job.webhook_url:
        return None
    return WebhookDelivery(url=job.webhook_url, status=job.webhook_status or "PENDING",
                           attempts=job.webhook_attempts, last_status=job.webhook_last_status,
                           last_error=job.webhook_last_error)


def job_summary(job: Job) -> dict:
    done = job.succeeded + job.failed
    return JobSummary(job_id=job.job_id, status=job.status, created_at=job.created_at, finished_at=job.finished_at,
                      progress=JobProgress(total=job.total, done=done, succeeded=job.succeeded,
                                           failed=job.failed)).body()


def list_jobs(tenant: str, query: dict[str, str] | None = None) -> dict:
    """A page of the tenant's jobs, newest first, optionally of one `status`, with `next` when more follow.
    Jobs are listed until JOB_TTL_DAYS removes them."""
    status = filter_value(query, "status", (QUEUED, OK, ERROR))
    scope = f"jobs:{tenant}:{status or ''}"
    asked = page_request(query, scope)
    found, following = JobStore.from_settings().page(tenant, asked.limit, from_partition(asked, list_partition(tenant)),
                                                     status)
    views, cursor = one_page([(job_summary(j), at) for j, at in found], following, scope)
    return JobList(jobs=[JobSummary.model_validate(v) for v in views], next=cursor).body()
