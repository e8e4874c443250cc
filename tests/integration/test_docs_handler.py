"""The docs page's handler (functions/openapi) invoked with events/apigw_get_docs.json and events built from it:
the page and each file it loads, their types and headers, 404 for anything else, as API Gateway passes them."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from local.runtime import LambdaContext, load_module

from page_events import headers, invoke_page

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = ROOT / "functions" / "openapi"
SAMPLE = json.loads((ROOT / "events" / "apigw_get_docs.json").read_text())
DOCUMENT = json.loads((ROOT / "openapi.json").read_text())
FILE_ROUTE = "/api/v1/docs/{digest}/{name}"
DOCUMENTED_TYPES = set(DOCUMENT["paths"][FILE_ROUTE]["get"]["responses"]["200"]["content"])
REFERENCE = re.compile(r'\b(?:src|href)="docs/([0-9a-f]{16})/([^"/]+)"')


@pytest.fixture
def function(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    return load_module(FUNCTION / "app.py", f"_it_docs_handler_{id(monkeypatch)}")


def invoke(function, path: str) -> dict:
    return invoke_page(function, SAMPLE, FILE_ROUTE, path)


def assert_locked_down(answer: dict) -> None:
    got = headers(answer)
    assert "script-src 'self'" in got["content-security-policy"]
    assert "frame-ancestors 'none'" in got["content-security-policy"]
    assert "connect-src 'self'" in got["content-security-policy"]
    assert got["x-content-type-options"] == "nosniff"
    assert got["x-frame-options"] == "DENY" and got["referrer-policy"] == "no-referrer"


def test_the_sample_event_answers_the_page_as_html_with_its_security_headers(function):
    answer = function.lambda_handler(copy.deepcopy(SAMPLE), LambdaContext("OpenApiFunction", 512, 5))
    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is False  # text: API Gateway passes it through as it is
    assert headers(answer)["content-type"] == "text/html; charset=utf-8"
    assert headers(answer)["cache-control"] == "no-cache"
    assert_locked_down(answer)


def test_the_page_has_no_inline_script_or_style_and_refers_only_to_files_beside_it(function):
    page = invoke(function, "/api/v1/docs")["body"]
    assert re.findall(r"<script\b[^>]*>", page) and all(
        re.fullmatch(r'<script src="docs/[0-9a-f]{16}/[^"/]+">', tag) for tag in re.findall(r"<script\b[^>]*>", page))
    assert "</script>" in page and not re.search(r"<script[^>]*>[^<\s]", page)  # every script is empty
    assert "<style" not in page and not re.search(r"\son\w+=", page) and " style=" not in page
    # No absolute URL: the page works under any stage or base path (and no CDN).
    links = re.findall(r'\b(?:src|href|data-document)="([^"]*)"', page)
    assert links and all(not re.match(r"^(/|[a-z]+:(?!,))", link) for link in links), links
    assert 'data-document="openapi.json"' in page


def test_every_file_the_page_names_is_served_as_text_of_its_type_and_cached_for_a_year(function):
    vendored = json.loads((FUNCTION / "vendor.json").read_text())
    page = invoke(function, "/api/v1/docs")["body"]
    named = REFERENCE.findall(page)
    assert {name for _, name in named} >= {"swagger-ui-bundle.js", "swagger-ui.css", "init.js", "docs.css",
                                           "LICENSE", "NOTICE"}
    for digest, name in named:
        answer = invoke(function, f"/api/v1/docs/{digest}/{name}")
        assert answer["statusCode"] == 200, (name, answer["body"][:200])
        assert answer["isBase64Encoded"] is False
        kind = headers(answer)["content-type"]
        suffix = Path(name).suffix
        assert kind == {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}.get(
            suffix, "text/plain; charset=utf-8"), name
        assert kind.split(";")[0] in DOCUMENTED_TYPES
        assert headers(answer)["cache-control"] == "public, max-age=31536000, immutable"
        assert_locked_down(answer)
        source = FUNCTION / ("docs" if name in ("init.js", "docs.css") else vendored["into"]) / name
        assert answer["body"] == source.read_text(encoding="utf-8")


@pytest.mark.parametrize("tail", [
    "{digest}/app.py", "{digest}/openapi.json", "{digest}/vendor.json", "{digest}/index.html",
    "{digest}/..", "{digest}/%2e%2e%2fapp.py", "..%2F..%2Fapp.py/init.js", "0000000000000000/init.js",
    "{digest}/INIT.JS", "{digest}/init.js%00", "{digest}/swagger-ui.js.map",
])
def test_anything_but_a_current_file_of_the_page_is_a_404(function, tail):
    init_digest = next(d for d, n in REFERENCE.findall(invoke(function, "/api/v1/docs")["body"]) if n == "init.js")
    answer = invoke(function, "/api/v1/docs/" + tail.format(digest=init_digest))
    assert answer["statusCode"] == 404
    body = json.loads(answer["body"])
    assert body["message"] == "no such file of the docs page" and body["errors"][0]["loc"] == ["path"]
    assert headers(answer)["content-type"] == "application/json"


def test_the_page_with_a_trailing_slash_redirects_to_the_page_under_the_same_stage(function):
    # API Gateway routes `/prod/api/v1/docs/` to the page's resource; relative links need `.../docs`.
    answer = invoke(function, "/api/v1/docs/")
    assert answer["statusCode"] == 301 and headers(answer)["location"] == "../docs"


def test_without_the_vendored_files_the_page_fails_plainly_and_the_document_is_still_served(function, tmp_path,
                                                                                          monkeypatch):
    manifest = json.loads((FUNCTION / "vendor.json").read_text())
    missing = tmp_path / "vendor.json"
    missing.write_text(json.dumps({**manifest, "into": str(tmp_path / "absent")}))
    monkeypatch.setattr(function, "VENDOR", missing)
    answer = invoke(function, "/api/v1/docs")
    assert answer["statusCode"] == 500
    assert json.loads(answer["body"])["message"]
    document = invoke(function, "/api/v1/openapi.json")
    assert document["statusCode"] == 200 and json.loads(document["body"]) == DOCUMENT
