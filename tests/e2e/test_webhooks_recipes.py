"""Webhooks and recipes on the local stack: a receiver on 127.0.0.1, retries, dead letters, uploads with recipes."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import boto3
import pytest
import requests

from tests.e2e.support import upload_ready
from tests.receiver import Receiver, Trickler

pytestmark = pytest.mark.e2e

OPERATIONS = [{"bg_add": {"options": {"color": "#ffffff"}}}]
OPTIONS = {"size": {"width": 64, "height": 64}, "canvas": {"size": {"width": 80, "height": 80}},
           "disposition": {"add_as_conversion": True, "conversion_name": "white"}}


def _wait(predicate, timeout: float = 60, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def _secret(client) -> str:
    return client.call("GET", "/api/v1/webhooks/secret", expect=200).json()["secret"]


def _verified(secret: str, headers: dict, body: bytes) -> bool:
    """A receiver's check, with nothing but hmac: t=<unix seconds>,v1=HMAC-SHA256(secret, "<t>." + body)."""
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers["X-ImageGraphics-Signature"])
    expected = hmac.new(secret.encode(), match[1].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match[2]) and abs(time.time() - int(match[1])) < 300


def _job_with_webhook(alpha, portrait_bytes, url: str) -> int:
    source = upload_ready(alpha, "hooked.jpg", portrait_bytes, "image/jpeg")
    return alpha.submit({"assets": [{source: {"options": OPTIONS}}], "operations": OPERATIONS,
                         "webhook": {"url": url}})


def test_a_failing_receiver_is_retried_and_then_gets_the_signed_status(stack, alpha, portrait_bytes):
    with Receiver(answers=[500, 200]) as receiver:
        job_id = _job_with_webhook(alpha, portrait_bytes, receiver.url)
        webhook = _wait(lambda: (alpha.job(job_id).get("webhook") or {}).get("status") == "DELIVERED")
        status = alpha.job(job_id)
    assert webhook, status
    assert status["webhook"] == {"url": receiver.url, "status": "DELIVERED", "attempts": 2, "last_status": 200}
    first, second = receiver.received
    assert first.headers["X-ImageGraphics-Delivery"] == second.headers["X-ImageGraphics-Delivery"]
    assert second.headers["X-ImageGraphics-Event"] == "job.finished"
    secret = _secret(alpha)
    assert _verified(secret, second.headers, second.body) and _verified(secret, first.headers, first.body)
    delivered = json.loads(second.body)
    assert delivered["job_id"] == job_id and delivered["status"] == "OK"
    assert delivered["webhook"]["attempts"] == 1 and delivered["webhook"]["last_status"] == 500
    # The status POSTed is usable as sent: its output URL downloads the result.
    assert requests.get(delivered["output"][0]["url"], timeout=30).status_code == 200


