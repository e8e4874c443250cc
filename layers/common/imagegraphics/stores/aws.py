"""boto3 clients and the DynamoDB value conversions shared by the stores.

Only the stores import this module: nothing above them touches boto3.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Protocol, Self, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from imagegraphics.settings import Settings, get_settings

_lock = threading.Lock()  # boto3 sessions are not thread-safe; the clients they make are.
_clients: dict[tuple[str, str | None, str], Any] = {}
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


@lru_cache(maxsize=1)
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def client(service: str, settings: Settings | None = None) -> Any:
    """A client for `service`, aimed at AWS_ENDPOINT_URL when one is set (moto, the local stack).

    Made once per (service, endpoint, region) and shared: making one costs ~20 ms of CPU (endpoint
    and model loading), more than a DynamoDB call, and on Lambda a container then makes each client
    once. boto3 clients are thread-safe, so threads may share them.
    """
    settings = settings or get_settings()
    cache_key = (service, settings.endpoint_url, settings.region)
    found = _clients.get(cache_key)
    if found is not None:
        return found
    options: dict[str, Any] = {"retries": {"mode": "standard"}}
    if settings.endpoint_url and service == "s3":
        # A local endpoint has no per-bucket DNS names; path style keeps presigned URLs reachable.
        options["s3"] = {"addressing_style": "path"}
    if service == "s3":
        options["signature_version"] = "s3v4"
    with _lock:
        if cache_key not in _clients:
            _clients[cache_key] = _session().client(
                service,
                region_name=settings.region,
                endpoint_url=settings.endpoint_url,
                config=Config(**options),
            )
        return _clients[cache_key]



class TableStore:
    """A store kept in the service's one DynamoDB table."""

    def __init__(self, table_name: str, dynamodb: Any):
        self.table_name = table_name
        self.dynamodb = dynamodb

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Self:
        settings = settings or get_settings()
        return cls(settings.table_name, client("dynamodb", settings))


def clear_clients() -> None:
    """Forget the shared clients and session, so the next ones read credentials and endpoints anew
    (a local stack restarted on the same port, tests that change credentials)."""
    with _lock:
        _clients.clear()
        _session.cache_clear()


def query_all(dynamodb: Any, **query: Any) -> list[dict[str, Any]]:
    """Every item a DynamoDB Query matches, across pages (boto3's paginator follows LastEvaluatedKey)."""
    pages = dynamodb.get_paginator("query").paginate(**query)
    return [item for page in pages for item in page.get("Items", [])]


class Owned(Protocol):
    tenant: str


T = TypeVar("T", bound=Owned)


def get_owned(dynamodb: Any, table: str, key: dict[str, Any], tenant: str,
              parse: Callable[[dict[str, Any]], T]) -> T | None:
    """The item at `key`, parsed, when `tenant` owns it; None when it is missing or another's.

    When the item cannot be read or parsed (one stored before a rule now keeps such values out),
    ownership is decided from its `tenant` attribute alone: another tenant still gets "not found",
    and only the owner sees the error.
    """
    try:
        item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        found = parse(item) if item else None
    except Exception:  # noqa: BLE001 - whatever failed, the owner decides; a busy table fails the read below too
        if owner_of(dynamodb, table, key) != tenant:
            return None
        raise
    return found if found is not None and found.tenant == tenant else None


def owner_of(dynamodb: Any, table: str, key: dict[str, Any]) -> str | None:
    """The `tenant` attribute of the item at `key`, read without the rest of the item."""
    item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True, ProjectionExpression="#t",
                             ExpressionAttributeNames={"#t": "tenant"}).get("Item") or {}
    return item.get("tenant", {}).get("S")


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_condition_failure(exc: ClientError) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_epoch() -> int:
    return int(datetime.now(timezone.utc).timestamp())


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A plain dict as a DynamoDB item; None values are left out, floats become Decimals."""
    plain = {k: v for k, v in values.items() if v is not None}
    decimals = json.loads(json.dumps(plain), parse_float=Decimal)
    return {k: _serializer.serialize(v) for k, v in decimals.items()}


def to_value(value: Any) -> dict[str, Any]:
    return _serializer.serialize(json.loads(json.dumps(value), parse_float=Decimal))


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain Python: Decimals become int or float."""
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


LISTS_INDEX = "Lists"  # lpk = TENANT#<tenant>#<KIND>, lsk = <created_at>#<id>: newest first, never a scan
_POSITION = ("pk", "sk", "lpk", "lsk")
_FILTERED_READ = 200  # items DynamoDB reads per query when a filter drops some of them
_FILTERED_QUERIES = 10  # queries at most for one filtered page: bounded work, then `next` goes on


def position(item: dict[str, Any]) -> dict[str, Any]:
    """Where an item of the Lists index sits: the key a following query starts after."""
    return {k: item[k] for k in _POSITION}


def list_page(dynamodb: Any, table: str, partition: str, limit: int, start: dict[str, Any] | None = None,
              where: tuple[str, dict[str, str], dict[str, Any]] | None = None
              ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Up to `limit` items of one Lists partition, newest first, from `start` (a position this gave),
    and the position to go on from (None: nothing follows). `where` is a FilterExpression with its
    names and values: DynamoDB drops what it does not match after reading, so a filtered page may
    take several queries, at most _FILTERED_QUERIES (then it ends early and `next` goes on)."""
    query: dict[str, Any] = {
        "TableName": table, "IndexName": LISTS_INDEX, "ScanIndexForward": False,
        "Limit": _FILTERED_READ if where else limit, "KeyConditionExpression": "lpk = :lpk",
        "ExpressionAttributeValues": {":lpk": {"S": partition}}}
    if where:
        query["FilterExpression"] = where[0]
        query["ExpressionAttributeNames"] = where[1]
        query["ExpressionAttributeValues"].update(where[2])
    found: list[dict[str, Any]] = []
    for _ in range(_FILTERED_QUERIES if where else 1):
        if start is not None:
            query["ExclusiveStartKey"] = start
        answer = dynamodb.query(**query)
        items = answer.get("Items", [])
        start = answer.get("LastEvaluatedKey")
        for i, item in enumerate(items):
            found.append(item)
            if len(found) == limit:
                more = i + 1 < len(items) or start is not None
                return found, position(item) if more else None
        if start is None:
            return found, None
    return found, start


def cancellation_reasons(exc: ClientError) -> list[str] | None:
    """Each item's code ("None" when it passed) of a cancelled transaction; None for another error."""
    if error_code(exc) != "TransactionCanceledException":
        return None
    reasons = exc.response.get("CancellationReasons")
    if reasons is None:  # older moto spells them only in the message: "[None, ConditionalCheckFailed]"
        message = exc.response.get("Error", {}).get("Message", "")
        inside = message[message.rfind("[") + 1:message.rfind("]")]
        return [part.strip() for part in inside.split(",")]
    return [str(r.get("Code", "None")) for r in reasons]
