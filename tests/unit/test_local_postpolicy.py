"""local.postpolicy checks a presigned POST form as S3 does; the forms are signed by botocore."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.config import Config

from local.postpolicy import PolicyError, verify

SECRETS = {"AKIDLOCAL": "local-secret"}
BUCKET, KEY, REGION = "assets", "incoming/victim-not", "us-east-1"


def _signed(conditions=None, fields=None, expires=900, key=KEY, secret="local-secret", region=REGION) -> dict:
    s3 = boto3.client("s3", region_name=region, aws_access_key_id="AKIDLOCAL", aws_secret_access_key=secret,
                      endpoint_url="http://127.0.0.1:9", config=Config(signature_version="s3v4"))
    post = s3.generate_presigned_post(
        Bucket=BUCKET, Key=key, Fields=fields if fields is not None else {"Content-Type": "image/png"},
        Conditions=conditions if conditions is not None else [{"Content-Type": "image/png"},
                                                              ["content-length-range", 1, 100]],
        ExpiresIn=expires)
    return {name.lower(): value for name, value in post["fields"].items()}


def _refusal(fields, size=10, bucket=BUCKET, now=None) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        verify(fields, bucket, size, SECRETS, REGION, now)
    return caught.value


def _policy(fields) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


def _encoded(policy: dict) -> str:
    return base64.b64encode(json.dumps(policy).encode()).decode()


@pytest.mark.parametrize("size", [1, 50, 100])
def test_a_form_as_signed_is_accepted(size):
    verify(_signed(), BUCKET, size, SECRETS, REGION)


@pytest.mark.parametrize("change, loc", [
    ({"key": "incoming/someone-else"}, "key"),
    ({"key": KEY + "x"}, "key"),
    ({"content-type": "image/jpeg"}, "content-type"),
    ({"content-type": "image/png; charset=x"}, "content-type"),
    ({"x-amz-security-token": "other"}, "x-amz-security-token"),
])
def test_a_field_that_breaks_its_condition_is_access_denied(change, loc):
    error = _refusal({**_signed(fields={"Content-Type": "image/png", "x-amz-security-token": "tok"},
                                conditions=[{"Content-Type": "image/png"}, {"x-amz-security-token": "tok"}]),
                      **change})
    assert (error.status, error.code, error.loc) == (403, "AccessDenied", ["form", loc])
    assert "Policy Condition failed" in error.msg and loc in error.msg.lower()


def test_another_bucket_is_access_denied():
    error = _refusal(_signed(), bucket="other-bucket")
    assert (error.status, error.loc) == (403, ["form", "bucket"])


@pytest.mark.parametrize("extra", ["x-amz-meta-owner", "acl", "success_action_status", "content-disposition"])
def test_a_field_no_condition_names_is_access_denied(extra):
    error = _refusal({**_signed(), extra: "1"})
    assert (error.status, error.code, error.loc) == (403, "AccessDenied", ["form", extra])
    assert f"Extra input fields: {extra}" in error.msg


def test_x_ignore_fields_need_no_condition():
    verify({**_signed(), "x-ignore-note": "anything"}, BUCKET, 10, SECRETS, REGION)


@pytest.mark.parametrize("condition, value, holds", [
    (["starts-with", "$key", "incoming/"], "incoming/abc", True),
    (["starts-with", "$key", "incoming/"], "generated/abc", False),
    (["starts-with", "$x-amz-meta-tag", ""], "anything", True),
    (["eq", "$x-amz-meta-tag", "a"], "a", True),
    (["eq", "$x-amz-meta-tag", "a"], "A", False),
    (["starts-with", "$Content-Type", "image/"], "image/png, image/jpeg", True),
    (["starts-with", "$Content-Type", "image/"], "image/png, text/html", False),
])
def test_eq_and_starts_with_conditions(condition, value, holds):
    name = condition[1][1:]
    fields = _signed(fields={name: value}, conditions=[condition], key=value if name == "key" else "incoming/abc")
    if holds:
        verify(fields, BUCKET, 10, SECRETS, REGION)
    else:
        assert _refusal(fields).loc == ["form", name.lower()]


@pytest.mark.parametrize("size, code", [(0, "EntityTooSmall"), (101, "EntityTooLarge"), (10 ** 9, "EntityTooLarge")])
def test_sizes_outside_the_range_are_refused_as_s3_does(size, code):
    error = _refusal(_signed(), size=size)
    assert (error.status, error.code, error.loc) == (400, code, ["file"])


def test_an_expired_policy_is_access_denied():
    error = _refusal(_signed(expires=-1))
    assert (error.status, error.code) == (403, "AccessDenied") and "Policy expired" in error.msg
    later = datetime.now(timezone.utc) + timedelta(seconds=901)
    assert "Policy expired" in _refusal(_signed(expires=900), now=later).msg


@pytest.mark.parametrize("tamper", [
    lambda f: {**f, "policy": _encoded({**_policy(f), "conditions": [["starts-with", "$key", ""]]})},
    lambda f: {**f, "policy": _encoded({**_policy(f), "expiration": "2999-01-01T00:00:00Z"})},
    lambda f: {**f, "x-amz-signature": f["x-amz-signature"][:-1] + ("0" if f["x-amz-signature"][-1] != "0" else "1")},
    lambda f: {**f, **{k: v for k, v in _signed(secret="guessed").items() if k == "x-amz-signature"}},
])
def test_a_tampered_policy_or_signature_does_not_match(tamper):
    error = _refusal(tamper(_signed()))
    assert (error.status, error.code, error.loc) == (403, "SignatureDoesNotMatch", ["form", "x-amz-signature"])


@pytest.mark.parametrize("change, status, code, loc", [
    ({"x-amz-credential": "AKIDOTHER/20260101/us-east-1/s3/aws4_request"}, 403, "InvalidAccessKeyId", "x-amz-credential"),
    ({"x-amz-credential": "AKIDLOCAL/s3"}, 400, "InvalidArgument", "x-amz-credential"),
    ({"x-amz-algorithm": "AWS4-HMAC-SHA1"}, 400, "InvalidArgument", "x-amz-algorithm"),
    ({"x-amz-date": "yesterday"}, 400, "InvalidArgument", "x-amz-date"),
])
def test_malformed_credentials_and_policies(change, status, code, loc):
    error = _refusal({**_signed(), **change})
    assert (error.status, error.code, error.loc) == (status, code, ["form", loc])


@pytest.mark.parametrize("condition", [["bogus", "$key", "x"], ["eq", "key", "x"], ["content-length-range", "a", 5],
                                       {"a": 1, "b": 2}, "text"])
def test_a_signed_but_malformed_condition_is_an_invalid_policy(condition):
    error = _refusal(_signed(conditions=[condition]))
    assert (error.status, error.code, error.loc) == (400, "InvalidPolicyDocument", ["form", "policy"])


def test_a_signature_from_another_region_is_refused():
    error = _refusal(_signed(region="eu-west-1"))
    assert (error.status, error.loc) == (400, ["form", "x-amz-credential"]) and "eu-west-1" in error.msg


@pytest.mark.parametrize("missing", ["key", "policy", "x-amz-signature", "x-amz-credential", "x-amz-date"])
def test_a_missing_required_field_is_named(missing):
    fields = _signed()
    del fields[missing]
    error = _refusal(fields)
    assert (error.status, error.code, error.loc) == (400, "InvalidArgument", ["form", missing])
