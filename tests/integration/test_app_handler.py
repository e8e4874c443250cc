"""The app page's handler (functions/openapi) invoked with events/apigw_get_app.json and events built from
it, as API Gateway passes them in the cloud: the page, its modules, 404 for anything else, and a
Content-Security-Policy naming the bucket's regional endpoint (the URLs the API hands out)."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from imagegraphics.settings import get_settings
from local.runtime import LambdaContext, load_module

from page_events import headers, invoke_page

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = ROOT / "functions" / "openapi"
SAMPLE = json.loads((ROOT / "events" / "apigw_get_app.json").read_text())
FILE_ROUTE = "/app/{digest}/{name}"
REFERENCE = re.compile(r'\b(?:src|href)="app/([0-9a-f]{16})/([^"/]+)"')


@pytest.fixture
def function(monkeypatch):
    # A deployed function's environment: no local endpoint, the bucket and the region it is in.
    for name in ("AWS_ENDPOINT_URL", "LOCAL_UPLOAD_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"BUCKET_NAME": "imagegraphics-bucket-1x2y3z", "AWS_REGION": "eu-west-1",
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "POWERTOOLS_TRACE_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield load_module(FUNCTION / "app.py", f"_it_app_handler_{id(monkeypatch)}")
    get_settings.cache_clear()


def invoke(function, path: str) -> dict:
    return invoke_page(function, SAMPLE, FILE_ROUTE, path)


def test_the_sample_event_answers_the_page_with_a_policy_naming_the_api_and_the_bucket(function):
    answer = function.lambda_handler(copy.deepcopy(SAMPLE), LambdaContext("OpenApiFunction", 512, 5))
    assert answer["statusCode"] == 200 and answer["isBase64Encoded"] is False
    got = headers(answer)
    assert got["content-type"] == "text/html; charset=utf-8" and got["cache-control"] == "no-cache"
    assert got["x-content-type-options"] == "nosniff" and got["x-frame-options"] == "DENY"
    policy = dict(d.split(" ", 1) for d in got["content-security-policy"].split("; "))
    assert policy["connect-src"] == "'self' https://imagegraphics-bucket-1x2y3z.s3.eu-west-1.amazonaws.com"
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"


def test_the_page_has_no_inline_code_and_only_relative_links(function):
    page = invoke(function, "/app")["body"]
    assert re.findall(r"<script\b[^>]*>", page) == [f'<script type="module" src="app/{d}/main.js">'
                                                    for d, n in REFERENCE.findall(page) if n == "main.js"]
    assert not re.search(r"<script[^>]*>[^<\s]", page) and "<style" not in page
    assert not re.search(r"\son\w+=", page) and " style=" not in page
    # No absolute URL: the page works under any stage or custom domain (and no CDN).
    links = re.findall(r'\b(?:src|href)="([^"]*)"', page)
    assert links and all(not re.match(r"^(/|[a-z]+:(?!,))", link) for link in links), links


def test_every_file_of_the_page_is_served_at_the_shared_digest_and_nothing_else_is(function):
    page = invoke(function, "/app")["body"]
    [digest] = {digest for digest, _ in REFERENCE.findall(page)}
    for path in sorted((FUNCTION / "web").iterdir()):
        if path.name == "index.html":
            continue
        answer = invoke(function, f"/app/{digest}/{path.name}")
        assert answer["statusCode"] == 200, path.name
        assert answer["body"] == path.read_text(encoding="utf-8")
        assert headers(answer)["cache-control"] == "public, max-age=31536000, immutable"
    for name in ("index.html", "app.py", "openapi.json", "..%2Fapp.py"):
        assert invoke(function, f"/app/{digest}/{name}")["statusCode"] == 404, name
    assert invoke(function, "/app/0000000000000000/main.js")["statusCode"] == 404
