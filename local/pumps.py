"""Queue pumps: long-poll an SQS queue and call a function with batch events, as Lambda's poller does.

Records the function reports in `batchItemFailures` (or the whole batch, when it raises) are not
deleted: they come back after the visibility timeout and, past maxReceiveCount, moto's redrive moves
them to the dead-letter queue. Locally that timeout is shortened to `retry_after` seconds so a retry
does not take the template's production-sized visibility timeout.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from types import SimpleNamespace

from local.runtime import ACCOUNT, REGION, LambdaFunction
from local.template import FunctionSpec, QueueSource


def queue_arn(queue_url: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_url.rstrip('/').rsplit('/', 1)[1]}"


def _message_attributes(attrs: dict) -> dict:
    # SQS API spelling (StringValue) -> Lambda event spelling (stringValue).
    return {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in attrs.items()
    }


def sqs_event(messages: list[dict], queue_url: str) -> dict:
    arn = queue_arn(queue_url)
    return {"Records": [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": _message_attributes(m.get("MessageAttributes", {})),
            "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": REGION,
        }
        for m in messages
    ]}


def failed_ids(result, records: list[dict], report_failures: bool) -> set[str]:
    """Message ids Lambda would leave on the queue for this handler result."""
    all_ids = {r["messageId"] for r in records}
    if not report_failures or not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failed = set()
    for item in result["batchItemFailures"]:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if identifier not in all_ids:
            return all_ids  # an unknown or empty identifier fails the whole batch
        failed.add(identifier)
    return failed


class QueuePump(threading.Thread):
    def __init__(self, sqs, queue_url: str, source: QueueSource, function: LambdaFunction,
                 stop: threading.Event, retry_after: int = 5, wait_seconds: int = 1, busy_flag=None):
        super().__init__(name=f"pump-{function.spec.name}", daemon=True)
        self.sqs, self.queue_url, self.source, self.function = sqs, queue_url, source, function
        self.stop_event, self.retry_after, self.wait_seconds = stop, retry_after, wait_seconds
        self._busy = busy_flag if busy_flag is not None else SimpleNamespace(value=0)

    @property
    def busy(self) -> bool:
        return bool(self._busy.value)

    @busy.setter
    def busy(self, value: bool) -> None:
        self._busy.value = int(value)

    def stop(self) -> None:
        self.stop_event.set()

    def run(self, keep_going=lambda: True) -> None:
        while not self.stop_event.is_set() and keep_going():
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - the endpoint may be going away at shutdown
                if not self.stop_event.is_set():
                    traceback.print_exc(file=sys.stderr)
                    self.stop_event.wait(1)

    def poll_once(self) -> int:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=min(self.source.batch_size, 10),
            WaitTimeSeconds=self.wait_seconds, MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        self.busy = True
        try:
            self._deliver(messages)
        finally:
            self.busy = False
        return len(messages)

    def _deliver(self, messages: list[dict]) -> None:
        event = sqs_event(messages, self.queue_url)
        try:
            result = self.function.invoke(event)
            failed = failed_ids(result, event["Records"], self.source.report_failures)
        except Exception:  # noqa: BLE001 - a raising function fails the whole batch, as on Lambda
            traceback.print_exc(file=sys.stderr)
            failed = {r["messageId"] for r in event["Records"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start:start + 10])
            ])
        retry = [m for m in messages if m["MessageId"] in failed]
        if retry:
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.retry_after}
                for i, m in enumerate(retry)
            ])


class ProcessPump:
    """A pump in a child process of its own, for the processor: rendering holds the interpreter lock
    for much of its time, so pumps that share one process take turns instead of using the cores,
    while Lambda runs each instance on its own CPUs. Same start/stop/join/busy as QueuePump.
    """

    def __init__(self, endpoint: str, queue_url: str, source: QueueSource, spec: FunctionSpec,
                 retry_after: int = 5):
        context = multiprocessing.get_context("spawn")  # no fork: this process runs threads
        self._stop = context.Event()
        self._busy = context.Value("b", 0, lock=False)
        self._process = context.Process(
            target=_run_in_child, name=f"pump-{spec.name}", daemon=True,
            args=(endpoint, queue_url, source, spec, retry_after, self._stop, self._busy, os.getpid()))

    @property
    def busy(self) -> bool:
        return bool(self._busy.value)

    def start(self) -> None:
        self._process.start()

    def stop(self) -> None:
        self._stop.set()

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def join(self, timeout: float | None = 30) -> None:
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _run_in_child(endpoint: str, queue_url: str, source: QueueSource, spec: FunctionSpec, retry_after: int,
                  stop, busy, parent: int) -> None:
    import boto3

    # Ctrl-C reaches the whole process group; the parent decides when pumps stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION)
    pump = QueuePump(sqs, queue_url, source, LambdaFunction(spec), stop, retry_after, busy_flag=busy)
    pump.run(keep_going=lambda: os.getppid() == parent)  # ends with the parent, even a killed one
