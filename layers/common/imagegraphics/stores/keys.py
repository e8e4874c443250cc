"""API keys: stored only as SHA-256 hashes, each bound to one tenant and a set of scopes."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

from imagegraphics.errors import Conflict
from imagegraphics.stores import aws

ALL_SCOPES = "*"
DEFAULT_SCOPES: tuple[str, ...] = (ALL_SCOPES,)


class Principal(NamedTuple):
    """Who a key belongs to. A tuple, so `tenant, scopes = principal` also works."""

    tenant: str
    scopes: tuple[str, ...]

    def allows(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _item_key(key: str) -> dict[str, Any]:
    return _hash_item_key(hash_key(key))


def _hash_item_key(key_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"KEY#{key_id}"}, "sk": {"S": "KEY"}}


class KeyInfo(NamedTuple):
    """A stored key, without its plaintext: its id (the SHA-256 hex of the key), tenant and scopes."""

    key_id: str
    tenant: str
    scopes: tuple[str, ...]
    created_at: str | None


class ApiKeyStore(aws.TableStore):
    def create_key(self, tenant: str, scopes: tuple[str, ...] | list[str] = DEFAULT_SCOPES) -> str:
        """A new random key for `tenant`. The plaintext is returned once and never stored."""
        key = secrets.token_urlsafe(32)
        self.put(tenant, key, scopes)
        return key

    def put(self, tenant: str, key: str, scopes: tuple[str, ...] | list[str] = DEFAULT_SCOPES) -> None:
        """Register a key chosen by the caller (local dev keys). Re-registering for the same tenant
        is a no-op; a key already bound to another tenant raises Conflict."""
        if not tenant or not key:
            raise ValueError("tenant and key must be non-empty")
        item = {**_item_key(key), **aws.to_item({"tenant": tenant, "scopes": list(scopes),
                                                  "created_at": aws.now_iso()})}
        try:
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR tenant = :tenant",
                ExpressionAttributeValues={":tenant": {"S": tenant}},
            )
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                raise Conflict("this key is already bound to another tenant") from None
            raise

    def resolve(self, key: str | None) -> Principal | None:
        """The key's tenant and scopes, or None for a missing or unknown key."""
        if not key:
            return None
        found = self.dynamodb.get_item(TableName=self.table_name, Key=_item_key(key)).get("Item")
        if not found:
            return None
        values = aws.from_item(found)
        return Principal(values["tenant"], tuple(values.get("scopes") or ()))

    def revoke(self, key: str) -> bool:
        """Delete the key; True when it existed."""
        return self.revoke_id(hash_key(key))

    def revoke_id(self, key_id: str, tenant: str | None = None) -> bool:
        """Delete the key whose id (SHA-256 hex) this is, for when the plaintext is gone; with `tenant`,
        only if the key is that tenant's. True when a key was deleted."""
        request: dict[str, Any] = {"TableName": self.table_name, "Key": _hash_item_key(key_id.lower()),
                                   "ReturnValues": "ALL_OLD"}
        if tenant is not None:
            request |= {"ConditionExpression": "tenant = :tenant",
                        "ExpressionAttributeValues": {":tenant": {"S": tenant}}}
        try:
            answer = self.dynamodb.delete_item(**request)
        except ClientError as exc:
            if aws.is_condition_failure(exc):
                return False  # no such key, or another tenant's
            raise
        return bool(answer.get("Attributes"))

    def list_keys(self, tenant: str) -> list[KeyInfo]:
        """The tenant's keys, oldest first. A Scan of the key items: for the operator's tool, not a request."""
        pages = self.dynamodb.get_paginator("scan").paginate(
            TableName=self.table_name, FilterExpression="begins_with(pk, :key) AND sk = :sk AND tenant = :tenant",
            ExpressionAttributeValues={":key": {"S": "KEY#"}, ":sk": {"S": "KEY"}, ":tenant": {"S": tenant}})
        found = []
        for page in pages:
            for item in page.get("Items", []):
                values = aws.from_item(item)
                found.append(KeyInfo(values["pk"].removeprefix("KEY#"), values["tenant"],
                                     tuple(values.get("scopes") or ()), values.get("created_at")))
        return sorted(found, key=lambda k: (k.created_at or "", k.key_id))
