"""Dead letters: a job message that kept failing is recorded as that asset's error, so the job finishes."""
from __future__ import annotations

from imagegraphics.errors import ImageGraphicsError, NotFound
from imagegraphics.observability import ASSETS_FAILED, count, logger
from imagegraphics.service.messages import JobMessage
from imagegraphics.request import parse_request
from imagegraphics.service.names import failed_name
from imagegraphics.service.submit import request_limits
from imagegraphics.stores.assets import AssetStore
from imagegraphics.stores.jobs import ERROR, Job, JobStore
from imagegraphics.service.webhooks import notify_if_finished


def failure_message(receive_count: int) -> str:
    # ApproximateReceiveCount counts receives across queues: the last one is this dead-letter delivery.
    attempts = receive_count - 1
    if attempts > 1:
        return f"processing failed after {attempts} attempts"
    return "processing failed after repeated attempts"


def intended_name(job: Job, index: int, store: JobStore) -> str | None:
    """The output name the asset would have had, so the error entry reads like the others."""
    try:
        entry = parse_request(store.payload(job), request_limits()).assets[index]
    except (ImageGraphicsError, IndexError, ValueError):
        return None
    try:
        return failed_name(entry, job.tenant, AssetStore.from_settings())
    except Exception:  # noqa: BLE001 - the name is cosmetic: the failure must be recorded regardless
        logger.exception("name of the failed asset unknown")
        return None


def record_dead_letter(body: str, receive_count: int | str | None) -> bool:
    """True when the asset was recorded as failed now; False when it already had an outcome."""
    try:
        message = JobMessage.parse(body)
    except ValueError:
        # Nothing to attribute it to; keeping it would only redeliver it until it expires.
        logger.exception("dead letter is not a job message; dropped")
        return False
    logger.append_keys(job_id=message.job_id, asset_id=message.asset_id, tenant=message.tenant)
    store = JobStore.from_settings()
    job = store.find_job(message.job_id)
    if job is None or job.tenant != message.tenant:
        logger.warning("dead letter for an unknown job dropped")
        return False
    try:
        result = store.record_item(message.job_id, message.index, asset_id=message.asset_id, outcome=ERROR,
                                   name=intended_name(job, message.index, store),
                                   error=failure_message(int(receive_count or 0)))
    except NotFound:
        logger.warning("job already complete; dead letter dropped")
        return False
    if result.recorded:
        count(ASSETS_FAILED)
        logger.error("asset failed for good", extra={"job_status": result.job.status})
    notify_if_finished(result.job)
    return result.recorded
