"""The webhook queue: one message per finished job with a webhook, and the backoff between attempts."""
from __future__ import annotations

import json
from typing import Any

from imagegraphics.settings import Settings, get_settings
from imagegraphics.stores import aws


class DeliveryQueue:
    def __init__(self, queue_url: str, sqs: Any):
        self.queue_url = queue_url
        self.sqs = sqs

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "DeliveryQueue":
        settings = settings or get_settings()
        return cls(settings.webhook_queue_url, aws.client("sqs", settings))

    def send(self, message: dict[str, Any]) -> None:
        """Raises when SQS does not take it: the caller's own message is then retried."""
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message))

    def retry_in(self, receipt_handle: str, seconds: int) -> None:
        """The failed message comes back after `seconds` (SQS allows up to 12 hours), not after the
        queue's visibility timeout: the growing pause between attempts."""
        self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=receipt_handle,
                                           VisibilityTimeout=seconds)
