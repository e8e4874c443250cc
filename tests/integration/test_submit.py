"""POST /api/v1/assets/addons/image_graphics: validation, asset checks, the job and its messages."""
from __future__ import annotations

import json

import pytest

from imagegraphics.settings import get_settings


@pytest.fixture
def flow_ids(stack) -> dict:
    return {role: stack.ready("dev") for role in ("asset", "background", "graphic", "border")}


def test_full_flow_creates_a_queued_job_and_one_message_per_asset(stack, flow_ids):
    status, body = stack.call("submit", "apigw_submit_full_flow", ids=flow_ids)
    assert status == 200 and set(body) == {"job_id"} and isinstance(body["job_id"], int)
    job = stack.jobs.get_job("dev", body["job_id"])
    assert (job.status, job.total, job.remaining, job.succeeded, job.failed) == ("QUEUED", 1, 1, 0, 0)
    assert stack.jobs.payload(job)["assets"][0] == {flow_ids["asset"]: json.loads(
        stack.event("apigw_submit_full_flow", ids=flow_ids)["body"])["assets"][0][flow_ids["asset"]]}
    [message] = stack.job_messages()
    request = stack.event("apigw_submit_full_flow", ids=flow_ids)["requestContext"]["requestId"]
    # request_id: the submit request's id, which the processor then logs under.
    assert json.loads(message["Body"]) == {"job_id": body["job_id"], "tenant": "dev", "index": 0,
                                           "asset_id": flow_ids["asset"], "request_id": request}


def test_job_ids_come_from_the_counter(stack, flow_ids):
    first = stack.call("submit", "apigw_submit_remove_conversion", ids=flow_ids)[1]["job_id"]
    second = stack.call("submit", "apigw_submit_remove_new_asset", ids=flow_ids)[1]["job_id"]
    assert second == first + 1


def test_invalid_request_is_400_listing_every_broken_rule(stack, flow_ids):
    status, body = stack.call("submit", "apigw_submit_invalid", ids=flow_ids)
    assert status == 400
    locs = {tuple(e["loc"]) for e in body["errors"]}
    base = ("assets", 0, flow_ids["asset"], "options")
    assert base + ("disposition", "conversion_name") in locs
    assert ("operations", 1, "bg_remove", "options", "strength") in locs
    assert len(locs) >= 2 and stack.count_items("JOB#") == 0 and stack.job_messages() == []


def test_body_that_is_not_json_is_400(stack):
    status, body = stack.call("submit", "apigw_submit_not_json")
    assert status == 400 and body["errors"][0]["msg"] == "the request body must be valid JSON"


def _with_data(stack, flow_ids, data) -> dict:
    event = stack.event("apigw_submit_remove_new_asset", ids=flow_ids)
    request = json.loads(event["body"])
    options = request["assets"][0][flow_ids["asset"]]["options"]
    options["disposition"].setdefault("metadata", {})["data"] = data
    event["body"] = json.dumps(request)
    return event


@pytest.mark.parametrize("data, path, rule", [
    ({"n": 10 ** 50}, ["n"], "38 significant digits"),
    ({"blob": "x" * 20_000}, [], "16384 bytes"),
    ({"": 1}, [""], "got an empty key"),
    ({"a": {"b": {"": 1}}}, ["a", "b", ""], "got an empty key"),
    ({"k" * 300: 1}, ["k" * 300], "1 to 255 characters"),
])
def test_metadata_data_the_table_cannot_store_is_400(stack, flow_ids, data, path, rule):
    status, body = stack.respond("submit", _with_data(stack, flow_ids, data))
    assert status == 400, body
    [error] = body["errors"]
    assert error["loc"][4:] == ["disposition", "metadata", "data", *path] and rule in error["msg"]
    assert stack.count_items("JOB#") == 0 and stack.job_messages() == []


def test_another_tenants_unreadable_asset_is_404_not_500(stack, flow_ids):
    # Stored before the key rule existed: an empty map key that the client cannot parse back.
    theirs = stack.assets.create_pending("other", filename="a.png", content_type="image/png")
    stack.assets.dynamodb.update_item(
        TableName=stack.assets.table_name, Key={"pk": {"S": f"ASSET#{theirs.asset_id}"}, "sk": {"S": "ASSET"}},
        UpdateExpression="SET metadata = :m", ExpressionAttributeValues={":m": {"M": {"": {"N": "1"}}}})
    flow_ids["asset"] = theirs.asset_id
    status, body = stack.call("submit", "apigw_submit_remove_conversion", ids=flow_ids)
    assert status == 404, body
    assert theirs.asset_id in json.dumps(body["errors"])


def test_request_larger_than_a_job_can_store_is_413(stack, flow_ids):
    status, body = stack.respond("submit", _with_data(stack, flow_ids, {"blob": "x" * 500_000}))
    assert status == 413, body
    assert "262144 bytes" in body["message"] and body["errors"][0]["loc"] == []
    assert stack.count_items("JOB#") == 0 and stack.job_messages() == []


def test_missing_and_other_tenants_assets_are_404_naming_each_id(stack, flow_ids):
    flow_ids["background"] = stack.ready("other")
    del flow_ids["border"]  # the sample id: no such asset
    status, body = stack.call("submit", "apigw_submit_full_flow", ids=flow_ids)
    assert status == 404
    named = {tuple(e["loc"]): e["msg"] for e in body["errors"]}
    assert named == {
        ("operations", 1, "bg_add", "options", "image_id"): f"asset {flow_ids['background']} not found",
        ("operations", 3, "border_add", "options", "image_id"): "asset b0a4de0f1e2d3c4b5a69788796a5b4c3 not found",
    }
    assert stack.count_items("JOB#") == 0


def test_asset_not_ready_is_409_naming_it(stack, flow_ids):
    flow_ids["graphic"] = stack.uploaded("dev", b"pending")
    status, body = stack.call("submit", "apigw_submit_full_flow", ids=flow_ids)
    assert status == 409
    [error] = body["errors"]
    assert error["loc"] == ["operations", 2, "graphics_add", "graphics", 0, "options", "image_id"]
    assert "PENDING" in error["msg"]


def test_queue_failure_is_503_and_the_job_does_not_stay_queued(stack, flow_ids, monkeypatch):
    monkeypatch.setenv("JOBS_QUEUE_URL", stack.resources["JOBS_QUEUE_URL"] + "-gone")
    get_settings.cache_clear()
    status, body = stack.call("submit", "apigw_submit_full_flow", ids=flow_ids)
    assert status == 503
    job_id = int(body["errors"][0]["msg"])
    job = stack.jobs.get_job("dev", job_id)
    assert (job.status, job.remaining, job.failed) == ("ERROR", 0, 1)
    [item] = stack.jobs.list_items(job_id)
    assert item.outcome == "ERROR" and "could not be queued" in item.error


def test_body_nested_past_the_parser_stack_is_400(stack):
    event = stack.event("apigw_submit_full_flow")
    event["body"] = "[" * 100_000
    status, body = stack.respond("submit", event)
    assert status == 400, body
    assert body["errors"] == [{"loc": [], "msg": "the request body must be valid JSON nested less deeply"}]
    assert stack.count_items("JOB#") == 0


def test_raw_body_over_the_limit_is_413_before_it_is_parsed(stack):
    event = stack.event("apigw_submit_full_flow")
    event["body"] = "x" * 300_000  # not JSON either: the size is checked first
    status, body = stack.respond("submit", event)
    assert status == 413, body
    assert "262144 bytes" in body["message"] and body["errors"][0]["loc"] == []
