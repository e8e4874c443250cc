"""At-least-once delivery: a job message that arrives twice changes nothing."""
from __future__ import annotations

import json
import time

import boto3
import pytest
from boto3.dynamodb.conditions import Attr

from tests.e2e.support import upload_ready

pytestmark = pytest.mark.e2e


def _aws(stack, service: str, kind: str = "client"):
    # Explicit endpoint and credentials: independent of whatever this process's environment holds.
    factory = boto3.resource if kind == "resource" else boto3.client
    return factory(service, endpoint_url=stack.endpoint, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")


def _wait_drained(sqs, queue_url: str, timeout: float = 60) -> None:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
        if all(attrs[n] == "0" for n in names):
            return
        time.sleep(0.2)
    raise AssertionError(f"{queue_url} still holds messages: {attrs}")


def test_duplicated_job_message_makes_one_output_and_counts_once(stack, alpha, portrait_bytes):
    source = upload_ready(alpha, "dup.jpg", portrait_bytes, "image/jpeg", {"title": "dup"})
    job_id = alpha.submit({
        "assets": [{source: {"options": {"disposition": {"create_asset": True}}}}],
        "operations": [{"bg_remove": {"options": {}}}],
    })
    sqs = _aws(stack, "sqs")
    jobs_queue = stack.resources["queues"]["JobsQueue"]
    message = json.dumps({"job_id": job_id, "tenant": "alpha", "index": 0, "asset_id": source})
    sqs.send_message(QueueUrl=jobs_queue, MessageBody=message)
    sqs.send_message(QueueUrl=jobs_queue, MessageBody=message)

    status = alpha.wait_job(job_id)
    _wait_drained(sqs, jobs_queue)
    status = alpha.job(job_id)
    assert status["status"] == "OK", status
    assert len(status["output"]) == 1 and status["error"] == []
    assert status["progress"] == {"total": 1, "done": 1, "succeeded": 1, "failed": 0}

    table = _aws(stack, "dynamodb", "resource").Table(stack.resources["refs"]["Table"])
    created = table.scan(FilterExpression=Attr("sk").eq("ASSET") & Attr("source_asset_id").eq(source))["Items"]
    assert [item["pk"] for item in created] == [f"ASSET#{status['output'][0]['asset_id']}"]
    dead = stack.resources["queues"]["JobsDeadLetterQueue"]
    _wait_drained(sqs, dead)


def test_an_asset_whose_file_is_deleted_stops_being_ready(stack, alpha, portrait_bytes):
    asset_id = upload_ready(alpha, "doomed.jpg", portrait_bytes, "image/jpeg")
    assert alpha.asset(asset_id)["url"]
    # Deleted behind the API's back: S3 notifies the ingest queue, whose pump runs the real handler.
    _aws(stack, "s3").delete_object(Bucket=stack.resources["refs"]["Bucket"], Key=f"incoming/{asset_id}")
    deadline = time.monotonic() + 30
    while (record := alpha.asset(asset_id))["status"] == "READY" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (record["status"], record["url"], record["reason"]) == ("REJECTED", None, "the stored file was deleted")
