"""Jobs: an integer id from an atomic counter, one item per asset, and a finish that happens once.

`pk=JOB#<id>, sk=JOB` holds the job and its counts; `sk=REQUEST` the submitted request, written once
with the job; `sk=ITEM#<index:05d>` the outcome of each asset. The request lives apart because every
asset's outcome updates the job item, and DynamoDB charges a write by the item's whole size: a
1,000-asset request (up to 256 KB) on the job item would cost up to 256 write units per asset, and
one item takes at most 1,000 a second. (Jobs stored before the split keep `request` on the job item.)
Recording an outcome writes the item only if absent, then moves the counts in one conditional update
that remembers the index (`counted`), so a redelivered message neither counts twice nor, when the
first attempt stopped between the two writes, leaves the counts behind the items.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Literal

from botocore.exceptions import ClientError

from imagegraphics.errors import Conflict, NotFound
from imagegraphics.settings import Settings, get_settings
from imagegraphics.stores import aws

QUEUED, OK, ERROR = "QUEUED", "OK", "ERROR"
# Webhook delivery states (job.webhook_status)
PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"
NOT_QUEUED = "the asset could not be queued for processing"
MAX_ERROR_CHARS = 1000  # of one asset's error message: 1,000 assets of them stay ~1 MB in the job's status
_COUNTER_KEY = {"pk": {"S": "COUNTER"}, "sk": {"S": "JOB"}}


@dataclass(frozen=True)
class Job:
    job_id: int
    tenant: str
    status: str
    total: int
    remaining: int
    succeeded: int
    failed: int
    created_at: str
    finished_at: str | None = None
    expires_at: int | None = None
    # The request's webhook, when it named one: where and how its delivery went.
    webhook_url: str | None = None
    webhook_status: str | None = None  # PENDING until delivered, or FAILED after the last attempt
    webhook_attempts: int = 0
    webhook_last_status: int | None = None  # the receiver's HTTP status on the last attempt
    webhook_last_error: str | None = None  # why the last attempt failed, when it did
    webhook_delivery_id: str | None = None  # X-ImageGraphics-Delivery, the same on every attempt
    webhook_queued: bool = False  # the delivery message has been sent
    # The submitted JSON, as received: on jobs stored before it moved to its own item, and on the
    # job create_job returns; JobStore.payload reads it either way.
    request: str | None = None


@dataclass(frozen=True)
class JobItem:
    job_id: int
    index: int
    asset_id: str
    outcome: str  # OK / ERROR
    name: str | None = None
    output_asset_id: str | None = None
    s3_key: str | None = None
    error: str | None = None
    error_status: int | None = None  # HTTP-style status of the failure (422: the image, 404: missing...)
    error_code: str | None = None  # a stable machine name where one exists (unknown_foreground)
    created_at: str = ""


@dataclass(frozen=True)
class RecordResult:
    recorded: bool  # False when this outcome had been recorded before (a redelivery)
    job: Job  # the job after recording (and finishing, when this was the last asset)


def _job_key(job_id: int) -> dict[str, Any]:
    return {"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "JOB"}}


def _request_key(job_id: int) -> dict[str, Any]:
    return {"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "REQUEST"}}


def _item_key(job_id: int, index: int) -> dict[str, Any]:
    return {"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": f"ITEM#{index:05d}"}}


def list_partition(tenant: str) -> str:
    """The tenant's jobs in the Lists index, newest first (`lsk` = created_at, then the zero-padded id)."""
    return f"TENANT#{tenant}#JOB"


def _cancelled_by_condition(exc: ClientError) -> bool:
    """A transaction cancelled because a condition failed (TransactWriteItems' form of it)."""
    if aws.is_condition_failure(exc):
        return True
    reasons = exc.response.get("CancellationReasons") or []
    return aws.error_code(exc) == "TransactionCanceledException" and any(
        r.get("Code") == "ConditionalCheckFailed" for r in reasons)


def _job(item: dict[str, Any]) -> Job:
    v = aws.from_item(item)
    return Job(**{k: v.get(k) for k in Job.__dataclass_fields__ if k in v})


