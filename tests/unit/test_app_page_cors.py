"""The bucket's CORS rules let the /app page upload and read results (AppPageOrigin beside
CorsAllowedOrigin), the local stack resolves them from template.yaml as CloudFormation would, and its
upload endpoint answers a browser by them as S3 does."""
from __future__ import annotations

import re

import pytest

from local.bucketcors import BucketCors
from local.resources import cors_rules
from local.template import Values, load_template, template_parameters
from local.uploads import UploadEndpoint
from local.apigw import HttpRequest

TEMPLATE = load_template()
PARAMETERS = TEMPLATE["Parameters"]
BUCKET = TEMPLATE["Resources"]["Bucket"]["Properties"]
EXECUTE_API = "https://*.execute-api.us-east-1.amazonaws.com"


def resolved_origins(**parameters: str) -> list[str]:
    values = Values(TEMPLATE, template_parameters(TEMPLATE, parameters))
    [rule] = cors_rules(BUCKET, values)
    assert rule["AllowedMethods"] == ["POST", "GET"]  # the upload form, and reading results
    return rule["AllowedOrigins"]


# ---------------------------------------------------------------- template.yaml
def test_the_app_page_origin_is_a_parameter_beside_the_apis_allowed_origin():
    names = list(PARAMETERS)
    assert names.index("AppPageOrigin") == names.index("CorsAllowedOrigin") + 1
    assert PARAMETERS["AppPageOrigin"]["Default"] == ""
    pattern = re.compile(PARAMETERS["AppPageOrigin"]["AllowedPattern"])
    for good in ("", "https://images.example.com", "http://localhost:8080"):
        assert pattern.fullmatch(good), good
    for bad in ("*", "https://*.example.com", "https://a.example.com/app", "images.example.com",
                "https://a.example, https://b.example"):
        assert not pattern.fullmatch(bad), bad


def test_the_bucket_lets_the_app_page_upload_and_read_results():
    # Empty: the API's own address, which the bucket cannot name (the API is made after it): any
    # API Gateway address of the region. A custom domain replaces it.
    assert resolved_origins() == ["*", EXECUTE_API]
    assert resolved_origins(AppPageOrigin="https://images.example.com") == ["*", "https://images.example.com"]
    assert resolved_origins(CorsAllowedOrigin="https://shop.example.com") == ["https://shop.example.com", EXECUTE_API]


