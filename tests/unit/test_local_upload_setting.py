"""The local stack's upload endpoint replaces the presigned POST's URL only beside a local AWS endpoint."""
from __future__ import annotations

import boto3
import pytest

from imagegraphics.settings import Settings
from imagegraphics.stores.blobs import BlobStore

LOCAL = "http://127.0.0.1:3000/_upload"


def _post_url(env: dict[str, str]) -> str:
    settings = Settings.from_env({"BUCKET_NAME": "assets", **env})
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b",
                      endpoint_url=settings.endpoint_url)
    blobs = BlobStore(settings.bucket_name, s3, upload_endpoint_url=settings.upload_endpoint_url)
    return blobs.presigned_post("incoming/abc", "image/png").url


def test_the_local_stack_gets_its_gateway_upload_url():
    assert _post_url({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "LOCAL_UPLOAD_ENDPOINT_URL": LOCAL}) == \
        f"{LOCAL}/assets"


@pytest.mark.parametrize("env", [
    {"LOCAL_UPLOAD_ENDPOINT_URL": LOCAL},  # as in the cloud: no AWS_ENDPOINT_URL, the setting is ignored
    {"LOCAL_UPLOAD_ENDPOINT_URL": LOCAL, "AWS_ENDPOINT_URL": ""},
    {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
    {},
])
def test_without_a_local_endpoint_the_url_is_s3s_own(env):
    url = _post_url(env)
    assert "/_upload" not in url
    assert url.startswith(env.get("AWS_ENDPOINT_URL") or "https://assets.s3.amazonaws.com")
