"""GET /api/v1/docs on the local stack: over HTTP with no key, then in a real browser.

The browser tests (marker `browser`, `make test-browser`) drive Debian's Chromium (tests/e2e/browser.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests

from local.template import load_template, parse_api
from tests.e2e.browser import RECORD_VIOLATIONS
from tests.e2e.stageproxy import StageProxy

pytestmark = pytest.mark.e2e

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
LISTED_ROUTES = """
() => [...document.querySelectorAll("#reference .opblock")].map((block) => [
    block.querySelector(".opblock-summary-method").textContent.trim(),
    block.querySelector(".opblock-summary-path").getAttribute("data-path"),
    block.checkVisibility()])
"""


def routes_of(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item if method in METHODS}


# ---------------------------------------------------------------- over HTTP, no browser
def test_the_page_and_its_files_need_no_key_and_carry_their_headers(stack):
    page = requests.get(stack.url + "/api/v1/docs", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    script = requests.get(stack.url + "/api/v1/" + page.text.split('<script src="', 1)[1].split('"', 1)[0],
                          timeout=30)
    assert script.status_code == 200 and script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_files_are_a_json_404_and_the_slash_form_redirects_to_the_page(stack):
    for path in ("/api/v1/docs/0000000000000000/init.js", "/api/v1/docs/0000000000000000/..%2Fapp.py"):
        answer = requests.get(stack.url + path, timeout=30)
        assert answer.status_code == 404 and answer.json()["errors"][0]["loc"] == ["path"], path
    slash = requests.get(stack.url + "/api/v1/docs/", timeout=30, allow_redirects=False)
    assert slash.status_code == 301 and slash.headers["Location"] == "../docs"


# ---------------------------------------------------------------- in Chromium
@dataclass
class Visit:
    """What a browser did when it opened the page: its answer, every request, what it rendered."""

    page: object
    response: object
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    console: list = field(default_factory=list)

    def routes(self) -> set[tuple[str, str]]:
        listed = self.page.evaluate(LISTED_ROUTES)
        assert all(visible for _, _, visible in listed), listed
        return {(method, path) for method, path, _ in listed}

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")


def visit(browser, url: str) -> Visit:
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    seen = Visit(page=page, response=None)
    page.on("request", lambda request: seen.requests.append(request))
    page.on("requestfailed", lambda request: seen.failures.append(request.url))
    page.on("response", lambda response: response.status >= 400 and seen.failures.append(
        f"{response.status} {response.url}"))
    page.on("console", lambda message: message.type in ("error", "warning") and seen.console.append(message.text))
    page.on("pageerror", lambda error: seen.console.append(str(error)))
    seen.response = page.goto(url, wait_until="load")
    page.wait_for_selector("#reference .opblock", timeout=60_000)  # Swagger UI rendered the document
    page.wait_for_load_state("networkidle")
    return seen


@pytest.fixture(scope="module")
def document(stack) -> dict:
    return requests.get(stack.url + "/api/v1/openapi.json", timeout=30).json()


@pytest.fixture(scope="module")
def opened(chromium, stack) -> Visit:
    seen = visit(chromium, stack.url + "/api/v1/docs")
    yield seen
    seen.page.context.close()


@pytest.mark.browser
def test_every_route_of_the_document_is_listed_on_the_page(opened, document):
    deployed = {(r.method, r.path) for spec in parse_api(load_template()).functions.values() for r in spec.routes}
    assert routes_of(document) == deployed  # the served document is the whole API
    assert opened.routes() == routes_of(document)


@pytest.mark.browser
def test_the_page_loads_only_from_the_stack_and_breaks_none_of_its_policy(opened, stack):
    origin = urlsplit(stack.url)
    off_origin = [r.url for r in opened.requests
                  if urlsplit(r.url).scheme != "data" and urlsplit(r.url)[:2] != origin[:2]]
    assert off_origin == []
    fetched = [urlsplit(r.url).path for r in opened.requests]
    assert fetched[0] == "/api/v1/docs" and "/api/v1/openapi.json" in fetched
    assert opened.failures == [] and opened.console == []
    assert opened.violations() == []
    policy = opened.response.headers["content-security-policy"]
    assert {"script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} <= set(policy.split("; "))
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert opened.response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.browser
def test_the_page_is_a_reference_with_no_way_to_send_a_key(opened):
    before = len(opened.requests)
    for summary in opened.page.locator("#reference .opblock-summary").all():
        summary.click()
    opened.page.wait_for_selector("#reference .opblock.is-open .responses-wrapper")
    assert opened.page.locator("#reference .opblock.is-open").count() == opened.page.locator(
        "#reference .opblock").count()
    for control in (".try-out__btn", ".btn.execute", ".btn.authorize", ".authorization__btn", "input[type=password]"):
        assert opened.page.locator(control).count() == 0, control
    assert len(opened.requests) == before  # reading the reference sends nothing to the API


@pytest.mark.browser
def test_under_a_stage_path_the_page_reads_that_stages_document(chromium, stack, document):
    with StageProxy(stack.url, stage="Prod") as stage:
        seen = visit(chromium, stage.url + "/api/v1/docs/")  # the slash form redirects to the page
        try:
            assert seen.page.url == stage.url + "/api/v1/docs"
            assert seen.routes() == routes_of(document)
            paths = [urlsplit(r.url).path for r in seen.requests if urlsplit(r.url).scheme != "data"]
            assert "/Prod/api/v1/openapi.json" in paths
            assert all(path.startswith("/Prod/api/v1/") for path in paths), paths
            assert all(urlsplit(r.url).netloc == urlsplit(stage.url).netloc for r in seen.requests
                       if urlsplit(r.url).scheme != "data")
            assert seen.failures == [] and seen.console == [] and seen.violations() == []
        finally:
            seen.page.context.close()
