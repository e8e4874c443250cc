"""No answer of any route passes Lambda's 6 MB: the worst cases, built and measured.

A deployed function presigns with its role's session token (X-Amz-Security-Token, ~1,200
characters, in every URL); moto's presigned URLs carry none, so the tests add one that long.
Measured here (printed with -s): a finished 1,000-asset job with the longest names and errors
answers ~1.4 MB; an asset holding the most conversions, ~1.7 MB; a page of recipes, at most the
page budget (test_recipes.py)."""
from __future__ import annotations

import json

import pytest

from imagegraphics.errors import RecordRefused
from imagegraphics.service import processing
from imagegraphics.stores.jobs import MAX_ERROR_CHARS

LAMBDA_ANSWER_LIMIT = 6 * 1024 * 1024
LONG_NAME = "n" * 30  # conversion names are at most 30 characters


@pytest.fixture
def session_token(monkeypatch):
    from imagegraphics.stores.blobs import BlobStore

    presign = BlobStore.presigned_get
    monkeypatch.setattr(BlobStore, "presigned_get",
                        lambda self, key, *a, **k: presign(self, key, *a, **k) + "&X-Amz-Security-Token=" + "T" * 1200)


def _size(answer: dict) -> int:
    return len(answer["body"].encode())


def _batch_put(stack, items: list[dict]) -> None:
    """Written 25 at a time (a test fixture: what the stores write one by one, much faster)."""
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
        stack.jobs.dynamodb.batch_write_item(RequestItems={stack.jobs.table_name: requests})


def test_a_recorded_error_is_bounded(stack):
    job = stack.jobs.create_job("dev", {"assets": []}, total=1)
    stack.jobs.record_item(job.job_id, 0, asset_id="a" * 32, outcome="ERROR", error="x" * 5000)
    [item] = stack.jobs.list_items(job.job_id)
    assert len(item.error) == MAX_ERROR_CHARS and item.error.endswith("…")


def test_a_finished_job_of_1000_assets_with_long_names_and_errors_answers_under_the_limit(stack, session_token):
    from imagegraphics.stores import aws
    from imagegraphics.stores.jobs import JobItem, _item_key

    total = 1000
    job = stack.jobs.create_job("dev", {"assets": []}, total=total)
    source = "a" * 32
    items = []
    for index in range(total):
        if index % 2:  # the longest error a record keeps
            item = JobItem(job.job_id, index, source, "ERROR", name=LONG_NAME, error="x" * MAX_ERROR_CHARS,
                           error_status=422, error_code="unknown_foreground")
        else:
            item = JobItem(job.job_id, index, source, "OK", name=LONG_NAME,
                           s3_key=f"conversions/{source}/{LONG_NAME}/{job.job_id}-{index}.png")
        values = {k: getattr(item, k) for k in JobItem.__dataclass_fields__}
        items.append({**_item_key(job.job_id, index), **aws.to_item(values)})
    _batch_put(stack, items)
    stack.jobs.dynamodb.update_item(TableName=stack.jobs.table_name, Key={"pk": {"S": f"JOB#{job.job_id}"},
                                                                          "sk": {"S": "JOB"}},
                                    UpdateExpression="SET #s = :s, remaining = :zero",
                                    ExpressionAttributeNames={"#s": "status"},
                                    ExpressionAttributeValues={":s": {"S": "OK"}, ":zero": {"N": "0"}})
    answer = stack.invoke("status", stack.event("apigw_get_job", job_id=job.job_id))
    body = json.loads(answer["body"])
    assert answer["statusCode"] == 200 and body["status"] != "QUEUED" and len(body["output"]) == 500
    assert {len(e["error"]) for e in body["error"]} == {MAX_ERROR_CHARS}
    print(f"\n1,000-asset job status: {_size(answer):,} bytes")
    assert _size(answer) < LAMBDA_ANSWER_LIMIT / 2


def test_an_asset_holding_the_most_conversions_answers_under_the_limit(stack, session_token):
    from imagegraphics.stores import aws

    asset_id = stack.ready("dev")
    items = []
    for i in range(processing.MAX_CONVERSIONS):
        name = f"{i:04d}" + "c" * 26
        items.append({"pk": {"S": f"ASSET#{asset_id}"}, "sk": {"S": f"CONV#{name}"}, **aws.to_item({
            "asset_id": asset_id, "name": name, "s3_key": f"conversions/{asset_id}/{name}/1-0.png",
            "content_type": "image/png", "width": 4000, "height": 3000, "job_id": 1, "created_at": aws.now_iso()})})
    _batch_put(stack, items)
    answer = stack.invoke("assets", stack.event("apigw_get_asset", ids={"asset": asset_id}))
    body = json.loads(answer["body"])
    assert answer["statusCode"] == 200 and len(body["conversions"]) == processing.MAX_CONVERSIONS
    print(f"\nasset with {processing.MAX_CONVERSIONS} conversions: {_size(answer):,} bytes")
    assert _size(answer) < LAMBDA_ANSWER_LIMIT / 2
    assert stack.assets.conversions.has_room(asset_id, "0007" + "c" * 26, processing.MAX_CONVERSIONS)  # replace
    assert not stack.assets.conversions.has_room(asset_id, "another", processing.MAX_CONVERSIONS)  # add


def test_a_job_adding_a_conversion_past_the_most_fails_that_asset_and_writes_nothing(stack, monkeypatch):
    monkeypatch.setattr(processing, "MAX_CONVERSIONS", 2)
    asset_id = stack.ready("dev")
    for name in ("one", "two"):
        stack.assets.conversions.put(asset_id, name=name, s3_key=f"conversions/{asset_id}/{name}/1-0.png",
                                     content_type="image/png", width=10, height=10, job_id=1)
    request = {"assets": [{asset_id: {"options": {"disposition": {"add_as_conversion": True,
                                                                  "conversion_name": "three"}}}}],
               "operations": [{"bg_add": {"options": {"color": "#ffffff"}}}]}
    job_id = stack.jobs.create_job("dev", request, total=1).job_id
    stack.invoke("processor", stack.event("sqs_job_message", ids={"asset": asset_id}, job_id=job_id))
    status = stack.call("status", "apigw_get_job", job_id=job_id)[1]
    assert status["status"] == "ERROR" and status["error"][0]["status"] == RecordRefused.status, status
    assert "holds 2 conversions" in status["error"][0]["error"]
    assert sorted(c.name for c in stack.assets.conversions.list_for(asset_id)) == ["one", "two"]
    assert stack.s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"conversions/{asset_id}/three/").get("KeyCount") == 0