def _sqs(stack):
    return boto3.client("sqs", endpoint_url=stack.endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_a_receiver_that_never_accepts_is_failed_and_dead_lettered(stack, alpha, portrait_bytes):
    with Receiver(answers=[503]) as receiver:
        job_id = _job_with_webhook(alpha, portrait_bytes, receiver.url)
        failed = _wait(lambda: (alpha.job(job_id).get("webhook") or {}).get("status") == "FAILED", timeout=120)
    assert failed, alpha.job(job_id)
    webhook = alpha.job(job_id)["webhook"]
    assert (webhook["attempts"], webhook["last_status"]) == (5, 503) and len(receiver.received) == 5
    sqs = _sqs(stack)
    dead = stack.resources["queues"]["WebhookDeadLetterQueue"]
    messages = _wait(lambda: sqs.receive_message(QueueUrl=dead, MaxNumberOfMessages=10,
                                                 WaitTimeSeconds=1).get("Messages"), timeout=30)
    assert [json.loads(m["Body"])["job_id"] for m in messages] == [job_id]


def test_secrets_are_per_tenant_and_rotate(alpha, beta):
    first = _secret(alpha)
    assert _secret(beta) != first and _secret(alpha) == first
    rotated = alpha.call("POST", "/api/v1/webhooks/secret/rotate", expect=200).json()["secret"]
    assert rotated != first and _secret(alpha) == rotated


def test_an_upload_with_a_recipe_runs_it_once_ready(stack, alpha, beta, portrait_bytes):
    recipe = {"operations": OPERATIONS, "options": OPTIONS}
    stored = alpha.call("PUT", "/api/v1/recipes/white-64", expect=200, json=recipe).json()
    assert stored["name"] == "white-64" and stored["operations"] == OPERATIONS
    assert beta.call("GET", "/api/v1/recipes/white-64").status_code == 404
    assert beta.call("POST", "/api/v1/assets", json={"filename": "a.jpg", "content_type": "image/jpeg",
                                                     "recipe": "white-64"}).status_code == 404
    created = alpha.call("POST", "/api/v1/assets", expect=201, json={
        "filename": "recipe.jpg", "content_type": "image/jpeg", "recipe": "white-64"}).json()
    form = created["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("recipe.jpg", portrait_bytes, "image/jpeg")},
                           timeout=60)
    assert posted.status_code in (200, 201, 204)
    asset = _wait(lambda: (lambda a: a if a.get("recipe_job_id") else None)(alpha.asset(created["asset_id"])))
    assert asset and asset["status"] == "READY" and asset["recipe"] == "white-64"
    status = alpha.wait_job(asset["recipe_job_id"], timeout=120)
    assert status["status"] == "OK", status
    assert [c["name"] for c in alpha.asset(created["asset_id"])["conversions"]] == ["white"]
    # The upload's notification delivered again: ingest starts no second job.
    sqs = _sqs(stack)
    ingest = stack.resources["queues"]["IngestQueue"]
    sqs.send_message(QueueUrl=ingest, MessageBody=json.dumps({"Records": [{
        "eventName": "ObjectCreated:Post", "s3": {"object": {"key": f"incoming/{created['asset_id']}"}}}]}))
    _wait(lambda: all(v == "0" for v in sqs.get_queue_attributes(
        QueueUrl=ingest, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"].values()))
    table = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing").Table(
        stack.resources["refs"]["Table"])
    # Each job's request is an item of its own beside the job's (sk=REQUEST).
    jobs = [item for item in table.scan()["Items"]
            if item["sk"] == "REQUEST" and created["asset_id"] in item.get("request", "")]
    assert [int(item["pk"].removeprefix("JOB#")) for item in jobs] == [asset["recipe_job_id"]]
    assert alpha.asset(created["asset_id"])["recipe_job_id"] == asset["recipe_job_id"]
    listed = alpha.call("GET", "/api/v1/recipes", expect=200).json()["recipes"]
    assert "white-64" in [r["name"] for r in listed]
    assert alpha.call("DELETE", "/api/v1/recipes/white-64").status_code == 204


@pytest.mark.parametrize("url", ["http://10.0.0.7:8080/hook", "http://[::1]:8080/hook", "https://169.254.169.254/",
                                 "http://192.168.1.20/hook", "ftp://127.0.0.1/hook"])
def test_the_local_stack_refuses_every_other_non_public_webhook(alpha, portrait, url):
    answer = alpha.call("POST", "/api/v1/assets/addons/image_graphics", json={
        "assets": [{portrait: {"options": OPTIONS}}], "operations": OPERATIONS, "webhook": {"url": url}})
    assert answer.status_code == 400
    assert [e["loc"] for e in answer.json()["errors"]] == [["webhook", "url"]]


def test_a_receiver_that_never_answers_costs_one_deadline_and_holds_up_no_other_tenant(alpha, beta, portrait_bytes):
    """alpha's receiver keeps the line open and says nothing; beta's job, finished after it, is
    delivered while alpha's attempt still waits, and alpha's attempt is recorded at its deadline."""
    with Trickler([(b"", None)]) as silent, Receiver() as receiver:
        stuck = _job_with_webhook(alpha, portrait_bytes, silent.url)
        _wait(lambda: alpha.job(stuck)["status"] != "QUEUED")
        started = time.monotonic()
        prompt = _job_with_webhook(beta, portrait_bytes, receiver.url)
        delivered = _wait(lambda: (beta.job(prompt).get("webhook") or {}).get("status") == "DELIVERED", timeout=30)
        beta_took = time.monotonic() - started
        recorded = _wait(lambda: (alpha.job(stuck).get("webhook") or {}).get("attempts", 0) >= 1, timeout=30)
    assert delivered and recorded
    assert beta_took < 9, beta_took  # not queued behind alpha's 10 s
    webhook = alpha.job(stuck)["webhook"]
    assert webhook["last_error"] == "no answer within 10 s" and webhook["status"] in ("PENDING", "FAILED")
