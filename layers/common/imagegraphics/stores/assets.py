"""Assets (originals and job-made ones), in the single table.

`pk=ASSET#<id>, sk=ASSET` holds the asset; its conversions share the partition (stores.conversions).
Reads are tenant-checked: another tenant's asset is reported exactly like a missing one.
"""
from __future__ import annotations

import decimal
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

from botocore.exceptions import ClientError

from imagegraphics.errors import AssetDeleted, Conflict, NotFound, RecordRefused, ServiceUnavailable
from imagegraphics.stores import aws
from imagegraphics.stores.conversions import ConversionStore, asset_exists

PENDING, READY, REJECTED = "PENDING", "READY", "REJECTED"
_BATCH_GET = 100  # BatchGetItem keys per call
_BATCH_ATTEMPTS = 8


def new_asset_id() -> str:
    return uuid.uuid4().hex


def derived_asset_id(job_id: int, index: int) -> str:
    """The id of the asset a job creates for its `index`-th entry: the same on every redelivery."""
    return hashlib.sha256(f"job:{job_id}:{index}".encode()).hexdigest()[:32]


def incoming_key(asset_id: str) -> str:
    return f"incoming/{asset_id}"


def generated_key(asset_id: str, extension: str = "png") -> str:
    return f"generated/{asset_id}.{extension}"


def derive_metadata(source: dict[str, Any] | None, *, inherit: bool, inherit_fields: list[str] | None,
                    data: dict[str, Any] | None, mode: Literal["APPEND", "REPLACE"]) -> dict[str, Any]:
    """Metadata of a job-made asset: the source's (all or `inherit_fields`) when inheriting, then
    `data` merged over it (APPEND) or in its place (REPLACE)."""
    base: dict[str, Any] = {}
    if inherit and source:
        base = dict(source) if not inherit_fields else {k: source[k] for k in inherit_fields if k in source}
    if mode == "REPLACE":
        return dict(data or {})
    return {**base, **(data or {})}


@dataclass(frozen=True)
class Asset:
    asset_id: str
    tenant: str
    status: str
    s3_key: str
    filename: str | None = None
    content_type: str | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None
    reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    data_schema_id: int | None = None
    source_asset_id: str | None = None
    job_id: int | None = None
    etag: str | None = None  # of the uploaded bytes the record describes (set at ingest)
    recipe: str | None = None  # the recipe to run once the upload is READY
    recipe_job_id: int | None = None  # the job that recipe started (claimed before the job exists)
    recipe_sent: bool = False  # that job's messages have been sent
    recipe_error: str | None = None  # why the recipe could not start a job
    request_id: str | None = None  # of the API request that created it: the recipe's job logs under it
    source_url: str | None = None  # where the original is fetched from (created with a url)
    deleting: bool = False  # a DELETE has begun: the asset is gone for every reader and writer
    created_at: str = ""
    updated_at: str = ""

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Asset":
        v = aws.from_item(item)
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v[k] for k in names if k in v})


@dataclass(frozen=True)
class AssetState:
    """Who owns an asset and where ingest has got to: what a reference check needs."""

    asset_id: str
    tenant: str
    status: str


