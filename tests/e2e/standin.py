"""A stand-in service for the local stack's own tests: a small template and handlers (an echo route,
an SQS worker), so checks of the gateway and the pumps do not depend on the real service."""
from __future__ import annotations

import json
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import boto3
import pytest

from local import bootstrap
from local.stack import Stack

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
            return {"statusCode": 201, "headers": {"X-Echo": "1", "Content-Type": "application/json"},
                    "body": json.dumps(out)}
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


def _create(endpoint: str, template: Path, parameters: dict[str, str] | None = None) -> dict:
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    work = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "60", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    return {"queues": {"WorkQueue": work, "WorkDLQ": dlq}, "refs": {"WorkQueue": work}, "cors": {}}


@contextmanager
def standin_stack(root: Path) -> Iterator[Stack]:
    """The local stack on the stand-in template, in this process; `.root` holds the handlers' logs."""
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
    try:
        with Stack(port=0, template=root / "template.yaml", sources=sources, retry_after=1) as running:
            running.root = root
            yield running
    finally:
        mp.undo()
