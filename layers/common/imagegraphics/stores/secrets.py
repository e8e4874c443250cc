"""Each tenant's webhook signing secret: `pk=TENANT#<tenant>, sk=WEBHOOK_SECRET`.

Made on first use and then stable; rotate() replaces it at once (the next delivery is signed with
the new one). The table is encrypted at rest; the secret is only ever handed to its tenant.
"""
from __future__ import annotations

import secrets
from typing import Any

from botocore.exceptions import ClientError

from imagegraphics.stores import aws

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _key(tenant: str) -> dict[str, Any]:
    return {"pk": {"S": f"TENANT#{tenant}"}, "sk": {"S": "WEBHOOK_SECRET"}}


class WebhookSecretStore(aws.TableStore):
    def get(self, tenant: str) -> str:
        """The tenant's secret, made now if it has none (two first calls at once agree on one)."""
        found = self._read(tenant)
        if found:
            return found
        candidate = new_secret()
        try:
            self.dynamodb.put_item(
                TableName=self.table_name, ConditionExpression="attribute_not_exists(pk)",
                Item={**_key(tenant), **aws.to_item({"tenant": tenant, "secret": candidate,
                                                      "created_at": aws.now_iso()})})
        except ClientError as exc:
            if not aws.is_condition_failure(exc):
                raise
            return self._read(tenant) or candidate  # made by a concurrent first call
        return candidate

    def rotate(self, tenant: str) -> str:
        secret = new_secret()
        self.dynamodb.put_item(TableName=self.table_name, Item={
            **_key(tenant), **aws.to_item({"tenant": tenant, "secret": secret, "created_at": aws.now_iso()})})
        return secret

    def _read(self, tenant: str) -> str | None:
        item = self.dynamodb.get_item(TableName=self.table_name, Key=_key(tenant), ConsistentRead=True).get("Item")
        return item["secret"]["S"] if item else None
