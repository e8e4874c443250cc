"""Webhooks through the handlers: queued once when a job finishes, POSTed signed, retried, FAILED at last."""
from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
from integration_support import process, status, submit

from imagegraphics.settings import get_settings
from tests.receiver import Receiver


@pytest.fixture
def loopback(stack, monkeypatch):
    """As the local stack runs: webhooks may reach a receiver on 127.0.0.1."""
    monkeypatch.setenv("LOCAL_WEBHOOK_LOOPBACK", "1")
    get_settings.cache_clear()


def _request(asset: str, url: str) -> dict:
    return {"assets": [{asset: {"options": {"canvas": {"size": {"width": 40, "height": 30}, "color": "#00ff00"}}}}],
            "operations": [{"border_add": {"options": {"image_id": asset}}}], "webhook": {"url": url}}


def _webhook_messages(stack) -> list[dict]:
    return stack.queue_messages("WEBHOOK_QUEUE_URL")


def _deliver(stack, message: dict, receive_count: int = 1) -> dict:
    event = stack.event("sqs_webhook_message")
    record = event["Records"][0]
    record.update(body=message["Body"], receiptHandle=message["ReceiptHandle"])
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    return stack.invoke("webhook", event)


def _secret(stack, tenant: str = "dev") -> str:
    code, body = stack.call("tenant", "apigw_get_webhook_secret", tenant=tenant)
    assert code == 200, body
    return body["secret"]


def _finished_job(stack, url: str) -> tuple[int, dict]:
    asset = stack.ready("dev")
    job_id = submit(stack, "apigw_submit_remove_conversion", {"asset": asset}, _request(asset, url))
    stack.job_messages()  # the jobs queue's message: processed by hand below
    process(stack, job_id, {"asset": asset})
    [message] = _webhook_messages(stack)
    return job_id, message


def test_a_finished_job_is_posted_once_signed_with_the_tenants_secret(stack, loopback):
    with Receiver() as receiver:
        job_id, message = _finished_job(stack, receiver.url)
        assert status(stack, job_id)["webhook"] == {"url": receiver.url, "status": "PENDING", "attempts": 0,
                                                    "last_status": None}
        assert _deliver(stack, message) == {"batchItemFailures": []}
    [got] = receiver.received
    assert got.path == "/hooks/imagegraphics"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-ImageGraphics-Event"] == "job.finished"
    assert got.headers["X-ImageGraphics-Delivery"] == json.loads(message["Body"])["delivery_id"]
    # Verified the way a receiver would, with hmac alone: t=<unix seconds>,v1=<hex of HMAC-SHA256("<t>." + body)>.
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", got.headers["X-ImageGraphics-Signature"])
    assert match, got.headers["X-ImageGraphics-Signature"]
    expected = hmac.new(_secret(stack).encode(), match[1].encode() + b"." + got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, match[2])
    # The body is the job's status, as GET .../jobs/{id} answered at the time of the attempt.
    body = json.loads(got.body)
    assert body["job_id"] == job_id and body["status"] == "OK" and len(body["output"]) == 1
    assert body["webhook"]["status"] == "PENDING"
    assert status(stack, job_id)["webhook"] == {"url": receiver.url, "status": "DELIVERED", "attempts": 1,
                                                "last_status": 200}


def test_a_redelivered_job_message_queues_no_second_webhook(stack, loopback):
    with Receiver() as receiver:
        job_id, message = _finished_job(stack, receiver.url)
        stack.clear_idempotency()  # as if the processor's record had expired: the job store still knows
        asset = stack.jobs.payload(stack.jobs.get_job("dev", job_id))["assets"][0]
        process(stack, job_id, {"asset": next(iter(asset))})
        assert _webhook_messages(stack) == []
        _deliver(stack, message)
        assert _deliver(stack, message) == {"batchItemFailures": []}  # a duplicate: DELIVERED already
    assert len(receiver.received) == 1


def test_a_refusing_receiver_is_retried_with_backoff_until_it_answers(stack, loopback):
    with Receiver(answers=[500, 200]) as receiver:
        job_id, message = _finished_job(stack, receiver.url)
        failed = _deliver(stack, message, receive_count=1)
        assert failed == {"batchItemFailures": [{"itemIdentifier": "2f1c9a0e-6a53-4c8e-9a57-0d3b7c2e9f41"}]}
        assert status(stack, job_id)["webhook"] == {
            "url": receiver.url, "status": "PENDING", "attempts": 1, "last_status": 500,
            "last_error": "the receiver answered HTTP 500"}
        # The backoff set the message's visibility (60 s): not receivable again now.
        assert _webhook_messages(stack) == []
        assert _deliver(stack, message, receive_count=2) == {"batchItemFailures": []}
    assert status(stack, job_id)["webhook"] == {"url": receiver.url, "status": "DELIVERED", "attempts": 2,
                                                "last_status": 200}
    first, second = receiver.received
    assert first.headers["X-ImageGraphics-Delivery"] == second.headers["X-ImageGraphics-Delivery"]


def test_the_last_failed_attempt_marks_the_webhook_failed(stack, loopback):
    attempts = get_settings().webhook_max_attempts
    with Receiver(answers=[502]) as receiver:
        job_id, message = _finished_job(stack, receiver.url)
        for attempt in range(1, attempts + 1):
            assert _deliver(stack, message, receive_count=attempt)["batchItemFailures"]
            expected = "FAILED" if attempt == attempts else "PENDING"
            assert status(stack, job_id)["webhook"]["status"] == expected
    assert status(stack, job_id)["webhook"] == {
        "url": receiver.url, "status": "FAILED", "attempts": attempts, "last_status": 502,
        "last_error": "the receiver answered HTTP 502"}
    assert len(receiver.received) == attempts


