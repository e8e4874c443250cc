"""An asset's conversions, in the single table beside the asset: `pk=ASSET#<id>, sk=CONV#<name>`.

Conversions are derived images, so the newest job's conversion of a name wins; each job's image has
an object of its own (`conversion_key`), so replacing a record never rewrites bytes another names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from imagegraphics.stores import aws


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
        back an older image). Returns what was replaced, so its object can be deleted.
        """
        conversion = Conversion(asset_id=asset_id, name=name, s3_key=s3_key, content_type=content_type,
                                width=width, height=height, job_id=job_id, created_at=aws.now_iso())
        values = {k: getattr(conversion, k) for k in conversion.__dataclass_fields__}
        condition: dict[str, Any] = {}
        if job_id is not None:
            condition = {"ConditionExpression": "attribute_not_exists(job_id) OR job_id <= :job",
                         "ExpressionAttributeValues": {":job": {"N": str(job_id)}}}
        key = {"pk": _partition(asset_id), "sk": {"S": f"CONV#{name}"}}
        try:
            answer = self.dynamodb.put_item(TableName=self.table_name, ReturnValues="ALL_OLD",
                                            Item={**key, **aws.to_item(values)}, **condition)
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                return ConversionWrite(recorded=False, previous=None)
            raise
        old = answer.get("Attributes")
        return ConversionWrite(recorded=True, previous=Conversion.from_item(old) if old else None)

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
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :conv)",
            ExpressionAttributeValues={":pk": _partition(asset_id), ":conv": {"S": "CONV#"}},
        )
        return [Conversion.from_item(item) for item in items]
