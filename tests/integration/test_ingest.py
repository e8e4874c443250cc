"""The ingest function: S3 ObjectCreated notifications through SQS -> READY or REJECTED."""
from __future__ import annotations

from integration_support import jpeg, png

from imagegraphics.settings import get_settings


def ingest(stack, ids: dict) -> dict:
    return stack.invoke("ingest", stack.event("sqs_s3_object_created", ids=ids))


def test_uploads_become_ready_with_their_header(stack):
    photo, background = jpeg((120, 80)), png((30, 20))
    ids = {"asset": stack.uploaded("dev", photo, "image/jpeg"), "background": stack.uploaded("dev", background)}
    assert ingest(stack, ids) == {"batchItemFailures": []}
    first, second = stack.assets.find(ids["asset"]), stack.assets.find(ids["background"])
    assert (first.status, first.content_type, first.width, first.height, first.size) == \
        ("READY", "image/jpeg", 120, 80, len(photo))
    assert (second.status, second.content_type, second.width, second.height) == ("READY", "image/png", 30, 20)


def test_bytes_that_are_not_an_image_are_rejected_with_the_reason(stack):
    ids = {"asset": stack.uploaded("dev", b"%PDF-1.7 not an image" * 10, "image/jpeg"),
           "background": stack.uploaded("dev", png())}
    assert ingest(stack, ids) == {"batchItemFailures": []}
    rejected = stack.assets.find(ids["asset"])
    assert rejected.status == "REJECTED" and "not a supported image" in rejected.reason
    assert stack.status_of(ids["background"]) == "READY"


def test_too_many_pixels_and_too_large_are_rejected(stack, monkeypatch):
    monkeypatch.setenv("MAX_PIXELS", "1000")
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "2000")
    get_settings.cache_clear()
    ids = {"asset": stack.uploaded("dev", png((50, 50))), "background": stack.uploaded("dev", b"\0" * 3000)}
    ingest(stack, ids)
    pixels, size = stack.assets.find(ids["asset"]), stack.assets.find(ids["background"])
    assert pixels.status == "REJECTED" and "too many pixels" in pixels.reason
    assert size.status == "REJECTED" and "too large" in size.reason and size.size == 3000


def test_a_duplicated_notification_leaves_a_decided_asset_alone(stack):
    ids = {"asset": stack.uploaded("dev", png((10, 10))), "background": stack.uploaded("dev", png())}
    ingest(stack, ids)
    before = stack.assets.find(ids["asset"])
    stack.blobs.put_bytes(before.s3_key, b"garbage", "image/png")  # what a second ingest would see
    assert ingest(stack, ids) == {"batchItemFailures": []}
    assert stack.assets.find(ids["asset"]) == before


def test_s3_test_event_and_unknown_objects_are_ignored(stack):
    assert stack.invoke("ingest", stack.event("sqs_s3_test_event")) == {"batchItemFailures": []}
    # No record for these ids and no objects: nothing to do, nothing to retry.
    assert ingest(stack, {}) == {"batchItemFailures": []}
    assert stack.count_items("ASSET#") == 0
