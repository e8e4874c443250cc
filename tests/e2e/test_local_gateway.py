"""The local gateway and queue pumps behave like API Gateway and Lambda's SQS poller.

Driven with small stand-in handlers and template, so these checks do not depend on the service.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import pytest
import requests

from tests.e2e.standin import standin_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with standin_stack(tmp_path_factory.mktemp("standin")) as running:
        yield running


def _get(stack, path, **headers):
    return requests.get(stack.url + path, headers=headers, timeout=10)


def test_proxy_event_carries_route_params_and_authorizer_context(stack):
    resp = _get(stack, "/things/abc%20d?x=1&x=2&y=", Authorization="Bearer good")
    assert resp.status_code == 201 and resp.headers["X-Echo"] == "1"
    seen = resp.json()
    assert seen["resource"] == "/things/{thing_id}"
    assert seen["pathParameters"] == {"thing_id": "abc d"}
    assert seen["queryStringParameters"] == {"x": "2", "y": ""}
    assert seen["authorizer"] == {"tenant": "t1", "admin": "false", "n": "3", "principalId": "t1"}
    assert seen["stage"] == "test"
    assert seen["env"] == ["hello", stack.resources["queues"]["WorkQueue"]]
    assert 0 < seen["remaining"] <= 3000


def test_literal_route_wins_over_parameter(stack):
    assert _get(stack, "/things/special", Authorization="Bearer good").json()["resource"] == "/things/special"


def test_authorizer_outcomes_map_to_api_gateway_statuses(stack):
    assert _get(stack, "/things/a").status_code == 401
    assert _get(stack, "/things/a", Authorization="Bearer nope").json() == {"message": "Unauthorized"}
    denied = _get(stack, "/things/a", Authorization="Bearer deny")
    assert denied.status_code == 403 and "explicit deny" in denied.json()["Message"]


def test_unknown_route_crash_and_open_route(stack):
    assert _get(stack, "/nowhere", Authorization="Bearer good").status_code == 404
    assert _get(stack, "/things/crash", Authorization="Bearer good").status_code == 502
    resp = requests.post(stack.url + "/open", data=b"\xff\x00", timeout=10)
    assert resp.status_code == 201
    assert resp.json()["authorizer"] is None and resp.json()["isBase64Encoded"] is True


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_pump_deletes_successes_and_redrives_failures_to_the_dead_letter_queue(stack):
    sqs = boto3.client("sqs", endpoint_url=stack.endpoint, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    sqs.send_message(QueueUrl=stack.resources["queues"]["WorkQueue"], MessageBody="ok")
    sqs.send_message(QueueUrl=stack.resources["queues"]["WorkQueue"], MessageBody="fail")
    deadline = time.monotonic() + 30
    while "fail" not in _lines(stack.root / "dead.log") and time.monotonic() < deadline:
        time.sleep(0.2)
    work = [json.loads(line) for line in _lines(stack.root / "work.log")]
    assert [w["count"] for w in work if w["body"] == "ok"] == ["1"]
    assert [w["count"] for w in work if w["body"] == "fail"] == ["1", "2"]
    assert work[0]["arn"] == "arn:aws:sqs:us-east-1:123456789012:work"
    assert _lines(stack.root / "dead.log") == ["fail"]
