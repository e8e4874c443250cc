"""Saved recipes: `pk=TENANT#<tenant>, sk=RECIPE#<name>`, the validated body as JSON.

The tenant is part of the key, so one tenant can neither read nor overwrite another's recipe of the
same name. Listed newest first from the table's Lists index (`lpk=TENANT#<tenant>#RECIPE`,
`lsk=<created_at>#<name>`), one page at a time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from imagegraphics.errors import NotFound, detail
from imagegraphics.stores import aws

_SK = "RECIPE#"
LISTS_INDEX = "Lists"


@dataclass(frozen=True)
class Recipe:
    name: str
    tenant: str
    body: str  # {"operations", "options", "webhook"?} as validated, JSON
    created_at: str
    updated_at: str

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


def _key(tenant: str, name: str) -> dict[str, Any]:
    return {"pk": {"S": f"TENANT#{tenant}"}, "sk": {"S": _SK + name}}


def list_partition(tenant: str) -> str:
    return f"TENANT#{tenant}#RECIPE"


def _recipe(item: dict[str, Any]) -> Recipe:
    v = aws.from_item(item)
    return Recipe(name=v["name"], tenant=v["tenant"], body=v["body"], created_at=v["created_at"],
                  updated_at=v["updated_at"])


class RecipeStore(aws.TableStore):
    def put(self, tenant: str, name: str, body: dict[str, Any]) -> Recipe:
        """Create or replace; created_at survives a replacement."""
        now = aws.now_iso()
        answer = self.dynamodb.update_item(
            TableName=self.table_name, Key=_key(tenant, name),
            UpdateExpression="SET #n = :name, tenant = :tenant, body = :body, updated_at = :now, "
                             "created_at = if_not_exists(created_at, :now), lpk = :lpk, "
                             "lsk = if_not_exists(lsk, :lsk)",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":name": {"S": name}, ":tenant": {"S": tenant},
                                       ":body": {"S": json.dumps(body)}, ":now": {"S": now},
                                       ":lpk": {"S": list_partition(tenant)}, ":lsk": {"S": f"{now}#{name}"}},
            ReturnValues="ALL_NEW")
        return _recipe(answer["Attributes"])

    def find(self, tenant: str, name: str) -> Recipe | None:
        item = self.dynamodb.get_item(TableName=self.table_name, Key=_key(tenant, name),
                                      ConsistentRead=True).get("Item")
        return _recipe(item) if item else None

    def get(self, tenant: str, name: str) -> Recipe:
        found = self.find(tenant, name)
        if found is None:
            raise NotFound(f"recipe {name} not found", [detail(("name",), "not found")])
        return found

    def page(self, tenant: str, limit: int, start: dict[str, Any] | None = None
             ) -> tuple[list[tuple[Recipe, dict[str, Any]]], bool]:
        """Up to `limit` recipes newest first from `start` (a position this gave), each with its
        position, and whether more may follow. A position of another tenant is refused upstream."""
        query: dict[str, Any] = {
            "TableName": self.table_name, "IndexName": LISTS_INDEX, "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": "lpk = :lpk", "ExpressionAttributeValues": {":lpk": {"S": list_partition(tenant)}}}
        if start is not None:
            query["ExclusiveStartKey"] = start
        answer = self.dynamodb.query(**query)
        found = [(_recipe(item), {k: item[k] for k in ("pk", "sk", "lpk", "lsk")}) for item in answer.get("Items", [])]
        return found, "LastEvaluatedKey" in answer

    def delete(self, tenant: str, name: str) -> bool:
        """True when the recipe existed."""
        answer = self.dynamodb.delete_item(TableName=self.table_name, Key=_key(tenant, name),
                                           ReturnValues="ALL_OLD")
        return bool(answer.get("Attributes"))
