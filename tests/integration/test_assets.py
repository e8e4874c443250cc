"""POST /api/v1/assets and GET /api/v1/assets/{asset_id}."""
from __future__ import annotations

import json
import re

import pytest
import requests
from integration_support import jpeg


def test_create_returns_pending_asset_and_a_working_presigned_post(stack):
    status, body = stack.call("assets", "apigw_post_asset")
    assert status == 201
    assert re.fullmatch(r"[0-9a-f]{32}", body["asset_id"]) and body["status"] == "PENDING"
    record = stack.assets.find(body["asset_id"])
    assert (record.tenant, record.status, record.filename) == ("dev", "PENDING", "portrait.jpg")
    assert record.metadata == {"title": "Portrait", "photographer": "NASA"}
    data = jpeg()
    upload = requests.post(body["upload"]["url"], data=body["upload"]["fields"],
                           files={"file": ("portrait.jpg", data, "image/jpeg")}, timeout=10)
    assert upload.status_code in (200, 201, 204), upload.text
    assert stack.blobs.get_bytes(record.s3_key) == data


def test_get_returns_record_url_and_conversions(stack):
    asset_id = stack.ready("dev", filename="a.png", metadata={"k": "v"})
    stack.blobs.put_bytes(f"conversions/{asset_id}/thumb.png", b"x", "image/png")
    stack.assets.conversions.put(asset_id, name="thumb", s3_key=f"conversions/{asset_id}/thumb.png",
                                 content_type="image/png", width=10, height=8)
    status, body = stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})
    assert status == 200
    assert body["asset_id"] == asset_id and body["status"] == "READY"
    assert (body["width"], body["height"], body["content_type"], body["metadata"]) == (64, 48, "image/png", {"k": "v"})
    assert (body["filename"], body["data_schema_id"]) == ("a.png", None)
    assert requests.get(body["url"], timeout=10).content[:8] == b"\x89PNG\r\n\x1a\n"
    [conversion] = body["conversions"]
    assert (conversion["name"], conversion["width"], conversion["height"]) == ("thumb", 10, 8)
    assert requests.get(conversion["url"], timeout=10).content == b"x"


def test_pending_asset_has_no_url_yet(stack):
    asset_id = stack.uploaded("dev", jpeg())
    status, body = stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})
    assert status == 200 and body["status"] == "PENDING" and body["url"] is None


def test_other_tenants_and_unknown_assets_are_not_found(stack):
    theirs = stack.ready("other")
    for ids in ({"asset": theirs}, {}, {"asset": "not-an-id"}):
        status, body = stack.call("assets", "apigw_get_asset", ids=ids)
        assert status == 404, body
        assert set(body) == {"message", "errors", "request_id"} and "metadata" not in json.dumps(body)


def test_invalid_bodies_are_400_with_every_location(stack):
    event = stack.event("apigw_post_asset")
    event["body"] = json.dumps({"filename": "x" * 300, "content_type": "application/pdf", "metadata": [1],
                                "extra": True})
    status, body = stack.respond("assets", event)
    assert status == 400
    assert {tuple(e["loc"]) for e in body["errors"]} == {("filename",), ("content_type",), ("metadata",),
                                                         ("extra",)}
    event["body"] = json.dumps({"filename": "a.png", "content_type": "image/png",
                                "metadata": {"blob": "x" * 20000}})
    status, body = stack.respond("assets", event)
    assert status == 400 and body["errors"][0]["loc"] == ["metadata"]
    assert stack.count_items("ASSET#") == 0


@pytest.mark.parametrize("metadata, loc, rule", [
    ('{"n": ' + "1" * 51 + "}", ["metadata", "n"], "38 significant digits"),
    ('{"deep": {"n": 1e400}}', ["metadata", "deep", "n"], "finite"),
    ('{"n": NaN}', ["metadata", "n"], "finite"),
    ('{"k": ' * 40 + "1" + "}" * 40, ["metadata"] + ["k"] * 30, "30 levels"),
    ('{"": 1}', ["metadata", ""], "got an empty key"),
    ('{"a": [{"": {}}]}', ["metadata", "a", 0, ""], "got an empty key"),
    ('{"%s": 1}' % ("k" * 256), ["metadata", "k" * 256], "1 to 255 characters"),
])
def test_metadata_the_table_cannot_store_is_400_at_its_path(stack, metadata, loc, rule):
    event = stack.event("apigw_post_asset")
    event["body"] = '{"filename": "a.png", "content_type": "image/png", "metadata": %s}' % metadata
    status, body = stack.respond("assets", event)
    assert status == 400, body
    [error] = body["errors"]
    assert error["loc"] == loc and rule in error["msg"]
    assert stack.count_items("ASSET#") == 0


def test_body_that_is_not_json_is_400(stack):
    event = stack.event("apigw_post_asset")
    for raw in ("{not json", "[1, 2]", ""):
        event["body"] = raw
        status, body = stack.respond("assets", event)
        assert status == 400, raw
        assert body["errors"][0]["loc"] == []


def test_body_nested_past_the_parser_stack_is_400(stack):
    event = stack.event("apigw_post_asset")
    event["body"] = '{"metadata": ' + "[" * 100_000
    status, body = stack.respond("assets", event)
    assert status == 400, body
    assert body["errors"] == [{"loc": [], "msg": "the request body must be valid JSON nested less deeply"}]


def test_missing_authorizer_context_is_401_and_missing_scope_403(stack):
    event = stack.event("apigw_get_asset")
    del event["requestContext"]["authorizer"]
    assert stack.respond("assets", event)[0] == 401
    event = stack.event("apigw_post_asset")
    event["requestContext"]["authorizer"]["scopes"] = "assets:read"
    status, body = stack.respond("assets", event)
    assert status == 403 and "assets:write" in body["message"]


def test_another_tenants_unreadable_asset_is_404_and_only_its_owner_sees_an_error(stack):
    # Stored before the key rule existed: an empty map key that the client cannot parse back.
    theirs = stack.assets.create_pending("other", filename="a.png", content_type="image/png")
    stack.assets.dynamodb.update_item(
        TableName=stack.assets.table_name, Key={"pk": {"S": f"ASSET#{theirs.asset_id}"}, "sk": {"S": "ASSET"}},
        UpdateExpression="SET metadata = :m", ExpressionAttributeValues={":m": {"M": {"": {"N": "1"}}}})
    status, body = stack.call("assets", "apigw_get_asset", ids={"asset": theirs.asset_id})
    assert status == 404, body
    status, body = stack.call("assets", "apigw_get_asset", ids={"asset": theirs.asset_id}, tenant="other")
    request = stack.event("apigw_get_asset")["requestContext"]["requestId"]
    assert status == 500 and body == {"message": "internal error", "errors": [], "request_id": request}
