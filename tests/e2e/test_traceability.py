"""Over HTTP on the local stack: every answer names its request (X-Request-Id, and request_id in error
bodies), the browser's preflight needs no key, refusals carry CORS headers and the template's bodies,
and the processor and the webhook function log a job under the id of the request that submitted it."""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from local.client import JOBS
from local.gatewayresponses import render
from local.template import load_template, parse_api
from tests.receiver import Receiver

pytestmark = pytest.mark.e2e

TEMPLATE = load_template()
ORIGIN = TEMPLATE["Parameters"]["CorsAllowedOrigin"]["Default"]
CORS = TEMPLATE["Resources"]["Api"]["Properties"]["Cors"]
RESPONSES = TEMPLATE["Resources"]["Api"]["Properties"]["GatewayResponses"]
BROWSER = {"Origin": "https://app.example.com"}


def _request_id(response: requests.Response) -> str:
    value = response.headers["X-Request-Id"]
    assert str(uuid.UUID(value)) == value
    return value


def test_every_answer_carries_its_own_request_id(stack, alpha, portrait):
    answers = [alpha.call("GET", f"/api/v1/assets/{portrait}"),  # a function's answer
               alpha.call("GET", f"/api/v1/assets/{'0' * 32}"),  # a function's refusal
               requests.get(stack.url + "/api/v1/assets/x", timeout=10),  # the authorizer's refusal
               requests.get(stack.url + "/nowhere", timeout=10),  # no route
               requests.delete(stack.url + "/api/v1/assets", timeout=10)]  # no such method
    assert [a.status_code for a in answers] == [200, 404, 401, 404, 405]
    ids = [_request_id(a) for a in answers]
    assert len(set(ids)) == len(ids)
    for answer, request_id in zip(answers[1:], ids[1:]):
        assert answer.json()["request_id"] == request_id, answer.text


def test_401_and_403_are_the_templates_gateway_responses_with_cors_headers(stack):
    refused = requests.post(stack.url + "/api/v1/assets", json={}, headers=BROWSER, timeout=10)
    assert refused.status_code == 401
    expected = render(RESPONSES["UNAUTHORIZED"]["ResponseTemplates"]["application/json"],
                      {"error.messageString": '"Unauthorized"', "requestId": _request_id(refused)})
    assert refused.json() == json.loads(expected)
    assert refused.json() == {"message": "Unauthorized", "errors": [], "request_id": _request_id(refused)}
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN
    unknown_key = requests.get(stack.url + f"{JOBS}/jobs/1", headers={**BROWSER, "Authorization": "Bearer nope"},
                               timeout=10)
    assert unknown_key.status_code == 401 and unknown_key.headers["Access-Control-Allow-Origin"] == ORIGIN
    # No route: API Gateway's MISSING_AUTHENTICATION_TOKEN, which the template makes a 404 with CORS headers.
    nowhere = requests.get(stack.url + "/nowhere", headers=BROWSER, timeout=10)
    assert nowhere.status_code == 404 and nowhere.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_the_preflight_needs_no_key_and_lists_the_paths_methods_and_headers(stack):
    for path, methods in (("/api/v1/assets", "GET,OPTIONS,POST"), (f"{JOBS}/jobs/12", "GET,OPTIONS")):
        preflight = requests.options(stack.url + path, timeout=10, headers={
            **BROWSER, "Access-Control-Request-Method": methods.split(",")[-1],
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert preflight.headers["Access-Control-Allow-Methods"] == methods
        allowed = {h.lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type", "x-filespin-api-key"} <= allowed
        assert preflight.headers["Access-Control-Max-Age"] == CORS["MaxAge"].strip("'")
        _request_id(preflight)
    assert requests.options(stack.url + "/nowhere", timeout=10).status_code == 404


def test_a_functions_answer_to_a_browser_carries_the_allowed_origin(alpha, portrait):
    answer = alpha.call("GET", f"/api/v1/assets/{portrait}", headers=BROWSER)
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Request-Id" in answer.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in alpha.call("GET", f"/api/v1/assets/{portrait}").headers


def test_the_local_gateway_reads_the_origin_from_the_template():
    assert parse_api(TEMPLATE).cors.allow_origin == ORIGIN


def _log_lines(stack) -> list[dict]:
    lines = []
    for line in stack.log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return lines


def test_the_processor_and_webhook_log_a_job_under_the_id_of_the_request_that_submitted_it(stack, alpha, portrait):
    with Receiver() as receiver:
        submitted = alpha.call("POST", JOBS, expect=200, json={
            "assets": [{portrait: {"options": {}}}], "operations": [{"bg_add": {"options": {"color": "#102030"}}}],
            "webhook": {"url": receiver.url}})
        request_id, job_id = _request_id(submitted), submitted.json()["job_id"]
        assert alpha.wait_job(job_id)["status"] == "OK"
        deadline = time.monotonic() + 60  # a loaded CI host can take a while
        while True:
            mine = [line for line in _log_lines(stack) if line.get("correlation_id") == request_id]
            seen = {(line.get("function_name"), line.get("message")) for line in mine}
            if ("WebhookFunction", "webhook delivered") in seen or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    # One id from the authorizer through the submit to the render and the webhook, in other processes.
    assert {("AuthorizerFunction", "authorized"), ("SubmitFunction", "job submitted"),
            ("ProcessorFunction", "asset processed"), ("ProcessorFunction", "webhook queued"),
            ("WebhookFunction", "webhook delivered")} <= seen, seen
    assert all(line.get("job_id") in (None, job_id) for line in mine)
