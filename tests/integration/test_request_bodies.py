"""Request bodies of both POST routes as API Gateway delivers them: text, or base64 when not UTF-8."""
from __future__ import annotations

import base64
import json

import pytest

ROUTES = [("assets", "apigw_post_asset", "invalid request body", "ASSET#"),
          ("submit", "apigw_submit_remove_conversion", "invalid Image Graphics request", "JOB#")]
NOT_UTF8 = "the request body must be UTF-8 JSON"
LATIN1 = '{"filename": "café.png", "content_type": "image/png"}'

# Bytes that are not UTF-8: API Gateway (and the local gateway) pass them base64-encoded.
NOT_UTF8_BODIES = {
    "stray byte": (b'{"a": "\xff"}', "byte 0xff at offset 7 is not UTF-8"),
    "latin-1": (LATIN1.encode("latin-1"), f"byte 0xe9 at offset {LATIN1.index('é')} is not UTF-8"),
    "utf-16 with bom": (LATIN1.encode("utf-16"), "it looks like UTF-16"),
    "utf-16-le": (LATIN1.encode("utf-16-le"), "it looks like UTF-16-LE"),
    "utf-32": (LATIN1.encode("utf-32"), "it looks like UTF-32"),
}


def _event(stack, name: str, flow_ids: dict, body: bytes) -> dict:
    event = stack.event(name, ids=flow_ids)
    event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


@pytest.fixture
def flow_ids(stack) -> dict:
    return {"asset": stack.ready("dev")}


@pytest.mark.parametrize("function, event_name, message, prefix", ROUTES)
@pytest.mark.parametrize("body, why", NOT_UTF8_BODIES.values(), ids=NOT_UTF8_BODIES.keys())
def test_a_body_that_is_not_utf8_is_400_on_every_post_route(stack, flow_ids, function, event_name, message,
                                                            prefix, body, why):
    items_before = stack.count_items(prefix)
    event = _event(stack, event_name, flow_ids, body)
    status, answer = stack.respond(function, event)
    assert status == 400, answer
    assert answer == {"message": message, "errors": [{"loc": [], "msg": f"{NOT_UTF8} ({why})"}],
                      "request_id": event["requestContext"]["requestId"]}
    assert stack.count_items(prefix) == items_before  # nothing was created


@pytest.mark.parametrize("function, event_name, message, prefix", ROUTES)
def test_a_base64_encoded_utf8_body_is_read_like_text(stack, flow_ids, function, event_name, message, prefix):
    text = stack.event(event_name, ids=flow_ids)["body"]
    # A job is one record (its request and outcomes are further items under its pk).
    count = stack.count_jobs if prefix == "JOB#" else lambda: stack.count_items(prefix)
    items_before = count()
    status, answer = stack.respond(function, _event(stack, event_name, flow_ids, text.encode()))
    assert status in (200, 201), answer
    assert count() == items_before + 1


@pytest.mark.parametrize("function, event_name, message, prefix", ROUTES)
def test_a_body_marked_base64_that_is_not_is_400(stack, flow_ids, function, event_name, message, prefix):
    event = stack.event(event_name, ids=flow_ids)
    event["isBase64Encoded"] = True  # the body is plain JSON text
    status, answer = stack.respond(function, event)
    assert status == 400, answer
    assert answer["errors"] == [{"loc": [], "msg": "the request body is marked base64 but is not"}]


@pytest.mark.parametrize("function, event_name, message, prefix", ROUTES)
def test_a_lone_surrogate_escape_is_400_at_its_field(stack, flow_ids, function, event_name, message, prefix):
    body = json.loads(stack.event(event_name, ids=flow_ids)["body"])
    body["extra"] = "\udcff"
    event = stack.event(event_name, ids=flow_ids)
    event["body"] = json.dumps(body)  # ASCII JSON: the surrogate travels as the escape \udcff
    items_before = stack.count_items(prefix)
    status, answer = stack.respond(function, event)
    assert status == 400, answer
    [error] = answer["errors"]
    assert error["loc"] == ["extra"] and "lone surrogate" in error["msg"]
    assert stack.count_items(prefix) == items_before
