"""What every API function's answers carry: the request id in error bodies, Retry-After on a 503,
CORS headers for an allowed Origin, and the request id for the job messages a route queues."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from imagegraphics import observability
from imagegraphics.errors import InvalidRequest, ServiceUnavailable, detail
from imagegraphics.service.http import cors, install_error_handlers
from imagegraphics.service.messages import JobMessage, request_id_of
from local.runtime import LambdaContext

EVENT = json.loads((Path(__file__).resolve().parents[2] / "events" / "apigw_get_asset.json").read_text())
REQUEST_ID = EVENT["requestContext"]["requestId"]


@pytest.fixture
def app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(cors=cors())
    install_error_handlers(app)

    @app.get("/refused")
    def refused():
        raise InvalidRequest("invalid request body", [detail(("name",), "is required")])

    @app.get("/busy")
    def busy():
        raise ServiceUnavailable("the table is busy; please retry", retry_after=3)

    @app.get("/broken")
    def broken():
        raise RuntimeError("a secret detail")

    @app.get("/seen")
    def seen():
        return {"request_id": observability.request_id()}

    return app


def _call(app, path: str, **headers) -> tuple[int, dict, dict]:
    event = {**EVENT, "path": path, "resource": path, "pathParameters": None,
             "headers": {**EVENT["headers"], **headers}, "multiValueHeaders": None}
    answer = app.resolve(event, LambdaContext("fn", 128, 3))
    headers = {**(answer.get("headers") or {}), **{k: v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items()}}
    return answer["statusCode"], headers, json.loads(answer["body"])


def test_an_error_body_names_the_request_it_answers(app):
    status, _, body = _call(app, "/refused")
    assert status == 400
    assert body == {"message": "invalid request body", "errors": [{"loc": ["name"], "msg": "is required"}],
                    "request_id": REQUEST_ID}


def test_an_unexpected_error_is_a_500_with_the_request_id_and_nothing_of_its_internals(app):
    status, _, body = _call(app, "/broken")
    assert (status, body) == (500, {"message": "internal error", "errors": [], "request_id": REQUEST_ID})


def test_a_503_says_when_to_retry(app):
    status, headers, body = _call(app, "/busy")
    assert status == 503 and headers["Retry-After"] == "3" and body["request_id"] == REQUEST_ID
    assert ServiceUnavailable("x").retry_after > 0  # every 503 says so, not only this one


def test_answers_carry_cors_headers_for_the_configured_origin_only(app, monkeypatch):
    monkeypatch.setenv("CORS_ALLOW_ORIGIN", "https://app.example.com")
    _, headers, _ = _call(app, "/refused", Origin="https://app.example.com")
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert {"X-Request-Id", "Retry-After"} <= set(headers["Access-Control-Expose-Headers"].split(","))
    _, headers, _ = _call(app, "/refused", Origin="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in headers
    monkeypatch.setenv("CORS_ALLOW_ORIGIN", "*")
    _, headers, _ = _call(app, "/busy", Origin="https://elsewhere.example")
    assert headers["Access-Control-Allow-Origin"] == "*"
    _, headers, _ = _call(app, "/busy")  # not a cross-origin call: no CORS headers
    assert "Access-Control-Allow-Origin" not in headers


def test_without_a_configured_origin_no_cors_headers(app, monkeypatch):
    monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
    _, headers, _ = _call(app, "/refused", Origin="https://app.example.com")
    assert "Access-Control-Allow-Origin" not in headers


def test_a_route_knows_its_request_id_and_only_while_it_runs(app):
    assert _call(app, "/seen")[2] == {"request_id": REQUEST_ID}
    assert observability.request_id() is None


def test_a_job_message_carries_the_request_id_and_older_messages_still_parse():
    message = JobMessage(7, "acme", 0, "a" * 32, REQUEST_ID)
    assert JobMessage.parse(json.dumps(message.as_dict())) == message
    assert request_id_of(json.dumps(message.as_dict())) == REQUEST_ID
    older = {"job_id": 7, "tenant": "acme", "index": 0, "asset_id": "a" * 32}
    assert JobMessage.parse(older).request_id is None and JobMessage(7, "acme", 0, "a" * 32).as_dict() == older
    for junk in ("not json", "[1]", json.dumps({"request_id": 5}), None):
        assert request_id_of(junk) is None


def test_queued_work_logs_under_and_passes_on_the_id_of_the_request_that_queued_it():
    observability.follow_request(REQUEST_ID)
    try:
        assert observability.request_id() == REQUEST_ID == observability.logger.get_correlation_id()
    finally:
        observability.follow_request(None)
    assert observability.request_id() is None and observability.logger.get_correlation_id() is None
