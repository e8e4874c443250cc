"""A job's webhook delivery, kept on the job's own record (`pk=JOB#<id>, sk=JOB`, webhook_* attributes):
its delivery id, whether its message was sent, and each attempt's answer."""
from __future__ import annotations

from botocore.exceptions import ClientError

from imagegraphics.stores import aws
from imagegraphics.stores.jobs import DELIVERED, Job, _job, _job_key


class JobWebhookStore(aws.TableStore):
    def delivery_id(self, job_id: int, candidate: str) -> str:
        """The job's delivery id: `candidate` unless one was chosen before (a retried notification)."""
        answer = self.dynamodb.update_item(
            TableName=self.table_name, Key=_job_key(job_id),
            UpdateExpression="SET webhook_delivery_id = if_not_exists(webhook_delivery_id, :id)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":id": {"S": candidate}}, ReturnValues="ALL_NEW")
        return answer["Attributes"]["webhook_delivery_id"]["S"]

    def mark_queued(self, job_id: int) -> None:
        self.dynamodb.update_item(
            TableName=self.table_name, Key=_job_key(job_id), UpdateExpression="SET webhook_queued = :yes",
            ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":yes": {"BOOL": True}})

    def record_attempt(self, job_id: int, *, status: str, http_status: int | None,
                       error: str | None) -> Job | None:
        """Count one delivery attempt and its answer. A delivery already DELIVERED stays so (an
        at-least-once duplicate that failed does not undo it); returns None then."""
        values = {":one": {"N": "1"}, ":status": {"S": status}, ":delivered": {"S": DELIVERED}}
        sets = ["webhook_status = :status"]
        removes = []
        for name, value in (("webhook_last_status", http_status), ("webhook_last_error", error)):
            if value is None:
                removes.append(name)
            else:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = aws.to_value(value)
        expression = "SET " + ", ".join(sets) + " ADD webhook_attempts :one"
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name, Key=_job_key(job_id), UpdateExpression=expression,
                ConditionExpression="attribute_exists(webhook_url) AND webhook_status <> :delivered",
                ExpressionAttributeValues=values, ReturnValues="ALL_NEW")
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                return None
            raise
        return _job(answer["Attributes"])
