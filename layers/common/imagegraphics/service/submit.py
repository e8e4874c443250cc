"""Submit: validate the request, check every asset it names, create the job, queue one message per asset."""
from __future__ import annotations

from imagegraphics.errors import Conflict, NotFound, ServiceUnavailable, detail
from imagegraphics.observability import JOBS_SUBMITTED, count, logger, request_id
from imagegraphics.request import RequestLimits, json_object, parse_request
from imagegraphics.service.messages import JobMessage
from imagegraphics.service.references import asset_references, drawn_references
from imagegraphics.service.webhooks import notify_if_finished
from imagegraphics.settings import get_settings
from imagegraphics.stores.assets import READY, AssetStore
from imagegraphics.stores.jobs import QUEUED, Job, JobStore
from imagegraphics.stores.queue import JobQueueStore


def request_limits() -> RequestLimits:
    settings = get_settings()
    # The service fetches graphics over https only; plain http would travel unencrypted.
    return RequestLimits(max_side=settings.max_side, image_url_schemes=("https",),
                         webhook_loopback=settings.webhook_loopback)


def check_assets(tenant: str, req, store: AssetStore) -> None:
    """404 naming every id that is missing or another tenant's; then 409 naming every one not READY.

    Not READY is a 409 (Conflict), not a 4xx about the request: the same request succeeds once the
    upload has been ingested. A metadata source only needs to exist, not to be READY.
    """
    refs = asset_references(req)
    records = store.find_states(a for _, a in refs)
    missing = [detail(loc, f"asset {a} not found") for loc, a in refs
               if records[a] is None or records[a].tenant != tenant]
    if missing:
        raise NotFound("referenced assets not found", missing)
    drawn = drawn_references(refs)
    not_ready = [detail(loc, f"asset {a} is {records[a].status}, not READY") for loc, a in drawn
                 if records[a].status != READY]
    if not_ready:
        raise Conflict("referenced assets are not READY", not_ready)


def submit_job(tenant: str, body: str | bytes | None) -> int:
    # The raw size is checked before parsing (413), nesting past the parser's stack is a 400.
    return start_job(tenant, json_object(body))


def start_job(tenant: str, payload: dict, job_id: int | None = None) -> int:
    """The submit route's path for every job (a recipe's too): validate, check the assets, create the
    job, queue one message per asset.

    With `job_id` (an id a recipe claimed beforehand) the job is made under that id; when an earlier
    attempt made it already, its messages are sent again, which the processor absorbs (it renders each
    asset of a job once), so a retried caller never ends up with a second job or a job never queued.
    """
    req = parse_request(payload, request_limits())
    check_assets(tenant, req, AssetStore.from_settings())
    jobs = JobStore.from_settings()
    try:
        job = jobs.create_job(tenant, payload, total=len(req.assets), job_id=job_id,
                              webhook_url=req.webhook.url if req.webhook else None)
    except Conflict:
        job = jobs.find_job(job_id) if job_id is not None else None
        if job is None or job.tenant != tenant:
            raise
        if job.status != QUEUED:
            return job.job_id
    logger.append_keys(job_id=job.job_id)
    # request_id: the submit request's id, so the processor logs under it (a recipe's job: see recipe_runs).
    messages = [JobMessage(job.job_id, tenant, i, entry.asset_id, request_id()).as_dict()
                for i, entry in enumerate(req.assets)]
    failed = JobQueueStore.from_settings().send_all(messages)
    if failed:
        # Recorded as failed so the job finishes instead of waiting for messages that never left.
        finished = jobs.mark_failed_to_enqueue(job.job_id, [(m["index"], m["asset_id"]) for m in failed])
        logger.error("job messages not sent", extra={"failed": len(failed), "total": len(messages)})
        _notify(finished)
        if len(failed) == len(messages):
            raise ServiceUnavailable(f"job {job.job_id} could not be queued; please retry",
                                     [detail(("job_id",), str(job.job_id))])
    count(JOBS_SUBMITTED)
    logger.info("job submitted", extra={"assets": len(messages)})
    return job.job_id


def _notify(job: Job | None) -> None:
    """Best effort: the queue that just failed the job's messages may well refuse this one too."""
    if job is None:
        return
    try:
        notify_if_finished(job)
    except Exception:  # noqa: BLE001 - the job's status still tells the outcome
        logger.exception("webhook of a job that could not be queued not sent")
