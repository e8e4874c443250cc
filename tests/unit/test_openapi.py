"""The OpenAPI document: current with the routes, valid, and true to the template and the handlers."""
from __future__ import annotations

import json

import jsonschema
import pytest
from openapi_spec_validator import validate
from pydantic import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from imagegraphics.api import error_body
from imagegraphics.errors import InvalidRequest, ServiceUnavailable, detail
from imagegraphics.request import AssetEntry, ImageGraphicsRequest, RequestLimits, parse_request
from imagegraphics.service.models import CreateAsset
from imagegraphics.service.openapi import API_KEY_SECURITY, COMPONENTS, REQUEST_BODIES
from local.apigw import HttpRequest, base_event, proxy_event
from local.runtime import LambdaContext, load_module
from local.template import ROOT, load_template, parse_api
from tools import openapi as tool

DOCUMENT = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
API = parse_api(load_template())
ROUTES = {(r.method, r.path): r for spec in API.functions.values() for r in spec.routes}
A, B = "0123456789abcdef0123456789abcdef", "f" * 32
OPERATIONS = {(method.upper(), path): op
              for path, item in DOCUMENT["paths"].items() for method, op in item.items()}


@pytest.fixture(scope="module")
def built() -> dict:
    return tool.build()


def test_the_committed_document_is_what_the_routes_give(built):
    text = tool.render(built)
    for path in tool.OUTPUTS:
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run `make openapi` and commit it")


def test_the_check_mode_says_what_to_run_when_a_file_is_stale(built, tmp_path, monkeypatch, capsys):
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(tool, "OUTPUTS", (stale,))
    assert tool.main(["--check"]) == 1
    assert "run `make openapi`" in capsys.readouterr().err
    assert tool.main([]) == 0 and tool.main(["--check"]) == 0
    assert json.loads(stale.read_text()) == built


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_every_route_of_the_template_is_documented_and_nothing_else():
    assert set(OPERATIONS) == set(ROUTES)
    assert len({op["operationId"] for op in OPERATIONS.values()}) == len(OPERATIONS)
    declared = {tag["name"] for tag in DOCUMENT["tags"]}
    assert all(op["summary"] and op["description"] and set(op["tags"]) <= declared for op in OPERATIONS.values())


def test_both_key_headers_are_security_schemes_and_only_public_routes_need_none():
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert {k: schemes["bearerAuth"][k] for k in ("type", "scheme")} == {"type": "http", "scheme": "bearer"}
    assert {k: schemes["fileSpinApiKey"][k] for k in ("type", "in", "name")} == {
        "type": "apiKey", "in": "header", "name": "X-FileSpin-Api-Key"}
    assert DOCUMENT["security"] == API_KEY_SECURITY
    for key, op in OPERATIONS.items():
        assert op["security"] == (API_KEY_SECURITY if ROUTES[key].authorized else []), key


# The routes whose success is not JSON, and the media types it may have.
PAGES = {("GET", "/api/v1/docs"): {"text/html"},
         ("GET", "/api/v1/docs/{digest}/{name}"): {"text/javascript", "text/css", "text/plain"},
         ("GET", "/app"): {"text/html"},
         ("GET", "/app/{digest}/{name}"): {"text/javascript", "text/css"}}


def _schema_of(answer: dict) -> dict:
    return answer["content"]["application/json"]["schema"]


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_every_answer_has_a_body_and_every_error_is_the_error_body(key):
    op = OPERATIONS[key]
    statuses = {int(code) for code in op["responses"]}
    assert {429, 500, 502, 504} <= statuses  # the stage's throttle, failures no rule foresaw
    if ROUTES[key].authorized:
        assert {401, 403} <= statuses
    successes = [code for code in statuses if code < 400]
    assert len(successes) == 1
    for code, answer in op["responses"].items():
        assert answer["description"]
        if int(code) >= 400:
            assert _schema_of(answer) == {"$ref": f"{COMPONENTS}ErrorBody"}, (key, code)
        elif key in PAGES:  # the docs and app pages and their files: text, never JSON
            assert set(answer["content"]) == PAGES[key]
            assert all(media["schema"] == {"type": "string"} for media in answer["content"].values())
        elif code != "204":
            assert _schema_of(answer)
        else:
            assert "content" not in answer
        if int(code) in (429, 503):
            assert answer["headers"]["Retry-After"]["required"] is False