def test_an_unreachable_receiver_is_a_failed_attempt_without_a_status(stack, loopback):
    with Receiver() as receiver:
        url = receiver.url
    job_id, message = _finished_job(stack, url)  # nothing listens there any more
    assert _deliver(stack, message)["batchItemFailures"]
    webhook = status(stack, job_id)["webhook"]
    assert (webhook["status"], webhook["attempts"], webhook["last_status"]) == ("PENDING", 1, None)
    assert "ConnectionRefusedError" in webhook["last_error"]


@pytest.mark.parametrize("url, rule", [
    ("http://hooks.example.com/x", "must be an https URL"),
    ("https://127.0.0.1:8443/x", "127.0.0.1 is not a public address"),
    ("https://localhost/x", "localhost is a loopback name"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is not a public address"),
    ("https://[::ffff:10.0.0.1]/x", "10.0.0.1 (inside ::ffff:a00:1) is not a public address"),
    ("https://user:pw@hooks.example.com/x", "must not carry credentials"),
    ("http://127.0.0.1:9000/x", "must be an https URL"),  # only the local stack allows it
])
def test_webhook_urls_that_could_reach_our_network_are_400_at_submit(stack, url, rule):
    asset = stack.ready("dev")
    event = stack.event("apigw_submit_remove_conversion", ids={"asset": asset})
    event["body"] = json.dumps(_request(asset, url))
    code, body = stack.respond("submit", event)
    assert code == 400, body
    [error] = body["errors"]
    assert error["loc"] == ["webhook", "url"] and rule in error["msg"]
    assert stack.count_items("JOB#") == 0


def test_the_local_stack_allows_a_receiver_on_this_machine_and_nothing_else_private(stack, loopback):
    asset = stack.ready("dev")
    for url, code in (("http://127.0.0.1:9000/x", 200), ("http://localhost:9000/x", 200),
                      ("http://10.0.0.7:9000/x", 400), ("http://[::1]:9000/x", 400), ("https://192.168.1.1/", 400)):
        event = stack.event("apigw_submit_remove_conversion", ids={"asset": asset})
        event["body"] = json.dumps(_request(asset, url))
        assert stack.respond("submit", event)[0] == code, url


def test_a_url_whose_name_resolves_to_a_private_address_is_refused_at_delivery(stack, loopback, monkeypatch):
    import socket

    with Receiver() as receiver:
        job_id, message = _finished_job(stack, receiver.url)
    stack.jobs.dynamodb.update_item(  # as if submitted with a name that DNS now answers privately
        TableName=stack.resources["TABLE_NAME"], Key={"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "JOB"}},
        UpdateExpression="SET webhook_url = :u", ExpressionAttributeValues={":u": {"S": "https://hooks.example.com/x"}})
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert _deliver(stack, message)["batchItemFailures"]
    webhook = status(stack, job_id)["webhook"]
    assert webhook["last_status"] is None and "10.1.2.3 is not a public address" in webhook["last_error"]


def test_secret_is_stable_rotates_and_belongs_to_one_tenant(stack):
    first = _secret(stack, "dev")
    assert first.startswith("whsec_") and _secret(stack, "dev") == first
    other = _secret(stack, "acme")
    assert other != first
    code, rotated = stack.call("tenant", "apigw_rotate_webhook_secret", tenant="dev")
    assert code == 200 and rotated["secret"] not in (first, other)
    assert _secret(stack, "dev") == rotated["secret"] and _secret(stack, "acme") == other


def test_secret_routes_check_their_scopes(stack):
    for name, scope in (("apigw_get_webhook_secret", "webhooks:read"), ("apigw_rotate_webhook_secret", "webhooks:write")):
        event = stack.event(name)
        event["requestContext"]["authorizer"]["scopes"] = "jobs:read jobs:write"
        code, body = stack.respond("tenant", event)
        assert code == 403 and scope in body["message"]


def test_a_job_finished_by_its_dead_letter_queues_its_webhook(stack, loopback):
    asset = stack.ready("dev")
    job_id = submit(stack, "apigw_submit_remove_conversion", {"asset": asset}, _request(asset, "http://127.0.0.1:9/x"))
    stack.job_messages()
    stack.invoke("deadletter", stack.event("sqs_job_dlq_message", ids={"asset": asset}, job_id=job_id))
    assert status(stack, job_id)["status"] == "ERROR"
    [message] = _webhook_messages(stack)
    assert json.loads(message["Body"])["job_id"] == job_id


def test_a_webhook_the_queue_refused_is_queued_when_the_job_message_is_retried(stack, loopback, monkeypatch):
    from imagegraphics.stores.deliveries import DeliveryQueue

    asset = stack.ready("dev")
    job_id = submit(stack, "apigw_submit_remove_conversion", {"asset": asset},
                    _request(asset, "http://127.0.0.1:9/x"))
    stack.job_messages()

    def refuse(self, message):
        raise RuntimeError("SQS unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(DeliveryQueue, "send", refuse)
        with pytest.raises(Exception, match="failed processing"):  # the job message goes back to the queue
            process(stack, job_id, {"asset": asset})
    assert status(stack, job_id)["status"] == "OK" and _webhook_messages(stack) == []
    process(stack, job_id, {"asset": asset})  # its retry: the job is finished, its webhook not yet queued
    [message] = _webhook_messages(stack)
    assert json.loads(message["Body"])["job_id"] == job_id
    process(stack, job_id, {"asset": asset})  # and once queued, never again
    assert _webhook_messages(stack) == []
