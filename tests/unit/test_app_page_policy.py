"""The /app page's Content-Security-Policy names exactly the origins the API hands out URLs on: the
bucket's regional endpoint in the cloud, the local stack's upload endpoint and moto's server locally."""
from __future__ import annotations

import pytest

from imagegraphics.service import webapp
from imagegraphics.settings import Settings
from imagegraphics.stores import BlobStore

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    # Signing needs credentials; nothing here reaches AWS.
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_in_the_cloud_every_url_is_on_the_buckets_regional_endpoint(region):
    # Not the global s3.amazonaws.com, which redirects a young bucket outside us-east-1: a browser's form
    # post cannot follow that redirect, and the policy would have to name a second origin.
    store = BlobStore.from_settings(Settings(bucket_name="photos-bucket", region=region))
    assert store.origins() == [f"https://photos-bucket.s3.{region}.amazonaws.com"]
    assert store.presigned_post("incoming/a", "image/png").url.startswith(
        f"https://photos-bucket.s3.{region}.amazonaws.com/")
    assert store.presigned_get("incoming/a").startswith(f"https://photos-bucket.s3.{region}.amazonaws.com/incoming/a?")


def test_on_the_local_stack_the_upload_endpoint_and_motos_server():
    settings = Settings(bucket_name="b", endpoint_url="http://127.0.0.1:5099",
                        upload_endpoint_url="http://127.0.0.1:3099/_upload")
    assert BlobStore.from_settings(settings).origins() == ["http://127.0.0.1:3099", "http://127.0.0.1:5099"]


def test_the_policy_allows_own_scripts_and_connections_to_the_api_and_the_bucket_only():
    settings = Settings(bucket_name="photos-bucket", region="eu-west-1")
    directives = dict(d.split(" ", 1) for d in webapp.app_policy(settings).split("; "))
    assert directives["connect-src"] == "'self' https://photos-bucket.s3.eu-west-1.amazonaws.com"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self' blob: data:"  # results are shown from the bytes the page fetched
    assert directives["form-action"] == "'none'"  # the key form is never submitted anywhere
    assert directives["trusted-types"] == "'none'"  # no string may reach innerHTML and its kind
    assert "unsafe" not in webapp.app_policy(settings)
