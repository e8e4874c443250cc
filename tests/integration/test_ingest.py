"""The ingest function: S3 ObjectCreated notifications through SQS -> READY or REJECTED."""
from __future__ import annotations

from integration_support import jpeg, png

from imagegraphics.settings import get_settings
from imagegraphics.stores.blobs import BlobStore


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


def test_a_duplicated_notification_leaves_a_decided_asset_alone(stack, monkeypatch):
    ids = {"asset": stack.uploaded("dev", png((10, 10))), "background": stack.uploaded("dev", png())}
    ingest(stack, ids)
    before = stack.assets.find(ids["asset"])
    assert before.etag == stack.blobs.head(before.s3_key).etag
    reads = []
    monkeypatch.setattr(BlobStore, "get_prefix", lambda self, key, *a, **k: reads.append(key))
    assert ingest(stack, ids) == {"batchItemFailures": []}
    assert stack.assets.find(ids["asset"]) == before and reads == []  # same bytes: not even read again


def test_uploading_again_replaces_a_decided_original_and_its_record(stack):
    ids = {"asset": stack.uploaded("dev", png((10, 10))), "background": stack.uploaded("dev", b"not an image")}
    ingest(stack, ids)
    assert [stack.status_of(ids[r]) for r in ("asset", "background")] == ["READY", "REJECTED"]
    # The presigned POST stays valid: the same form can upload other bytes to the same key.
    replacement = jpeg((30, 20))
    stack.blobs.put_bytes(stack.assets.find(ids["asset"]).s3_key, b"%PDF-1.7 not an image", "image/png")
    stack.blobs.put_bytes(stack.assets.find(ids["background"]).s3_key, replacement, "image/jpeg")
    assert ingest(stack, ids) == {"batchItemFailures": []}
    rejected, ready = stack.assets.find(ids["asset"]), stack.assets.find(ids["background"])
    assert (rejected.status, rejected.width, rejected.height) == ("REJECTED", None, None)
    assert "not a supported image" in rejected.reason and rejected.etag == stack.blobs.head(rejected.s3_key).etag
    assert (ready.status, ready.reason, ready.content_type, ready.width, ready.height, ready.size) == (
        "READY", None, "image/jpeg", 30, 20, len(replacement))
    assert ready.etag == stack.blobs.head(ready.s3_key).etag


def test_an_upload_newer_than_the_one_being_read_is_the_one_recorded(stack, monkeypatch):
    ids = {"asset": stack.uploaded("dev", png((10, 10))), "background": stack.uploaded("dev", png())}
    key, newer = stack.assets.find(ids["asset"]).s3_key, png((40, 30))
    real = BlobStore.get_prefix

    def replaced_while_read(self, name, *args, **kwargs):
        if name == key and stack.blobs.get_bytes(key) != newer:
            self.put_bytes(key, newer, "image/png")  # a second upload lands between head and read
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(BlobStore, "get_prefix", replaced_while_read)
    assert ingest(stack, ids) == {"batchItemFailures": []}
    asset = stack.assets.find(ids["asset"])
    assert (asset.status, asset.width, asset.height, asset.size) == ("READY", 40, 30, len(newer))
    assert asset.etag == stack.blobs.head(key).etag


def test_s3_test_event_and_unknown_objects_are_ignored(stack):
    assert stack.invoke("ingest", stack.event("sqs_s3_test_event")) == {"batchItemFailures": []}
    # No record for these ids and no objects: nothing to do, nothing to retry.
    assert ingest(stack, {}) == {"batchItemFailures": []}
    assert stack.count_items("ASSET#") == 0
