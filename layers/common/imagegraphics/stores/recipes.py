"""Saved recipes: `pk=TENANT#<tenant>, sk=RECIPE#<name>`, the validated body as JSON.

The tenant is part of the key, so one tenant can neither read nor overwrite another's recipe of the
same name, and listing is one Query of the tenant's partition.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from imagegraphics.errors import NotFound, detail
from imagegraphics.stores import aws

_SK = "RECIPE#"


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
                             "created_at = if_not_exists(created_at, :now)",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":name": {"S": name}, ":tenant": {"S": tenant},
                                       ":body": {"S": json.dumps(body)}, ":now": {"S": now}},
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

    def list(self, tenant: str) -> list[Recipe]:
        items = aws.query_all(
            self.dynamodb, TableName=self.table_name, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :recipe)",
            ExpressionAttributeValues={":pk": {"S": f"TENANT#{tenant}"}, ":recipe": {"S": _SK}})
        return sorted(map(_recipe, items), key=lambda r: r.name)

    def delete(self, tenant: str, name: str) -> bool:
        """True when the recipe existed."""
        answer = self.dynamodb.delete_item(TableName=self.table_name, Key=_key(tenant, name),
                                           ReturnValues="ALL_OLD")
        return bool(answer.get("Attributes"))
