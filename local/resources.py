"""Create template.yaml's tables, queues and bucket in moto (in-process or server), from the
template's own Properties, so tests and the local stack run on the deployed schema.

    names = create_resources(endpoint_url="http://127.0.0.1:5000")
    names["TABLE_NAME"], names["JOBS_QUEUE_URL"], names["queues"]["JobsQueue"], names["refs"]["Bucket"]
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from local.template import ROOT, TEMPLATE, load_template, ref_target

__all__ = ["ENVIRONMENT", "ROOT", "create_resources", "load_template", "resources_of_type"]

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account

# Environment variable → logical id whose Ref gives its value.
ENVIRONMENT = {
    "TABLE_NAME": "Table",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "BUCKET_NAME": "Bucket",
    "JOBS_QUEUE_URL": "JobsQueue",
    "INGEST_QUEUE_URL": "IngestQueue",
    "JOBS_DLQ_URL": "JobsDeadLetterQueue",
    "INGEST_DLQ_URL": "IngestDeadLetterQueue",
    "WEBHOOK_QUEUE_URL": "WebhookQueue",
    "WEBHOOK_DLQ_URL": "WebhookDeadLetterQueue",
    "FETCH_QUEUE_URL": "FetchQueue",
    "FETCH_DLQ_URL": "FetchDeadLetterQueue",
}
_QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds",
                     "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize")


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res.get("Properties", {}) for name, res in template["Resources"].items()
            if res.get("Type") == kind}


def create_resources(session_or_clients: Any = None, stack_name: str = "imagegraphics-local", *,
                     endpoint_url: str | None = None, template_path: Path | str = TEMPLATE,
                     region: str = REGION) -> dict[str, Any]:
    """Create every table, queue (DLQs and redrive first) and bucket (with its notifications).

    `session_or_clients` is a boto3 Session, a dict {"dynamodb", "sqs", "s3": client}, or None for a
    new session (aimed at `endpoint_url` when given). Returns the environment variables above as
    keys, plus "environment" (those variables), "refs" (logical id or parameter → what !Ref yields),
    "queues" (queue logical id → URL), "tables" and "buckets" (logical id → name).
    """
    clients = _clients(session_or_clients, endpoint_url, region)
    template = load_template(template_path)
    refs: dict[str, str] = {name: str(p["Default"]) for name, p in template.get("Parameters", {}).items()
                            if "Default" in p}
    arns: dict[str, str] = {}
    tables = _create_tables(clients["dynamodb"], template, stack_name)
    queues = _create_queues(clients["sqs"], template, stack_name, arns)
    buckets = _create_buckets(clients["s3"], template, stack_name, arns)
    refs.update(tables)
    refs.update(queues)
    refs.update(buckets)
    environment = {var: refs[logical] for var, logical in ENVIRONMENT.items() if logical in refs}
    return {**environment, "environment": environment, "refs": refs, "queues": queues,
            "tables": tables, "buckets": buckets}


def _clients(given: Any, endpoint_url: str | None, region: str) -> dict[str, Any]:
    if isinstance(given, dict):
        return given
    session = given or boto3.session.Session()
    return {service: session.client(service, region_name=region, endpoint_url=endpoint_url)
            for service in ("dynamodb", "sqs", "s3")}


def _physical(stack_name: str, logical_id: str) -> str:
    return f"{stack_name}-{logical_id}"


def _create_tables(dynamodb: Any, template: dict[str, Any], stack_name: str) -> dict[str, str]:
    names = {}
    for logical_id, props in resources_of_type(template, "AWS::DynamoDB::Table").items():
        name = _physical(stack_name, logical_id)
        args: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        for optional in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if optional in props:
                args[optional] = props[optional]
        dynamodb.create_table(**args)
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "Enabled": bool(ttl.get("Enabled", True)), "AttributeName": ttl["AttributeName"]})
        names[logical_id] = name
    return names


def _target(value: Any) -> str:
    target = ref_target(value)
    if target is None:
        raise ValueError(f"expected !GetAtt or !Ref, got {value!r}")
    return target


def _create_queues(sqs: Any, template: dict[str, Any], stack_name: str, arns: dict[str, str]) -> dict[str, str]:
    pending = resources_of_type(template, "AWS::SQS::Queue")
    urls: dict[str, str] = {}
    while pending:  # a dead-letter queue before the queues that redrive into it
        ready = [q for q, p in pending.items()
                 if "RedrivePolicy" not in p or _target(p["RedrivePolicy"]["deadLetterTargetArn"]) in urls]
        if not ready:
            raise ValueError(f"redrive policies form a cycle or name unknown queues: {sorted(pending)}")
        for logical_id in ready:
            props = pending.pop(logical_id)
            attributes = {k: str(props[k]) for k in _QUEUE_ATTRIBUTES if k in props}
            if "RedrivePolicy" in props:
                redrive = props["RedrivePolicy"]
                attributes["RedrivePolicy"] = json.dumps({
                    "deadLetterTargetArn": arns[_target(redrive["deadLetterTargetArn"])],
                    "maxReceiveCount": int(redrive["maxReceiveCount"]),
                })
            url = sqs.create_queue(QueueName=_physical(stack_name, logical_id), Attributes=attributes)["QueueUrl"]
            urls[logical_id] = url
            arns[logical_id] = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return urls


def _create_buckets(s3: Any, template: dict[str, Any], stack_name: str, arns: dict[str, str]) -> dict[str, str]:
    names = {}
    for logical_id, props in resources_of_type(template, "AWS::S3::Bucket").items():
        name = _physical(stack_name, logical_id).lower()
        s3.create_bucket(Bucket=name)
        cors = props.get("CorsConfiguration", {}).get("CorsRules")
        if cors:
            # Any origin locally: the demo page or a browser may be served from any port.
            rules = [{"AllowedMethods": r["AllowedMethods"], "AllowedOrigins": ["*"],
                      "AllowedHeaders": r.get("AllowedHeaders", []), "MaxAgeSeconds": int(r.get("MaxAge", 3000))}
                     for r in cors]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        queue_configs = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        if queue_configs:
            s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={
                "QueueConfigurations": [_queue_notification(c, arns) for c in queue_configs]})
        names[logical_id] = name
    return names


def _queue_notification(config: dict[str, Any], arns: dict[str, str]) -> dict[str, Any]:
    rules = config.get("Filter", {}).get("S3Key", {}).get("Rules", [])
    notification: dict[str, Any] = {"QueueArn": arns[_target(config["Queue"])], "Events": [config["Event"]]}
    if rules:
        notification["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
    return notification
