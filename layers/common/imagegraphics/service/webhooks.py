"""Webhooks: queue a finished job's delivery once, and deliver it, signed, at least once.

A job's finish is noticed where its last outcome is recorded (processor, dead letters, submit);
notify_if_finished sends the delivery message and then marks the job, so a crash in between sends it
again (same delivery id) rather than never. The webhook function POSTs the job's status; a failed
attempt comes back after a growing pause (BACKOFF_SECONDS), and the last one marks the delivery
FAILED before SQS moves the message to the dead-letter queue.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

from imagegraphics.observability import count, logger, request_id
from imagegraphics.service.signatures import (
    DELIVERY_HEADER, EVENT_HEADER, JOB_FINISHED, SIGNATURE_HEADER, signature_header)
from imagegraphics.service.status import describe_job
from imagegraphics.service.webhook_http import post
from imagegraphics.settings import get_settings
from imagegraphics.stores.deliveries import DeliveryQueue
from imagegraphics.stores.job_webhooks import JobWebhookStore
from imagegraphics.stores.jobs import DELIVERED, FAILED, PENDING, QUEUED, Job, JobStore
from imagegraphics.stores.secrets import WebhookSecretStore

# Pause after the n-th failed attempt: attempts at about 0, 1, 6, 21 and 61 minutes.
BACKOFF_SECONDS = (60, 300, 900, 2400)
WEBHOOKS_DELIVERED, WEBHOOKS_FAILED = "WebhooksDelivered", "WebhooksFailed"


class DeliveryFailed(Exception):
    """This attempt failed; the message is left on the queue to be tried again (or dead-lettered)."""


@dataclass(frozen=True)
class DeliveryMessage:
    job_id: int
    tenant: str
    delivery_id: str

    @classmethod
    def parse(cls, body: str | dict) -> "DeliveryMessage":
        data = json.loads(body) if isinstance(body, str) else body
        try:
            return cls(int(data["job_id"]), str(data["tenant"]), str(data["delivery_id"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a webhook message: {exc}") from exc


def backoff(attempt: int) -> int:
    return BACKOFF_SECONDS[min(max(attempt, 1), len(BACKOFF_SECONDS)) - 1]


def notify_if_finished(job: Job) -> bool:
    """Queue the delivery of a finished job's webhook, unless queued before; True when sent now.
    Raises when the queue refuses, so the caller's message is retried and this runs again."""
    if job.status == QUEUED or not job.webhook_url or job.webhook_queued:
        return False
    webhooks = JobWebhookStore.from_settings()
    delivery_id = webhooks.delivery_id(job.job_id, str(uuid.uuid4()))
    message = {"job_id": job.job_id, "tenant": job.tenant, "delivery_id": delivery_id}
    if (request := request_id()) is not None:  # the job's (its message's): the webhook function logs under it
        message["request_id"] = request
    DeliveryQueue.from_settings().send(message)
    webhooks.mark_queued(job.job_id)
    logger.info("webhook queued", extra={"job_id": job.job_id, "delivery_id": delivery_id})
    return True


def encode(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def deliver(body: str, receive_count: int, receipt_handle: str | None = None) -> str:
    """One attempt: POST the job's status now. Returns the outcome, or raises DeliveryFailed."""
    try:
        message = DeliveryMessage.parse(body)
    except ValueError:
        logger.exception("not a webhook message; dropped")
        return "dropped"
    logger.append_keys(job_id=message.job_id, tenant=message.tenant, delivery_id=message.delivery_id)
    job = JobStore.from_settings().find_job(message.job_id)
    if job is None or job.tenant != message.tenant or not job.webhook_url:
        logger.warning("webhook message for an unknown job dropped")
        return "dropped"
    if job.webhook_status == DELIVERED:
        return "delivered-before"  # a duplicated message: the receiver already has it
    settings, webhooks = get_settings(), JobWebhookStore.from_settings()
    payload = encode(describe_job(job.tenant, str(job.job_id)))
    secret = WebhookSecretStore.from_settings(settings).get(job.tenant)
    headers = {"Content-Type": "application/json", EVENT_HEADER: JOB_FINISHED,
               DELIVERY_HEADER: message.delivery_id,
               SIGNATURE_HEADER: signature_header(secret, int(time.time()), payload)}
    answer = post(job.webhook_url, payload, headers, loopback=settings.webhook_loopback)
    if answer.ok:
        webhooks.record_attempt(job.job_id, status=DELIVERED, http_status=answer.status, error=None)
        count(WEBHOOKS_DELIVERED)
        logger.info("webhook delivered", extra={"status": answer.status, "attempt": receive_count})
        return DELIVERED
    last = receive_count >= settings.webhook_max_attempts
    webhooks.record_attempt(job.job_id, status=FAILED if last else PENDING, http_status=answer.status,
                            error=answer.error)
    if last:
        count(WEBHOOKS_FAILED)
        logger.error("webhook failed for good; dead-lettered", extra={"error": answer.error})
    else:
        logger.warning("webhook attempt failed", extra={"error": answer.error, "attempt": receive_count})
        _retry_later(receipt_handle, backoff(receive_count))
    raise DeliveryFailed(answer.error or "delivery failed")


def _retry_later(receipt_handle: str | None, seconds: int) -> None:
    if not receipt_handle:
        return
    try:
        DeliveryQueue.from_settings().retry_in(receipt_handle, seconds)
    except Exception:  # noqa: BLE001 - the queue's visibility timeout then spaces the attempts
        logger.exception("backoff not set")