def _key(asset_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ASSET#{asset_id}"}, "sk": {"S": "ASSET"}}


def _child_key(source_asset_id: str, asset_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ASSET#{source_asset_id}"}, "sk": {"S": f"CHILD#{asset_id}"}}


def list_partition(tenant: str) -> str:
    """The tenant's assets in the Lists index, newest first."""
    return f"TENANT#{tenant}#ASSET"


def children_partition(tenant: str, source_asset_id: str) -> str:
    """The assets made from one asset, in the Lists index (their links, in the source's partition)."""
    return f"TENANT#{tenant}#ASSET#FROM#{source_asset_id}"


def _listed(asset: Asset) -> dict[str, Any]:
    return {"lpk": {"S": list_partition(asset.tenant)}, "lsk": {"S": f"{asset.created_at}#{asset.asset_id}"}}


_NOT_DELETING = "attribute_not_exists(deleting)"


class AssetStore(aws.TableStore):
    def __init__(self, table_name: str, dynamodb: Any):
        super().__init__(table_name, dynamodb)
        self.conversions = ConversionStore(table_name, dynamodb)

    def create_pending(self, tenant: str, *, filename: str | None, content_type: str | None,
                       metadata: dict[str, Any] | None = None, asset_id: str | None = None,
                       recipe: str | None = None, request_id: str | None = None,
                       source_url: str | None = None) -> Asset:
        asset_id = asset_id or new_asset_id()
        now = aws.now_iso()
        asset = Asset(asset_id=asset_id, tenant=tenant, status=PENDING, s3_key=incoming_key(asset_id),
                      filename=filename, content_type=content_type, metadata=dict(metadata or {}),
                      recipe=recipe, request_id=request_id, source_url=source_url, created_at=now, updated_at=now)
        self._put_new(asset)
        return asset

    def create_derived_asset(self, tenant: str, *, asset_id: str, source_asset_id: str, job_id: int,
                             s3_key: str, content_type: str, width: int, height: int, size: int,
                             metadata: dict[str, Any] | None = None, data_schema_id: int | None = None,
                             filename: str | None = None) -> Asset:
        """A READY asset made by a job, with lineage to its source. Creating the same one again (a
        redelivered message, same job) returns the stored record; any other clash raises Conflict."""
        now = aws.now_iso()
        asset = Asset(asset_id=asset_id, tenant=tenant, status=READY, s3_key=s3_key, filename=filename,
                      content_type=content_type, width=width, height=height, size=size,
                      metadata=dict(metadata or {}), data_schema_id=data_schema_id,
                      source_asset_id=source_asset_id, job_id=job_id, created_at=now, updated_at=now)
        # One transaction: the record, its link in the source's partition (what cascade and the
        # source_asset_id filter read), and the source still there: nothing is added to a source
        # being deleted, so a cascade never misses an asset made while it ran.
        link = {**_child_key(source_asset_id, asset_id), **aws.to_item({
            "asset_id": asset_id, "tenant": tenant, "lpk": children_partition(tenant, source_asset_id),
            "lsk": f"{now}#{asset_id}"})}
        try:
            self._put_new(asset, also=[{"Put": {"TableName": self.table_name, "Item": link}},
                                       {"ConditionCheck": {"TableName": self.table_name,
                                                           **asset_exists(source_asset_id)}}])
        except AssetDeleted:
            raise AssetDeleted(source_asset_id) from None
        except Conflict:
            existing = self.find(asset_id)
            if existing and existing.job_id == job_id and existing.tenant == tenant:
                return existing
            raise
        return asset

    def _put_new(self, asset: Asset, also: list[dict[str, Any]] | None = None) -> None:
        """Write a new asset record (listed in the Lists index): Conflict when the id is taken,
        RecordRefused when the table cannot hold what it says (asking again would not help).
        `also`: more transaction items, AssetDeleted when one of their conditions fails."""
        values = {k: getattr(asset, k) for k in asset.__dataclass_fields__ if k != "deleting"}
        try:
            item = {**_key(asset.asset_id), **aws.to_item(values), **_listed(asset)}
        except decimal.DecimalException as exc:  # boto3 signals a number DynamoDB cannot store
            raise RecordRefused(f"refused by the table: a number it cannot store ({type(exc).__name__})") from exc
        put = {"TableName": self.table_name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        try:
            if also:
                self.dynamodb.transact_write_items(TransactItems=[{"Put": put}, *also])
            else:
                self.dynamodb.put_item(**put)
        except ClientError as exc:
            reasons = aws.cancellation_reasons(exc) or []
            if aws.is_condition_failure(exc) or reasons[:1] == ["ConditionalCheckFailed"]:
                raise Conflict(f"asset {asset.asset_id} already exists") from None
            if "ConditionalCheckFailed" in reasons:
                raise AssetDeleted(asset.asset_id) from None
            if aws.error_code(exc) == "ValidationException" or "ValidationError" in reasons:  # too large
                message = exc.response.get("Error", {}).get("Message") or "ValidationException"
                raise RecordRefused(f"refused by the table: {message}") from exc
            raise

    def find(self, asset_id: str) -> Asset | None:
        """The asset whoever owns it; for internal callers that have no tenant (ingest)."""
        item = self.dynamodb.get_item(TableName=self.table_name, Key=_key(asset_id),
                                      ConsistentRead=True).get("Item")
        return Asset.from_item(item) if item else None

    def find_states(self, asset_ids: Iterable[str]) -> dict[str, AssetState | None]:
        """Owner and status of each asset (None when missing), in BatchGetItem calls of up to 100
        keys: one round trip for a request's references instead of one per id. Only those
        attributes are read, so the check never depends on the rest of a record."""
        wanted = list(dict.fromkeys(asset_ids))
        found: dict[str, AssetState | None] = dict.fromkeys(wanted)
        for start in range(0, len(wanted), _BATCH_GET):
            pending: dict[str, Any] = {self.table_name: {
                "Keys": [_key(a) for a in wanted[start:start + _BATCH_GET]], "ConsistentRead": True,
                "ProjectionExpression": "#a, #t, #s, deleting",
                "ExpressionAttributeNames": {"#a": "asset_id", "#t": "tenant", "#s": "status"}}}
            for attempt in range(_BATCH_ATTEMPTS):
                answer = self.dynamodb.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    values = aws.from_item(item)
                    if values.pop("deleting", False):
                        continue  # being deleted: as missing as a deleted one
                    state = AssetState(**values)
                    found[state.asset_id] = state
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 1.0))  # throttled: back off, then ask for the rest
            else:
                # Still throttled after backing off: the caller may retry later (503), it did nothing wrong.
                raise ServiceUnavailable("the asset table is busy; please retry")
        return found

    def get(self, tenant: str, asset_id: str) -> Asset:
        """The tenant's asset; NotFound when missing or owned by another tenant."""
        asset = aws.get_owned(self.dynamodb, self.table_name, _key(asset_id), tenant, Asset.from_item)
        if asset is None or asset.deleting:
            raise NotFound(f"asset {asset_id} not found", [{"loc": ["asset_id"], "msg": "not found"}])
        return asset

    def mark_ready(self, asset_id: str, *, content_type: str, width: int, height: int, size: int,
                   etag: str | None = None) -> Asset:
        """Record the uploaded original's header and the ETag of the bytes it describes. Repeats
        follow the latest upload of the same key."""
        return self._ingested(asset_id, READY, {"content_type": content_type, "width": width,
                                                "height": height, "size": size, "reason": None, "etag": etag})

    def mark_rejected(self, asset_id: str, reason: str, *, size: int | None = None,
                      etag: str | None = None) -> Asset:
        return self._ingested(asset_id, REJECTED, {"reason": reason, "size": size, "width": None, "height": None,
                                                   "etag": etag})

    def mark_gone(self, asset: Asset, reason: str) -> Asset | None:
        """A READY asset whose stored file has been deleted: REJECTED with `reason`, its image fields
        and ETag dropped (the same bytes uploaded again are then checked anew). Only if the record
        still describes what `asset` does: None when a newer upload was ingested meanwhile."""
        etag_unchanged = "etag = :etag" if asset.etag else "attribute_not_exists(etag)"
        values = {":rejected": {"S": REJECTED}, ":reason": {"S": reason}, ":now": {"S": aws.now_iso()},
                  ":ready": {"S": READY}, ":key": {"S": asset.s3_key}}
        if asset.etag:
            values[":etag"] = {"S": asset.etag}
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name, Key=_key(asset.asset_id),
                UpdateExpression="SET #s = :rejected, reason = :reason, updated_at = :now "
                                 "REMOVE width, height, #size, etag",
                ConditionExpression=f"#s = :ready AND s3_key = :key AND {etag_unchanged} AND {_NOT_DELETING}",
                ExpressionAttributeNames={"#s": "status", "#size": "size"}, ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                return None
            raise
        return Asset.from_item(answer["Attributes"])

    def _ingested(self, asset_id: str, status: str, values: dict[str, Any]) -> Asset:
        values = {**values, "status": status, "updated_at": aws.now_iso()}
        sets = [k for k, v in values.items() if v is not None]
        removes = [k for k, v in values.items() if v is None]
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in sets)
        if removes:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in removes)
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name, Key=_key(asset_id), UpdateExpression=expression,
                # Only originals are ingested: a job-made asset never changes after creation.
                ConditionExpression=f"attribute_exists(pk) AND s3_key = :key AND {_NOT_DELETING}",
                ExpressionAttributeNames={f"#{k}": k for k in values},
                ExpressionAttributeValues={**{f":{k}": aws.to_value(values[k]) for k in sets},
                                           ":key": {"S": incoming_key(asset_id)}},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                raise NotFound(f"no uploaded asset {asset_id}") from None
            raise
        return Asset.from_item(answer["Attributes"])

    # ------------------------------------------------------------------ lists
    def page(self, tenant: str, limit: int, start: dict[str, Any] | None = None, status: str | None = None
             ) -> tuple[list[tuple[Asset, dict[str, Any]]], dict[str, Any] | None]:
        """Up to `limit` of the tenant's assets newest first (optionally of one status), each with its
        position, and the position to go on from (aws.list_page). Assets being deleted are left out."""
        condition, names, values = _NOT_DELETING, {}, {}
        if status is not None:
            condition += " AND #s = :status"
            names, values = {"#s": "status"}, {":status": {"S": status}}
        items, following = aws.list_page(self.dynamodb, self.table_name, list_partition(tenant), limit, start,
                                         (condition, names, values))
        return [(Asset.from_item(item), aws.position(item)) for item in items], following

    def page_from(self, tenant: str, source_asset_id: str, limit: int, start: dict[str, Any] | None = None
                  ) -> tuple[list[tuple[Asset, dict[str, Any]]], dict[str, Any] | None]:
        """Up to `limit` of the assets made from `source_asset_id`, newest first: their links from the
        Lists index, then the records themselves (the tenant's only, none being deleted)."""
        links, following = aws.list_page(self.dynamodb, self.table_name,
                                         children_partition(tenant, source_asset_id), limit, start)
        records = self._records([link["asset_id"]["S"] for link in links])
        found = [(records.get(link["asset_id"]["S"]), aws.position(link)) for link in links]
        return [(a, at) for a, at in found if a is not None and a.tenant == tenant and not a.deleting], following

    def _records(self, asset_ids: list[str]) -> dict[str, Asset]:
        found: dict[str, Asset] = {}
        for start in range(0, len(asset_ids), _BATCH_GET):
            pending: dict[str, Any] = {self.table_name: {
                "Keys": [_key(a) for a in asset_ids[start:start + _BATCH_GET]], "ConsistentRead": True}}
            for attempt in range(_BATCH_ATTEMPTS):
                answer = self.dynamodb.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    asset = Asset.from_item(item)
                    found[asset.asset_id] = asset
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 1.0))
            else:
                raise ServiceUnavailable("the asset table is busy; please retry")
        return found

    # ------------------------------------------------------------------ deletion
    def begin_delete(self, tenant: str, asset_id: str) -> Asset:
        """Mark the tenant's asset as being deleted (again, when an earlier DELETE stopped half way):
        from now on no job adds a conversion or an asset made from it, ingest leaves it alone and
        every reader finds it gone. NotFound when missing or another tenant's."""
        try:
            answer = self.dynamodb.update_item(
                TableName=self.table_name, Key=_key(asset_id), UpdateExpression="SET deleting = :yes",
                ConditionExpression="attribute_exists(pk) AND tenant = :tenant",
                ExpressionAttributeValues={":yes": {"BOOL": True}, ":tenant": {"S": tenant}},
                ReturnValues="ALL_NEW")
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                raise NotFound(f"asset {asset_id} not found", [{"loc": ["asset_id"], "msg": "not found"}]) from None
            raise
        return Asset.from_item(answer["Attributes"])

    def children(self, asset_id: str) -> list[str]:
        """Ids of the assets made from this one (read consistently from its own partition)."""
        items = aws.query_all(self.dynamodb, TableName=self.table_name, ConsistentRead=True,
                              KeyConditionExpression="pk = :pk AND begins_with(sk, :child)",
                              ExpressionAttributeValues={":pk": {"S": f"ASSET#{asset_id}"},
                                                         ":child": {"S": "CHILD#"}})
        return [item["sk"]["S"].removeprefix("CHILD#") for item in items]

    def remove(self, asset: Asset) -> None:
        """Delete the asset's partition (links to what was made from it, anything left) and its link
        in its source's partition; the record itself last, so a DELETE that stops half way is
        finished by the next one."""
        items = aws.query_all(self.dynamodb, TableName=self.table_name, ConsistentRead=True,
                              KeyConditionExpression="pk = :pk", ProjectionExpression="pk, sk",
                              ExpressionAttributeValues={":pk": {"S": f"ASSET#{asset.asset_id}"}})
        for item in items:
            if item["sk"]["S"] != "ASSET":
                self.dynamodb.delete_item(TableName=self.table_name, Key=item)
        if asset.source_asset_id:
            self.dynamodb.delete_item(TableName=self.table_name, Key=_child_key(asset.source_asset_id, asset.asset_id))
        self.dynamodb.delete_item(TableName=self.table_name, Key=_key(asset.asset_id))