# ---------------------------------------------------------------- the local stack reads them
def test_values_resolve_conditions_ifs_and_pseudo_parameters():
    template = {"Conditions": {"Has": {"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]},
                               "Both": {"Fn::And": [{"Condition": "Has"}, {"Fn::Equals": ["a", "a"]}]}}}
    on, off = Values(template, {"P": "x"}), Values(template, {"P": ""})
    value = {"Fn::If": ["Both", {"Ref": "P"}, {"Fn::Sub": "none-${AWS::Region}.${AWS::URLSuffix}"}]}
    assert on.resolve([value]) == ["x"]
    assert off.resolve([value]) == ["none-us-east-1.amazonaws.com"]
    with pytest.raises(ValueError, match="Missing"):
        on.resolve({"Fn::If": ["Missing", 1, 2]})
    with pytest.raises(ValueError, match="not a parameter"):
        on.resolve({"Ref": "Bucket"})


def test_parameters_given_to_the_local_stack_are_checked_as_cloudformation_checks_them():
    assert template_parameters(TEMPLATE, {"AppPageOrigin": "http://127.0.0.1:3000"})["AppPageOrigin"] == \
        "http://127.0.0.1:3000"
    with pytest.raises(ValueError, match="AppPageOrigin"):
        template_parameters(TEMPLATE, {"AppPageOrigin": "https://a.example/path"})
    with pytest.raises(ValueError, match="LogLevel"):
        template_parameters(TEMPLATE, {"LogLevel": "LOUD"})
    with pytest.raises(ValueError, match="not a parameter"):
        template_parameters(TEMPLATE, {"NoSuchParameter": "1"})


# ---------------------------------------------------------------- S3's answers to a browser
RULES = [{"AllowedMethods": ["POST", "GET"], "AllowedOrigins": ["https://shop.example.com", EXECUTE_API],
          "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}]


def preflight(cors: BucketCors, origin: str | None, method: str | None = "POST", asked: str = "") -> tuple:
    headers = {k: v for k, v in {"origin": origin, "access-control-request-method": method,
                                 "access-control-request-headers": asked}.items() if v}
    status, answer, _ = cors.preflight(headers)
    return status, dict(answer)


@pytest.mark.parametrize("origin", ["https://shop.example.com", "https://a1b2c3.execute-api.us-east-1.amazonaws.com"])
def test_a_preflight_from_an_allowed_origin_names_what_the_rule_allows(origin):
    status, headers = preflight(BucketCors(RULES), origin, asked="content-type, x-amz-meta-a")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == origin
    assert headers["Access-Control-Allow-Methods"] == "POST, GET"
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-amz-meta-a"
    assert headers["Access-Control-Max-Age"] == "3000"
    assert "Origin" in headers["Vary"]


@pytest.mark.parametrize("origin, method", [
    ("https://evil.example.com", "POST"),
    ("https://shop.example.com.evil.example", "POST"),
    ("https://a1.execute-api.eu-west-1.amazonaws.com", "POST"),  # another region's API
    ("https://a1.execute-api.us-east-1.amazonaws.com.evil.example", "POST"),
    ("https://SHOP.example.com", "POST"),  # origins compare as written
    ("https://shop.example.com", "PUT"),
])
def test_a_preflight_no_rule_allows_is_s3s_403(origin, method):
    status, headers = preflight(BucketCors(RULES), origin, method)
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_a_preflight_needs_its_origin_and_method():
    assert preflight(BucketCors(RULES), None)[0] == 400
    assert preflight(BucketCors(RULES), "https://shop.example.com", None)[0] == 400


def test_requested_headers_must_each_be_allowed():
    rules = [{**RULES[0], "AllowedHeaders": ["content-type", "x-amz-*"]}]
    assert preflight(BucketCors(rules), "https://shop.example.com", asked="Content-Type, X-Amz-Date")[0] == 200
    assert preflight(BucketCors(rules), "https://shop.example.com", asked="content-type, authorization")[0] == 403


def test_an_answer_carries_cors_headers_only_for_an_allowed_origin_and_method():
    cors = BucketCors(RULES)
    allowed = dict(cors.headers({"origin": "https://shop.example.com"}, "POST"))
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Access-Control-Allow-Origin" not in dict(cors.headers({"origin": "https://evil.example.com"}, "POST"))
    assert "Access-Control-Allow-Origin" not in dict(cors.headers({"origin": "https://shop.example.com"}, "DELETE"))
    assert cors.headers({}, "POST") == []  # no Origin: not a browser's cross-origin call
    everyone = BucketCors([{**RULES[0], "AllowedOrigins": ["*"]}])
    assert dict(everyone.headers({"origin": "https://any.example"}, "POST"))["Access-Control-Allow-Origin"] == "*"


def test_the_upload_endpoint_answers_by_the_rules_it_is_given():
    endpoint = UploadEndpoint(s3=None, secrets={}, region="us-east-1", public_url="http://127.0.0.1:5000",
                              cors_rules=RULES)

    def send(method: str, origin: str, **headers: str):
        request = HttpRequest(method=method, path="/_upload/bucket", query="", body=b"", source_ip="127.0.0.1",
                              headers=[("Origin", origin), *headers.items()])
        status, answer, _ = endpoint(request)
        return status, dict(answer)

    assert send("OPTIONS", "https://shop.example.com", **{"Access-Control-Request-Method": "POST"})[0] == 200
    assert send("OPTIONS", "https://evil.example.com", **{"Access-Control-Request-Method": "POST"})[0] == 403
    # A form that is not multipart is refused (412) either way; only the allowed origin may read why.
    status, headers = send("POST", "https://shop.example.com", **{"Content-Type": "text/plain"})
    assert status == 412 and headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    status, headers = send("POST", "https://evil.example.com", **{"Content-Type": "text/plain"})
    assert status == 412 and "Access-Control-Allow-Origin" not in headers
