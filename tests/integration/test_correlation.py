"""One correlation id, API Gateway's request id, in every log line from the authorizer to the processor."""
from __future__ import annotations

import io
import json
import logging

import pytest
from integration_support import canvas_request, frame_png, png, submit

from imagegraphics.observability import logger
from imagegraphics.settings import get_settings
from tests.receiver import Receiver

REQUEST_ID = "bd4626ba-a68c-435f-9d0a-ea89ba32fde0"  # the sample submit event's requestContext.requestId


class Lines:
    """The functions' log lines, as Powertools writes them (JSON), from now on."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logger.registered_formatter)

    def take(self) -> list[dict]:
        lines = [json.loads(line) for line in self.stream.getvalue().splitlines()]
        self.stream.seek(0)
        self.stream.truncate()
        return lines


@pytest.fixture
def log_lines():
    lines = Lines()
    logger.addHandler(lines.handler)
    yield lines
    logger.removeHandler(lines.handler)


def _lines(log_lines: Lines) -> list[dict]:
    return log_lines.take()


def test_the_authorizer_logs_under_the_requests_id(stack, log_lines):
    event = stack.event("authorizer_request_unknown_key")
    with pytest.raises(Exception, match="Unauthorized"):  # API Gateway's way: it answers 401
        stack.invoke("authorizer", event)
    lines = _lines(log_lines)
    assert lines and {line.get("correlation_id") for line in lines} == {event["requestContext"]["requestId"]}


def test_a_submitted_job_is_logged_under_the_submit_requests_id_through_the_processor(stack, log_lines):
    ids = {"asset": stack.ready("dev", png((64, 48))), "border": stack.ready("dev", frame_png())}
    job_id = submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"]))
    [message] = stack.job_messages()
    event = stack.event("sqs_job_message", ids=ids, job_id=job_id)
    event["Records"][0]["body"] = message["Body"]  # the message the submit queued, as the queue hands it over
    log_lines.take()
    assert stack.invoke("processor", event) == {"batchItemFailures": []}
    lines = _lines(log_lines)
    assert any(line["message"] == "asset processed" for line in lines), lines
    assert {line.get("correlation_id") for line in lines} == {REQUEST_ID}
    # The next message, one queued before ids were carried, carries no stale id.
    body = json.loads(message["Body"])
    del body["request_id"]
    event["Records"][0]["body"] = json.dumps(body)
    stack.invoke("processor", event)
    assert all("correlation_id" not in line for line in _lines(log_lines))


def test_the_dead_letter_function_logs_under_the_messages_request_id(stack, log_lines):
    ids = {"asset": stack.ready("dev", png((64, 48)))}
    job_id = stack.jobs.create_job("dev", {"assets": []}, total=1).job_id
    log_lines.take()
    stack.invoke("deadletter", stack.event("sqs_job_dlq_message", ids=ids, job_id=job_id))
    lines = _lines(log_lines)
    assert lines and {line.get("correlation_id") for line in lines} == {REQUEST_ID}


def _as_queued(event: dict, message: dict) -> dict:
    event["Records"][0].update(body=message["Body"], receiptHandle=message["ReceiptHandle"])
    return event


def test_the_webhook_function_logs_under_the_jobs_request_id(stack, log_lines, monkeypatch):
    monkeypatch.setenv("LOCAL_WEBHOOK_LOOPBACK", "1")  # the receiver below listens on 127.0.0.1
    get_settings.cache_clear()
    ids = {"asset": stack.ready("dev", png((64, 48))), "border": stack.ready("dev", frame_png())}
    with Receiver() as receiver:
        body = {**canvas_request(ids["asset"], ids["border"]), "webhook": {"url": receiver.url}}
        job_id = submit(stack, "apigw_submit_full_flow", ids, body)
        [message] = stack.queue_messages("JOBS_QUEUE_URL")
        stack.invoke("processor", _as_queued(stack.event("sqs_job_message", ids=ids, job_id=job_id), message))
        [delivery] = stack.queue_messages("WEBHOOK_QUEUE_URL")
        assert json.loads(delivery["Body"])["request_id"] == REQUEST_ID  # the processor passed it on
        log_lines.take()
        assert stack.invoke("webhook", _as_queued(stack.event("sqs_webhook_message"), delivery)) == {
            "batchItemFailures": []}
        lines = _lines(log_lines)
        assert any(line["message"] == "webhook delivered" for line in lines), lines
        assert {line.get("correlation_id") for line in lines} == {REQUEST_ID}
        assert len(receiver.received) == 1
        # A message queued before ids were carried (for a job since gone): logged without one, not
        # under the last message's.
        old = {**json.loads(delivery["Body"]), "job_id": job_id + 1000}
        del old["request_id"]
        event = stack.event("sqs_webhook_message")
        event["Records"][0]["body"] = json.dumps(old)
        stack.invoke("webhook", event)
    lines = _lines(log_lines)
    assert lines and all("correlation_id" not in line for line in lines)


def _recipe_upload(stack, through_route: bool) -> str:
    """An upload created with a recipe: through the assets route, or recorded without a request's id."""
    border = stack.ready("dev", frame_png())
    recipe = {"operations": [{"border_add": {"options": {"image_id": border}}}],
              "options": {"canvas": {"size": {"width": 40, "height": 30}, "color": "#00ff00"}}}
    event = stack.event("apigw_put_recipe")
    event["pathParameters"], event["path"] = {"name": "framed"}, "/api/v1/recipes/framed"
    event["body"] = json.dumps(recipe)
    assert stack.respond("tenant", event)[0] in (200, 201)
    if through_route:
        event = stack.event("apigw_post_asset_with_recipe")
        event["body"] = json.dumps({**json.loads(event["body"]), "recipe": "framed"})
        code, created = stack.respond("assets", event)
        assert code == 201, created
        asset_id = created["asset_id"]
    else:
        asset_id = stack.assets.create_pending("dev", filename="a.png", content_type="image/png",
                                               recipe="framed").asset_id
    stack.blobs.put_bytes(f"incoming/{asset_id}", png((60, 40)), "image/png")
    return asset_id


@pytest.mark.parametrize("through_route", [True, False], ids=["asset-request", "upload"])
def test_a_recipes_job_carries_the_asset_requests_id_or_else_the_uploads(stack, log_lines, through_route):
    asset_id = _recipe_upload(stack, through_route)
    plain = stack.uploaded("dev", png((30, 20)))  # the notification's second upload: no recipe
    event = stack.event("sqs_s3_object_created", ids={"asset": asset_id, "background": plain})
    upload_request = json.loads(event["Records"][0]["body"])["Records"][0]["responseElements"]["x-amz-request-id"]
    expected = (stack.event("apigw_post_asset_with_recipe")["requestContext"]["requestId"] if through_route
                else f"ingest-{upload_request}")
    log_lines.take()
    assert stack.invoke("ingest", event) == {"batchItemFailures": []}
    [message] = stack.queue_messages("JOBS_QUEUE_URL")
    assert json.loads(message["Body"])["request_id"] == expected  # the processor and the webhook follow it
    lines = _lines(log_lines)
    [started] = [line for line in lines if line["message"] == "recipe job started"]
    assert started["correlation_id"] == expected
    # Ingest's own lines belong to no request, the next upload's included: the id ends with the recipe.
    ready = [line for line in lines if line["message"] == "asset ready"]
    assert [line["asset_id"] for line in ready] == [asset_id, plain]
    assert all("correlation_id" not in line for line in ready)