class JobStore:
    def __init__(self, table_name: str, dynamodb: Any, ttl_days: int = 30):
        self.table_name = table_name
        self.dynamodb = dynamodb
        self.ttl_days = ttl_days

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "JobStore":
        settings = settings or get_settings()
        return cls(settings.table_name, aws.client("dynamodb", settings), settings.job_ttl_days)

    def next_job_id(self) -> int:
        answer = self.dynamodb.update_item(
            TableName=self.table_name, Key=_COUNTER_KEY, UpdateExpression="ADD #v :one",
            ExpressionAttributeNames={"#v": "value"}, ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["value"]["N"])

    def create_job(self, tenant: str, request: dict[str, Any] | str, total: int,
                   job_id: int | None = None, webhook_url: str | None = None) -> Job:
        """A QUEUED job expecting `total` asset outcomes; its id comes from the counter by default.
        With `webhook_url`, its delivery starts PENDING."""
        if total < 1:
            raise ValueError("a job needs at least one asset")
        job = Job(job_id=job_id if job_id is not None else self.next_job_id(), tenant=tenant,
                  status=QUEUED, request=request if isinstance(request, str) else json.dumps(request),
                  total=total, remaining=total, succeeded=0, failed=0, created_at=aws.now_iso(),
                  expires_at=aws.now_epoch() + self.ttl_days * 86400, webhook_url=webhook_url,
                  webhook_status=PENDING if webhook_url else None)
        values = {k: getattr(job, k) for k in Job.__dataclass_fields__ if k != "request"}
        listed = {"lpk": list_partition(tenant), "lsk": f"{job.created_at}#{job.job_id:020d}"}
        request_item = {"tenant": job.tenant, "request": job.request, "expires_at": job.expires_at}
        new = "attribute_not_exists(pk)"
        try:  # both or neither: a job whose request is missing could never be processed
            self.dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table_name,
                         "Item": {**_job_key(job.job_id), **aws.to_item({**values, **listed})},
                         "ConditionExpression": new}},
                {"Put": {"TableName": self.table_name,
                         "Item": {**_request_key(job.job_id), **aws.to_item(request_item)},
                         "ConditionExpression": new}},
            ])
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                raise Conflict(f"job {job.job_id} already exists") from None
            raise
        return job

    def payload(self, job: Job) -> dict[str, Any]:
        """The job's submitted request, as a JSON object."""
        if job.request is not None:
            return json.loads(job.request)
        item = self.dynamodb.get_item(TableName=self.table_name, Key=_request_key(job.job_id),
                                      ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"job {job.job_id} has no stored request")
        return json.loads(item["request"]["S"])

    def find_job(self, job_id: int) -> Job | None:
        """The job whoever owns it; for internal callers (processor, dead-letter handler)."""
        item = self.dynamodb.get_item(TableName=self.table_name, Key=_job_key(job_id),
                                      ConsistentRead=True).get("Item")
        return _job(item) if item else None

    def get_job(self, tenant: str, job_id: int) -> Job:
        """The tenant's job; NotFound when missing or owned by another tenant."""
        job = aws.get_owned(self.dynamodb, self.table_name, _job_key(job_id), tenant, _job)
        if job is None:
            raise NotFound(f"job {job_id} not found", [{"loc": ["job_id"], "msg": "not found"}])
        return job

    def page(self, tenant: str, limit: int, start: dict[str, Any] | None = None, status: str | None = None
             ) -> tuple[list[tuple[Job, dict[str, Any]]], dict[str, Any] | None]:
        """Up to `limit` of the tenant's jobs newest first (optionally of one status), and the position
        to go on from (aws.list_page)."""
        where = ("#s = :status", {"#s": "status"}, {":status": {"S": status}}) if status else None
        items, following = aws.list_page(self.dynamodb, self.table_name, list_partition(tenant), limit, start, where)
        return [(_job(item), aws.position(item)) for item in items], following

    def record_item(self, job_id: int, index: int, *, asset_id: str, outcome: Literal["OK", "ERROR"],
                    name: str | None = None, output_asset_id: str | None = None,
                    s3_key: str | None = None, error: str | None = None,
                    error_status: int | None = None, error_code: str | None = None,
                    job_read: bool = False) -> RecordResult:
        """Record the outcome of the job's `index`-th asset once, and finish the job after the last.

        `job_read`: the caller has just read the job, so it is not read again to check it exists.
        """
        if outcome not in (OK, ERROR):
            raise ValueError(f"outcome must be OK or ERROR, not {outcome!r}")
        if error is not None and len(error) > MAX_ERROR_CHARS:  # a job's status answer stays bounded
            error = error[:MAX_ERROR_CHARS - 1] + "…"
        item = JobItem(job_id=job_id, index=index, asset_id=asset_id, outcome=outcome, name=name,
                       output_asset_id=output_asset_id, s3_key=s3_key, error=error,
                       error_status=error_status, error_code=error_code, created_at=aws.now_iso())
        values = {k: getattr(item, k) for k in JobItem.__dataclass_fields__}
        if not job_read and self.find_job(job_id) is None:
            raise NotFound(f"job {job_id} not found")
        try:
            self.dynamodb.put_item(TableName=self.table_name,
                                   Item={**_item_key(job_id, index), **aws.to_item(values)},
                                   ConditionExpression="attribute_not_exists(pk)")
            recorded = True
        except ClientError as exc:
            if not aws.is_condition_failure(exc):
                raise
            recorded = False  # a redelivered or duplicated message: the first outcome stands
            stored = self.dynamodb.get_item(TableName=self.table_name, Key=_item_key(job_id, index),
                                            ConsistentRead=True)["Item"]
            outcome = stored["outcome"]["S"]
        # Counted even when the item existed: the first attempt may have stopped right after writing it.
        counted = self._count(job_id, index, outcome)
        return RecordResult(recorded, self._finish_if_done(job_id, counted))

    def _count(self, job_id: int, index: int, outcome: str) -> Job | None:
        """Move the job's counts for this index once: `counted` remembers which indexes moved them.
        Returns the job as this update left it, or None when there was nothing to move."""
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name, Key=_job_key(job_id),
                UpdateExpression="SET remaining = remaining - :one ADD #c :one, counted :index",
                ConditionExpression="attribute_exists(pk) AND remaining > :zero AND NOT contains(counted, :i)",
                ExpressionAttributeNames={"#c": "succeeded" if outcome == OK else "failed"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"},
                                           ":index": {"NS": [str(index)]}, ":i": {"N": str(index)}},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if not aws.is_condition_failure(exc):
                raise
            return None  # already counted, or the job is complete: nothing to move
        return _job(answer["Attributes"])

    def _finish_if_done(self, job_id: int, job: Job | None = None) -> Job:
        """Finish the job if no asset remains; `job` is its state just read, when the caller has it."""
        job = job or self.find_job(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        if job.status != QUEUED or job.remaining > 0:
            return job
        status = OK if job.succeeded > 0 else ERROR
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name, Key=_job_key(job_id),
                UpdateExpression="SET #s = :status, finished_at = :now",
                ConditionExpression="#s = :queued AND remaining = :zero",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":status": {"S": status}, ":now": {"S": aws.now_iso()},
                                           ":queued": {"S": QUEUED}, ":zero": {"N": "0"}},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                return self.find_job(job_id) or job  # finished by a concurrent call
            raise
        return _job(answer["Attributes"])

    def mark_failed_to_enqueue(self, job_id: int, entries: Iterable[tuple[int, str]],
                               error: str = NOT_QUEUED) -> Job | None:
        """Record each (index, asset_id) whose message could not be sent as failed, so the job
        finishes (ERROR when nothing was sent) instead of staying QUEUED."""
        job = None
        for index, asset_id in entries:
            job = self.record_item(job_id, index, asset_id=asset_id, outcome=ERROR, error=error).job
        return job

    def list_items(self, job_id: int) -> list[JobItem]:
        items = aws.query_all(
            self.dynamodb,
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :item)",
            ExpressionAttributeValues={":pk": {"S": f"JOB#{job_id}"}, ":item": {"S": "ITEM#"}},
        )
        names = JobItem.__dataclass_fields__.keys()
        return [JobItem(**{k: v[k] for k in names if k in v}) for v in map(aws.from_item, items)]
