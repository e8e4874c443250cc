"""An asset's file deleted from the bucket: S3's ObjectRemoved notification takes READY away."""
from __future__ import annotations

import json

import pytest
from integration_support import canvas_request, frame_png, png, process, status

from imagegraphics.service.ingest import GONE
from imagegraphics.stores.assets import derived_asset_id, generated_key


def removed(stack, ids: dict) -> dict:
    """The ObjectRemoved notifications of incoming/<asset> and generated/<background>.png."""
    return stack.invoke("ingest", stack.event("sqs_s3_object_removed", ids=ids))


def created(stack, ids: dict) -> dict:
    return stack.invoke("ingest", stack.event("sqs_s3_object_created", ids=ids))


def job_made(stack, source: str) -> str:
    """A READY asset made by a job, with its file at generated/<id>.png."""
    asset_id = derived_asset_id(9, 0)
    stack.blobs.put_bytes(generated_key(asset_id), png(), "image/png")
    stack.assets.create_derived_asset("dev", asset_id=asset_id, source_asset_id=source, job_id=9,
                                      s3_key=generated_key(asset_id), content_type="image/png", width=64,
                                      height=48, size=100, filename="photo.png")
    return asset_id


def get_asset(stack, asset_id: str) -> dict:
    code, body = stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})
    assert code == 200, body
    return body


@pytest.mark.parametrize("role", ["asset", "background"])
def test_a_deleted_asset_file_makes_the_asset_rejected_without_a_url(stack, role):
    ids = {"asset": stack.ready("dev")}
    ids["background"] = job_made(stack, ids["asset"])
    stack.blobs.delete(stack.assets.find(ids[role]).s3_key)
    assert removed(stack, ids) == {"batchItemFailures": []}
    gone = stack.assets.find(ids[role])
    assert (gone.status, gone.reason, gone.width, gone.height, gone.size, gone.etag) == (
        "REJECTED", GONE, None, None, None, None)
    body = get_asset(stack, ids[role])
    assert (body["status"], body["reason"], body["url"]) == ("REJECTED", GONE, None)
    other = "background" if role == "asset" else "asset"
    assert stack.status_of(ids[other]) == "READY"  # its file is still there: the notification is not believed


def test_a_deleted_asset_cannot_be_submitted(stack):
    ids = {"asset": stack.ready("dev"), "border": stack.ready("dev", frame_png())}
    stack.blobs.delete(stack.assets.find(ids["asset"]).s3_key)
    removed(stack, ids)
    event = stack.event("apigw_submit_full_flow", ids=ids)
    event["body"] = json.dumps(canvas_request(ids["asset"], ids["border"]))
    code, body = stack.respond("submit", event)
    assert code == 409 and f"asset {ids['asset']} is REJECTED, not READY" in json.dumps(body)


def test_a_file_deleted_then_uploaded_again_stays_ready(stack):
    ids = {"asset": stack.ready("dev", png((10, 10)))}
    before = stack.assets.find(ids["asset"])
    stack.blobs.delete(before.s3_key)
    stack.blobs.put_bytes(before.s3_key, png((10, 10)), "image/png")  # the notifications arrive after this
    removed(stack, ids)
    assert stack.assets.find(ids["asset"]) == before


def test_the_same_bytes_uploaded_after_the_removal_make_the_asset_ready_again(stack):
    data = png((12, 10))
    ids = {"asset": stack.ready("dev", data)}
    key = stack.assets.find(ids["asset"]).s3_key
    stack.blobs.delete(key)
    removed(stack, ids)
    assert stack.status_of(ids["asset"]) == "REJECTED"
    stack.blobs.put_bytes(key, data, "image/png")  # same bytes, same ETag: still decided anew
    assert created(stack, ids) == {"batchItemFailures": []}
    again = stack.assets.find(ids["asset"])
    assert (again.status, again.reason, again.width, again.height) == ("READY", None, 12, 10)


@pytest.mark.parametrize("state", ["pending", "rejected", "unknown"])
def test_removals_of_files_no_ready_asset_claims_are_ignored(stack, state):
    if state == "unknown":
        ids = {}
    elif state == "pending":
        ids = {"asset": stack.uploaded("dev", png())}
    else:
        ids = {"asset": stack.uploaded("dev", b"not an image")}
        created(stack, ids)
    before = stack.assets.find(ids["asset"]) if ids else None
    if before:
        stack.blobs.delete(before.s3_key)
    assert removed(stack, ids) == {"batchItemFailures": []}
    assert (stack.assets.find(ids["asset"]) if ids else None) == before


def test_a_job_on_an_asset_whose_file_vanished_is_the_assets_404_not_a_retry(stack):
    # The removal not yet handled: the processor still finds no file and says so.
    ids = {"asset": stack.ready("dev", png((64, 48))), "border": stack.ready("dev", frame_png())}
    job_id = stack.jobs.create_job("dev", canvas_request(ids["asset"], ids["border"]), total=1).job_id
    stack.blobs.delete(stack.assets.find(ids["asset"]).s3_key)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    assert body["output"] == [] and body["status"] == "ERROR"
    [error] = body["error"]
    assert error["status"] == 404 and f"asset {ids['asset']} has no stored file" in error["error"]
