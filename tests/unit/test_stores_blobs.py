import json

import boto3
import pytest
import requests

from imagegraphics.errors import Conflict, ImageRejected, NotFound
from imagegraphics.stores import BlobStore


@pytest.fixture
def blobs(aws_resources):
    return BlobStore.from_settings()


def test_presigned_post_is_bound_to_size_and_content_type(blobs, monkeypatch):
    post = blobs.presigned_post("incoming/abc", "image/png", max_bytes=1000)
    assert post.fields["key"] == "incoming/abc"
    assert post.fields["Content-Type"] == "image/png"
    policy = json.loads(__import__("base64").b64decode(post.fields["policy"]))
    assert ["content-length-range", 1, 1000] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]


def test_presigned_post_defaults_to_the_configured_maximum(aws_resources, monkeypatch):
    from imagegraphics.settings import get_settings

    monkeypatch.setenv("MAX_UPLOAD_BYTES", "4096")
    get_settings.cache_clear()
    post = BlobStore.from_settings().presigned_post("incoming/abc", "image/jpeg")
    policy = json.loads(__import__("base64").b64decode(post.fields["policy"]))
    assert ["content-length-range", 1, 4096] in policy["conditions"]


def test_put_head_get_round_trip(blobs):
    info = blobs.put_bytes("generated/x.png", b"\x89PNG data", "image/png")
    assert info.size == 9
    head = blobs.head("generated/x.png")
    assert (head.size, head.content_type) == (9, "image/png")
    assert blobs.get_bytes("generated/x.png") == b"\x89PNG data"
    assert blobs.get_prefix("generated/x.png", 4) == b"\x89PNG"
    assert blobs.get_prefix("generated/x.png", 100) == b"\x89PNG data"


def test_reading_more_than_the_cap_is_refused(blobs):
    blobs.put_bytes("incoming/big", b"x" * 2048, "image/png")
    with pytest.raises(ImageRejected, match="2048 bytes"):
        blobs.get_bytes("incoming/big", max_bytes=1024)


def test_missing_objects(blobs):
    assert blobs.head("incoming/none") is None
    with pytest.raises(NotFound):
        blobs.get_bytes("incoming/none")
    with pytest.raises(NotFound):
        blobs.get_prefix("incoming/none", 10)


def test_presigned_get_names_bucket_and_key(blobs, aws_resources):
    url = blobs.presigned_get("conversions/a/cut.png")
    assert aws_resources["BUCKET_NAME"] in url and "conversions/a/cut.png" in url
    assert "X-Amz-Signature=" in url


def test_reads_bound_to_an_etag_refuse_other_bytes(blobs):
    first = blobs.put_bytes("incoming/abc", b"first bytes", "image/png")
    assert blobs.get_bytes("incoming/abc", if_match=first.etag) == b"first bytes"
    assert blobs.get_prefix("incoming/abc", 5, if_match=first.etag) == b"first"
    blobs.put_bytes("incoming/abc", b"second bytes", "image/png")
    with pytest.raises(Conflict):
        blobs.get_bytes("incoming/abc", if_match=first.etag)
    with pytest.raises(Conflict):
        blobs.get_prefix("incoming/abc", 5, if_match=first.etag)
    assert blobs.get_bytes("incoming/abc") == b"second bytes"  # unbound reads see the latest