def test_routes_with_a_body_document_it_from_the_models_the_handlers_validate_with():
    bodies = {key: _schema_of(op["requestBody"]) for key, op in OPERATIONS.items() if "requestBody" in op}
    assert bodies[("POST", "/api/v1/assets")] == {"$ref": f"{COMPONENTS}CreateAsset"}
    submit = ("POST", "/api/v1/assets/addons/image_graphics")
    assert bodies[submit] == {"$ref": f"{COMPONENTS}ImageGraphicsRequest"}
    schemas = DOCUMENT["components"]["schemas"]
    for key, body in bodies.items():
        name = body["$ref"].removeprefix(COMPONENTS)
        assert schemas[name]["title"] == REQUEST_BODIES[name].__name__, key
    assert set(schemas["CreateAsset"]["properties"]) == set(CreateAsset.model_fields)
    assert set(schemas["ImageGraphicsRequest"]["properties"]) == set(ImageGraphicsRequest.model_fields)
    assert schemas["CreateAsset"]["additionalProperties"] is False  # unknown keys are a 400


def test_every_request_example_passes_the_handlers_own_validation():
    examples = {key: op["requestBody"]["content"]["application/json"].get("example")
                for key, op in OPERATIONS.items() if "requestBody" in op}
    CreateAsset.model_validate(examples[("POST", "/api/v1/assets")])
    parse_request(examples[("POST", "/api/v1/assets/addons/image_graphics")], RequestLimits())
    for key, example in examples.items():
        if example is not None:
            name = OPERATIONS[key]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            _validator(name.removeprefix(COMPONENTS)).validate(example)


# Keywords client generators (openapi-python-client among them) ignore, building a model that holds nothing.
UNSUPPORTED_BY_GENERATORS = {"patternProperties", "prefixItems", "unevaluatedProperties", "dependentSchemas",
                             "if", "then", "else", "not"}


def _schemas(schema: dict):
    """Every schema inside a schema, itself first (property names are not keywords)."""
    yield schema
    children = [*schema.get("properties", {}).values(), *schema.get("anyOf", []), *schema.get("oneOf", []),
                *schema.get("allOf", [])]
    children += [schema[key] for key in ("items", "additionalProperties", "propertyNames")
                 if isinstance(schema.get(key), dict)]
    for child in children:
        yield from _schemas(child)


def test_no_schema_uses_a_keyword_client_generators_ignore():
    found = {(name, keyword) for name, schema in DOCUMENT["components"]["schemas"].items()
             for inner in _schemas(schema) for keyword in UNSUPPORTED_BY_GENERATORS & set(inner)}
    assert not found


@pytest.mark.parametrize("entry", [
    {A: {"options": {}}}, {A: {}}, {}, {A: {}, B: {}}, {A.upper(): {}}, {"not-an-id": {}}, {A[:-1]: {}},
    {A: {"options": {"colour": 1}}}, {A: []}, [A]])
def test_the_documented_asset_entry_accepts_what_the_model_accepts(entry):
    try:
        AssetEntry.model_validate(entry)
        accepted = True
    except ValidationError:
        accepted = False
    documented = _validator("AssetEntry").is_valid(entry)
    assert documented == accepted


def test_a_body_status_an_endpoint_cannot_answer_is_not_documented():
    # A GET reads no body: nothing can be too large or malformed in it.
    for key in (("GET", "/api/v1/assets/{asset_id}"), ("GET", "/api/v1/openapi.json"), *PAGES):
        assert not {"400", "413"} & set(OPERATIONS[key]["responses"])
    assert "409" not in OPERATIONS[("POST", "/api/v1/assets")]["responses"]


def _validator(name: str) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource("urn:openapi", Resource(contents=DOCUMENT, specification=DRAFT202012))
    return jsonschema.Draft202012Validator({"$ref": f"urn:openapi{COMPONENTS}{name}"}, registry=registry)


@pytest.mark.parametrize("exc", [
    InvalidRequest("invalid request body", [detail(["filename"], "String should have at least 1 character")]),
    ServiceUnavailable("the asset table is busy; please retry"),
    RuntimeError("boom"),
])
def test_the_error_bodies_the_handlers_answer_match_the_documented_schema(exc):
    _validator("ErrorBody").validate(error_body(exc).body())
    _validator("ErrorBody").validate({"message": "Unauthorized", "errors": []})  # the gateway's own 401


def _get(path: str) -> dict:
    """The answer of the function serving GET `path`, invoked as API Gateway would (no authorizer)."""
    spec = next(s for s in API.functions.values() if any(r.path == path for r in s.routes))
    module = load_module(spec.source, f"_test_openapi_{spec.name}")
    event = proxy_event(base_event(HttpRequest("GET", path, "", [], b""), path, {}, API.stage), b"", None)
    return module.lambda_handler(event, LambdaContext(spec.logical_id, spec.memory, spec.timeout))


def test_the_document_route_serves_the_committed_document_without_a_key():
    assert not ROUTES[("GET", "/api/v1/openapi.json")].authorized
    answer = _get("/api/v1/openapi.json")
    assert answer["statusCode"] == 200
    headers = {k.lower(): v for k, v in (answer.get("multiValueHeaders") or {}).items()}
    assert headers["content-type"] == ["application/json"]
    assert json.loads(answer["body"]) == DOCUMENT
