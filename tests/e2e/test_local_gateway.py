"""The local gateway and queue pumps behave like API Gateway and Lambda's SQS poller.

Driven with small stand-in handlers and template, so these checks do not depend on the service.
"""
from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import boto3
import pytest
import requests

from local import bootstrap
from local.stack import Stack

pytestmark = pytest.mark.e2e

TEMPLATE = """
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: test
      Auth:
        DefaultAuthorizer: Keys
        Authorizers:
          Keys:
            FunctionArn: !GetAtt AuthorizerFunction.Arn
            FunctionPayloadType: REQUEST
  AuthorizerFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: functions/authorizer/, Handler: app.lambda_handler}
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo/
      Handler: app.lambda_handler
      Environment: {Variables: {WORK_QUEUE_URL: !Ref WorkQueue, GREETING: hello}}
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/things/{thing_id}", Method: get}}
        List: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /things/special, Method: get}}
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /open, Method: post, Auth: {Authorizer: NONE}}}
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: app.lambda_handler
      Events:
        Work:
          Type: SQS
          Properties: {Queue: !GetAtt WorkQueue.Arn, BatchSize: 5, FunctionResponseTypes: [ReportBatchItemFailures]}
  DeadFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/dead/
      Handler: app.lambda_handler
      Events:
        Dead: {Type: SQS, Properties: {Queue: !GetAtt WorkDLQ.Arn}}
"""

HANDLERS = {
    "authorizer": """
        def lambda_handler(event, context):
            token = (event["headers"] or {}).get("Authorization", "")
            if token not in ("Bearer good", "Bearer deny"):
                raise Exception("Unauthorized")
            effect = "Allow" if token == "Bearer good" else "Deny"
            return {"principalId": "t1", "context": {"tenant": "t1", "admin": False, "n": 3},
                    "policyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
    """,
    "echo": """
        import json, os
        def lambda_handler(event, context):
            if (event["pathParameters"] or {}).get("thing_id") == "crash":
                raise RuntimeError("boom")
            out = {k: event[k] for k in ("resource", "path", "httpMethod", "pathParameters",
                                         "queryStringParameters", "body", "isBase64Encoded")}
            out["authorizer"] = event["requestContext"].get("authorizer")
            out["stage"] = event["requestContext"]["stage"]
            out["env"] = [os.environ.get("GREETING"), os.environ.get("WORK_QUEUE_URL")]
            out["remaining"] = context.get_remaining_time_in_millis()
            return {"statusCode": 201, "headers": {"X-Echo": "1"}, "body": json.dumps(out)}
    """,
    "worker": """
        import json, os
        def lambda_handler(event, context):
            failures = []
            for r in event["Records"]:
                with open(os.environ["WORK_LOG"], "a") as fh:
                    fh.write(json.dumps({"body": r["body"], "count": r["attributes"]["ApproximateReceiveCount"],
                                         "arn": r["eventSourceARN"]}) + "\\n")
                if r["body"] == "fail":
                    failures.append({"itemIdentifier": r["messageId"]})
            return {"batchItemFailures": failures}
    """,
    "dead": """
        import os
        def lambda_handler(event, context):
            with open(os.environ["DEAD_LOG"], "a") as fh:
                for r in event["Records"]:
                    fh.write(r["body"] + "\\n")
    """,
}


def _create(endpoint: str, template: Path) -> dict:
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    work = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "60", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    return {"queues": {"WorkQueue": work, "WorkDLQ": dlq}, "refs": {"WorkQueue": work}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("standin")
    (root / "template.yaml").write_text(TEMPLATE)
    sources = {}
    for name, code in HANDLERS.items():
        (root / f"{name}.py").write_text(textwrap.dedent(code))
        sources[name] = root / f"{name}.py"
    mp = pytest.MonkeyPatch()
    mp.setattr(bootstrap, "create", _create)
    mp.setattr(bootstrap, "seed_keys", lambda keys: None)
    mp.setenv("WORK_LOG", str(root / "work.log"))
    mp.setenv("DEAD_LOG", str(root / "dead.log"))
    with Stack(port=0, template=root / "template.yaml", sources=sources, retry_after=1) as running:
        running.root = root
        yield running
    mp.undo()


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
    assert _get(stack, "/nowhere", Authorization="Bearer good").status_code == 403
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
