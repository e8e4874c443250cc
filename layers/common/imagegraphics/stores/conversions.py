"""An asset's conversions, in the single table beside the asset: `pk=ASSET#<id>, sk=CONV#<name>`.

Conversions are derived images, so the newest job's conversion of a name wins; each job's image has
an object of its own (`conversion_key`), so replacing a record never rewrites bytes another names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from imagegraphics.errors import AssetDeleted, ServiceUnavailable
from imagegraphics.stores import aws

_ATTEMPTS = 5


def asset_exists(asset_id: str) -> dict[str, Any]:
    """A transaction's condition: the asset's record is there and no deletion has begun."""
    return {"Key": {"pk": _partition(asset_id), "sk": {"S": "ASSET"}},
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(deleting)"}


def conversion_key(asset_id: str, name: str, job_id: int, index: int, extension: str = "png") -> str:
    """Each job's conversion has its own object: replacing a conversion never rewrites the bytes an
    earlier job's status URL or the current record names, and a redelivery rewrites the same key.
    The extension follows the output format (png, webp or jpg)."""
    return f"conversions/{asset_id}/{name}/{job_id}-{index}.{extension}"


@dataclass(frozen=True)
class Conversion:
    asset_id: str
    name: str
    s3_key: str
    content_type: str
    width: int
    height: int
    job_id: int | None = None
    created_at: str = ""

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Conversion":
        v = aws.from_item(item)
        return cls(**{k: v[k] for k in cls.__dataclass_fields__ if k in v})


@dataclass(frozen=True)
class ConversionWrite:
    recorded: bool  # False when a later job's conversion of this name was recorded first
    previous: Conversion | None  # the conversion this write replaced, if any


def _partition(asset_id: str) -> dict[str, Any]:
    return {"S": f"ASSET#{asset_id}"}


class ConversionStore:
    def __init__(self, table_name: str, dynamodb: Any):
        self.table_name = table_name
        self.dynamodb = dynamodb

    def put(self, asset_id: str, *, name: str, s3_key: str, content_type: str, width: int,
            height: int, job_id: int | None = None) -> ConversionWrite:
        """Add or replace the conversion `name`: conversions are derived, so the newest job's wins.

        A job older than the recorded one leaves the record alone (a late redelivery must not bring
        back an older image). Written only while the asset exists and is not being deleted
        (AssetDeleted otherwise: a job still running never adds to a deleted asset). Returns what
        was replaced, so its object can be deleted.
        """
        conversion = Conversion(asset_id=asset_id, name=name, s3_key=s3_key, content_type=content_type,
                                width=width, height=height, job_id=job_id, created_at=aws.now_iso())
        key = {"pk": _partition(asset_id), "sk": {"S": f"CONV#{name}"}}
        item = {**key, **aws.to_item({k: getattr(conversion, k) for k in conversion.__dataclass_fields__})}
        for _ in range(_ATTEMPTS):
            old = self.dynamodb.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
            previous = Conversion.from_item(old) if old else None
            if previous and previous.job_id is not None and job_id is not None and previous.job_id > job_id:
                return ConversionWrite(recorded=False, previous=None)
            # The record replaced is exactly the one read: its object is the one to delete afterwards.
            unchanged = ({"ConditionExpression": "s3_key = :previous",
                          "ExpressionAttributeValues": {":previous": old["s3_key"]}} if old
                         else {"ConditionExpression": "attribute_not_exists(pk)"})
            try:
                self.dynamodb.transact_write_items(TransactItems=[
                    {"Put": {"TableName": self.table_name, "Item": item, **unchanged}},
                    {"ConditionCheck": {"TableName": self.table_name, **asset_exists(asset_id)}}])
            except ClientError as exc:
                reasons = aws.cancellation_reasons(exc)
                if reasons is None:
                    raise
                if reasons[1] == "ConditionalCheckFailed":
                    raise AssetDeleted(asset_id) from None
                continue  # another job's conversion of this name landed meanwhile: look again
            return ConversionWrite(recorded=True, previous=previous)
        raise ServiceUnavailable(f"conversion {name} of asset {asset_id} kept changing; please retry")

    def delete_all(self, asset_id: str) -> list[Conversion]:
        """Remove every conversion record of the asset; returns them (their objects are the caller's)."""
        found = self.list_for(asset_id)
        for conversion in found:
            self.dynamodb.delete_item(TableName=self.table_name,
                                      Key={"pk": _partition(asset_id), "sk": {"S": f"CONV#{conversion.name}"}})
        return found

    def has_room(self, asset_id: str, name: str, most: int) -> bool:
        """Can `name` be written without the asset holding more than `most` conversions? (A name
        it holds is replaced, never added.)"""
        answer = self.dynamodb.get_item(TableName=self.table_name, ProjectionExpression="pk",
                                        Key={"pk": _partition(asset_id), "sk": {"S": f"CONV#{name}"}})
        if "Item" in answer:
            return True
        held = sum(page.get("Count", 0) for page in self.dynamodb.get_paginator("query").paginate(
            TableName=self.table_name, Select="COUNT", KeyConditionExpression="pk = :pk AND begins_with(sk, :conv)",
            ExpressionAttributeValues={":pk": _partition(asset_id), ":conv": {"S": "CONV#"}}))
        return held < most

    def list_for(self, asset_id: str) -> list[Conversion]:
        items = aws.query_all(
            self.dynamodb,
            TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :conv)",
            ExpressionAttributeValues={":pk": _partition(asset_id), ":conv": {"S": "CONV#"}},
        )
        return [Conversion.from_item(item) for item in items]
