"""The local gateway's own answers come from the template's GatewayResponses and Cors, as API Gateway's do."""
from __future__ import annotations

import json

import yaml

from local.gatewayresponses import GatewayResponses, render
from local.template import CfnLoader, parse_api

TEMPLATE = """
Parameters:
  Origin: {Type: String, Default: "https://app.example.com"}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: test
      Cors:
        AllowOrigin: !Sub "'${Origin}'"
        AllowHeaders: "'Authorization,Content-Type'"
        MaxAge: "'60'"
      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters: {Headers: {Access-Control-Allow-Origin: !Sub "'${Origin}'"}}
          ResponseTemplates: {application/json: '{"message": $context.error.messageString, "id": "$context.requestId"}'}
        THROTTLED:
          StatusCode: "429"
          ResponseParameters: {Headers: {Retry-After: "'1'", X-From-Request: method.request.header.x}}
          ResponseTemplates: {application/json: '{"slow": $context.error.messageString}'}
        ACCESS_DENIED:
          StatusCode: "418"
"""


def _responses(text: str = TEMPLATE) -> GatewayResponses:
    return GatewayResponses(parse_api(yaml.load(text, Loader=CfnLoader)))  # noqa: S506 - a SafeLoader


def _answer(responses, kind, message="Unauthorized", status=None):
    code, headers, body = responses.answer(kind, message, "req-1", status)
    return code, dict(headers), json.loads(body)


def test_a_type_the_api_leaves_out_takes_default_4xx_at_its_own_status():
    code, headers, body = _answer(_responses(), "UNAUTHORIZED")
    assert (code, body) == (401, {"message": "Unauthorized", "id": "req-1"})
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert headers["Content-Type"] == "application/json"


def test_a_type_the_api_defines_uses_its_own_status_headers_and_template():
    code, headers, body = _answer(_responses(), "THROTTLED", "Too Many Requests")
    assert (code, body, headers["Retry-After"]) == (429, {"slow": "Too Many Requests"}, "1")
    assert "X-From-Request" not in headers  # a request mapping, not a static value
    assert "Access-Control-Allow-Origin" not in headers  # its own definition replaces DEFAULT_4XX's
    code, _, body = _answer(_responses(), "ACCESS_DENIED", "denied")
    assert (code, body) == (418, {"Message": "denied"})  # no template of its own: API Gateway's body


def test_without_gateway_responses_api_gateways_own_bodies():
    bare = _responses("Resources: {Api: {Type: AWS::Serverless::Api, Properties: {StageName: s}}}")
    assert _answer(bare, "UNAUTHORIZED")[::2] == (401, {"message": "Unauthorized"})
    assert _answer(bare, "ACCESS_DENIED", "no")[::2] == (403, {"Message": "no"})
    assert _answer(bare, "AUTHORIZER_FAILURE", None)[::2] == (500, {"message": None})
    assert _answer(bare, "DEFAULT_5XX", "Internal server error", 502)[0] == 502
    assert bare.preflight(["GET"]) is None


def test_a_message_is_rendered_as_a_json_string_whatever_it_holds():
    assert json.loads(render('{"m": $context.error.messageString}', {"error.messageString": json.dumps('a "q"')})) \
        == {"m": 'a "q"'}
    assert render("$context.unknown.thing|$context.requestId", {"requestId": "r"}) == "|r"


def test_the_preflight_lists_the_paths_methods_and_the_templates_headers():
    status, headers, _ = _responses().preflight(["POST", "get"])
    headers = dict(headers)
    assert status == 200
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS,POST"
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    assert headers["Access-Control-Max-Age"] == "60"
