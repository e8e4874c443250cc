"""The jobs queue: one message per asset, sent ten at a time."""
from __future__ import annotations

import json
from functools import lru_cache

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from imagegraphics.observability import logger
from imagegraphics.settings import Settings, get_settings

BATCH = 10  # SQS SendMessageBatch limit


@lru_cache(maxsize=4)
def _client(endpoint_url: str | None, region: str):
    return boto3.client("sqs", endpoint_url=endpoint_url, region_name=region)


class JobQueue:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.sqs = _client(self.settings.endpoint_url, self.settings.region)

    def send_all(self, messages: list[dict]) -> list[dict]:
        """Send every message; returns those that could not be sent (empty when all went)."""
        failed: list[dict] = []
        for start in range(0, len(messages), BATCH):
            chunk = messages[start:start + BATCH]
            entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
            try:
                answer = self.sqs.send_message_batch(QueueUrl=self.settings.jobs_queue_url, Entries=entries)
            except (BotoCoreError, ClientError):
                logger.exception("send_message_batch failed")
                failed.extend(chunk)
                continue
            failed.extend(chunk[int(f["Id"])] for f in answer.get("Failed", []))
        return failed
