"""The jobs queue: one message per asset, sent ten at a time."""
from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegraphics.observability import logger
from imagegraphics.settings import Settings, get_settings
from imagegraphics.stores import aws

BATCH = 10  # SQS SendMessageBatch limit


class JobQueueStore:
    def __init__(self, queue_url: str, sqs: Any):
        self.queue_url = queue_url
        self.sqs = sqs

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "JobQueueStore":
        settings = settings or get_settings()
        return cls(settings.jobs_queue_url, aws.client("sqs", settings))

    def send_all(self, messages: list[dict]) -> list[dict]:
        """Send every message (JSON bodies); returns those that could not be sent (empty when all went).

        A batch that fails as a whole is reported, not raised: the caller records its assets as failed.
        """
        failed: list[dict] = []
        for start in range(0, len(messages), BATCH):
            chunk = messages[start:start + BATCH]
            entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
            try:
                answer = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except (BotoCoreError, ClientError):
                logger.exception("send_message_batch failed")
                failed.extend(chunk)
                continue
            failed.extend(chunk[int(f["Id"])] for f in answer.get("Failed", []))
        return failed
