"""Uploads through the local stack obey the presigned POST's policy, as S3 does: a tenant cannot
post its form with another asset's key, another content type, a size outside the range, an expired
or altered policy, or fields the policy does not name."""
from __future__ import annotations

import base64
import json

import boto3
import pytest
import requests
from botocore.config import Config

from local import bootstrap, samples
from local.runtime import REGION

pytestmark = pytest.mark.e2e

PNG = samples.solid(32, 32, (200, 40, 40))


def _s3(stack, **credentials):
    creds = {k: v for k, v in bootstrap.aws_environment(stack.endpoint).items() if k.startswith("AWS_")}
    return boto3.client("s3", region_name=REGION, endpoint_url=stack.endpoint,
                        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=credentials.get("secret", creds["AWS_SECRET_ACCESS_KEY"]),
                        aws_session_token=creds["AWS_SESSION_TOKEN"],
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def _bucket(stack) -> str:
    return stack.resources["buckets"]["Bucket"]


def _stored(stack, key: str) -> bytes | None:
    try:
        return _s3(stack).get_object(Bucket=_bucket(stack), Key=key)["Body"].read()
    except _s3(stack).exceptions.NoSuchKey:
        return None


def _post(url: str, fields: dict, data: bytes = PNG, content_type: str = "image/png") -> requests.Response:
    return requests.post(url, data=fields, files={"file": ("x.png", data, content_type)}, timeout=30)


@pytest.fixture(scope="module")
def victim(stack, alpha) -> dict:
    """An uploaded, READY asset whose object the attacks aim at."""
    created = alpha.create_asset("victim.png", "image/png")
    assert _post(created["upload"]["url"], created["upload"]["fields"]).status_code == 204
    assert alpha.wait_asset(created["asset_id"])["status"] == "READY"
    return {"asset_id": created["asset_id"], "key": created["upload"]["fields"]["key"]}


@pytest.fixture
def form(alpha) -> dict:
    """A fresh asset's upload form: url and fields."""
    return alpha.create_asset("mine.png", "image/png")["upload"]


def _policy(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


def _with_policy(fields: dict, **changes) -> dict:
    encoded = base64.b64encode(json.dumps({**_policy(fields), **changes}).encode()).decode()
    return {**fields, "policy": encoded}


def _resigned(stack, form: dict, conditions: list, expires: int) -> dict:
    """The form's key and content type, signed anew with the stack's own credentials (a policy the
    service itself could have made, with another size range or expiry)."""
    fields = form["fields"]
    post = _s3(stack).generate_presigned_post(
        Bucket=_bucket(stack), Key=fields["key"], Fields={"Content-Type": fields["Content-Type"]},
        Conditions=[{"Content-Type": fields["Content-Type"]}, *conditions], ExpiresIn=expires)
    return post["fields"]


def _assert_refused(response: requests.Response, status: int, code: str, field: str):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code and body["message"]
    assert field in body["errors"][0]["loc"], body


def test_the_presigned_post_points_at_the_gateway_and_a_valid_upload_turns_ready(stack, alpha):
    created = alpha.create_asset("ok.png", "image/png")
    assert created["upload"]["url"] == f"{stack.url}/_upload/{_bucket(stack)}"
    response = _post(created["upload"]["url"], created["upload"]["fields"])
    assert response.status_code == 204, response.text
    assert response.headers["ETag"] and created["upload"]["fields"]["key"] in response.headers["Location"]
    record = alpha.wait_asset(created["asset_id"])
    assert (record["status"], record["size"], record["width"]) == ("READY", len(PNG), 32)
    assert alpha.download(record["url"]) == PNG


@pytest.mark.parametrize("attack, status, code, field", [
    (lambda f, v: {**f, "key": v["key"]}, 403, "AccessDenied", "key"),
    (lambda f, v: {**f, "Content-Type": "image/jpeg"}, 403, "AccessDenied", "content-type"),
    (lambda f, v: {**f, "x-amz-meta-owner": "mallory"}, 403, "AccessDenied", "x-amz-meta-owner"),
    (lambda f, v: {**f, "acl": "public-read"}, 403, "AccessDenied", "acl"),
    (lambda f, v: {**_with_policy(f, conditions=[["starts-with", "$key", ""]]), "key": v["key"]},
     403, "SignatureDoesNotMatch", "x-amz-signature"),
    (lambda f, v: {**_with_policy(f, expiration="2999-01-01T00:00:00Z"), "key": v["key"]},
     403, "SignatureDoesNotMatch", "x-amz-signature"),
    (lambda f, v: {**f, "key": v["key"], "x-amz-signature": "0" * 64}, 403, "SignatureDoesNotMatch", "x-amz-signature"),
    (lambda f, v: {k: val for k, val in f.items() if k != "policy"}, 400, "InvalidArgument", "policy"),
])
def test_a_form_that_breaks_its_policy_is_refused_and_stores_nothing(stack, victim, form, attack, status, code, field):
    before = _stored(stack, victim["key"])
    response = _post(form["url"], attack(form["fields"], victim))
    _assert_refused(response, status, code, field)
    assert _stored(stack, victim["key"]) == before == PNG
    assert _stored(stack, form["fields"]["key"]) is None


def test_the_wrong_file_type_under_the_right_field_is_still_the_field_that_counts(stack, form):
    # S3 checks the Content-Type form field, not the file part's header; the field is what is stored.
    assert _post(form["url"], form["fields"], content_type="text/html").status_code == 204
    head = _s3(stack).head_object(Bucket=_bucket(stack), Key=form["fields"]["key"])
    assert head["ContentType"] == "image/png"


def test_an_empty_file_is_too_small(stack, form):
    _assert_refused(_post(form["url"], form["fields"], data=b""), 400, "EntityTooSmall", "file")
    assert _stored(stack, form["fields"]["key"]) is None


@pytest.mark.parametrize("size", [101, 5000])
def test_a_file_over_the_size_range_is_too_large(stack, form, size):
    fields = _resigned(stack, form, [["content-length-range", 1, 100]], expires=600)
    _assert_refused(_post(form["url"], fields, data=b"x" * size), 400, "EntityTooLarge", "file")
    assert _stored(stack, form["fields"]["key"]) is None
    assert _post(form["url"], fields, data=PNG[:100]).status_code == 204  # the same form, within the range


@pytest.mark.parametrize("expires", [-1, -3600])
def test_an_expired_policy_is_refused(stack, victim, form, expires):
    fields = _resigned(stack, form, [["content-length-range", 1, 10 ** 6]], expires=expires)
    response = _post(form["url"], fields)
    _assert_refused(response, 403, "AccessDenied", "policy")
    assert "expired" in response.json()["message"]
    assert _stored(stack, form["fields"]["key"]) is None


def test_another_secret_does_not_sign_for_the_stack(stack, form):
    post = _s3(stack, secret="guessed").generate_presigned_post(
        Bucket=_bucket(stack), Key=form["fields"]["key"], ExpiresIn=600)
    _assert_refused(_post(form["url"], post["fields"]), 403, "SignatureDoesNotMatch", "x-amz-signature")


def test_x_ignore_fields_are_accepted(stack, form):
    assert _post(form["url"], {**form["fields"], "x-ignore-note": "from the browser"}).status_code == 204
    assert _stored(stack, form["fields"]["key"]) == PNG


@pytest.mark.parametrize("send, status, code, field", [
    (lambda url, f: requests.post(url, json=f, timeout=10), 412, "PreconditionFailed", "headers"),
    (lambda url, f: requests.post(url, data=f, timeout=10), 412, "PreconditionFailed", "headers"),
    (lambda url, f: requests.post(url, files={k: (None, v) for k, v in f.items()}, timeout=10),
     400, "InvalidArgument", "file"),
    (lambda url, f: requests.post(url, headers={"Content-Type": "multipart/form-data; boundary=xyz"},
                                  data=b"--xyz\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk", timeout=10),
     400, "MalformedPOSTRequest", "body"),
    (lambda url, f: requests.post(url, files=[("key", (None, "a")), ("key", (None, "b")),
                                              ("file", ("x.png", PNG))], timeout=10), 400, "InvalidArgument", "form"),
    (lambda url, f: requests.post(url, files=[("other", ("x.png", PNG))], timeout=10), 400, "InvalidArgument", "form"),
    # a part whose Content-Disposition names nothing: a field, then a file
    (lambda url, f: requests.post(url, headers={"Content-Type": "multipart/form-data; boundary=xyz"},
                                  data=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nk\r\n--xyz--\r\n", timeout=10),
     400, "MalformedPOSTRequest", "body"),
    (lambda url, f: requests.post(url, headers={"Content-Type": "multipart/form-data; boundary=xyz"},
                                  data=b"--xyz\r\nContent-Disposition: form-data; filename=\"a.png\"\r\n\r\n"
                                       + PNG + b"\r\n--xyz--\r\n", timeout=10),
     400, "MalformedPOSTRequest", "body"),
])
def test_malformed_upload_requests_are_json_4xx(stack, form, send, status, code, field):
    _assert_refused(send(form["url"], form["fields"]), status, code, field)
    assert _stored(stack, form["fields"]["key"]) is None


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_upload_endpoint_takes_only_post(stack, form, method):
    response = requests.request(method, form["url"], timeout=10)
    assert response.status_code == 405 and response.headers["Allow"] == "OPTIONS, POST"
    assert response.json()["errors"][0]["loc"] == ["method"]


def test_a_browser_on_another_origin_may_upload(stack, form):
    preflight = requests.options(form["url"], headers={"Origin": "http://localhost:8080",
                                                       "Access-Control-Request-Method": "POST"}, timeout=10)
    # The template's bucket CORS rules (CorsAllowedOrigin "*" by default), answered as S3 answers them.
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"].split(", ")
    response = requests.post(form["url"], data=form["fields"], files={"file": ("x.png", PNG, "image/png")},
                             headers={"Origin": "http://localhost:8080"}, timeout=30)
    assert response.status_code == 204 and response.headers["Access-Control-Allow-Origin"] == "*"
