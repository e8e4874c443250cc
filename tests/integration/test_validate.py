"""POST /api/v1/assets/addons/image_graphics/validate: a flow for one asset checked by submit's rules,
each error where the flow has it, nothing created."""
from __future__ import annotations

import json

import pytest
from integration_support import png

from imagegraphics.request import MESSAGE

FLOW = {"operations": [{"bg_remove": {"options": {"mode": "product"}}}, {"bg_add": {"options": {"color": "#ffffff"}}}],
        "options": {"size": {"width": 800, "height": 800},
                    "disposition": {"add_as_conversion": True, "conversion_name": "white-800"}}}


def _validate(stack, body: object, tenant: str = "dev", scopes: str = "*") -> tuple[int, dict]:
    event = stack.event("apigw_validate_flow", tenant=tenant)
    event["requestContext"]["authorizer"]["scopes"] = scopes
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    return stack.respond("submit", event)


def _nothing_created(stack) -> bool:
    objects = stack.s3.list_objects_v2(Bucket=stack.bucket).get("KeyCount", 0)
    return stack.count_items("JOB#") == 0 and stack.count_items("ASSET#") == 0 and objects == 0 \
        and stack.job_messages() == []


def test_the_sample_event_is_valid_says_what_it_makes_and_creates_nothing(stack):
    code, answer = stack.call("submit", "apigw_validate_flow")
    assert code == 200, answer
    assert answer == {"valid": True, "output": {"kind": "conversion", "name": "white-800", "format": "png",
                                                "content_type": "image/png", "extension": "png"}}
    assert _nothing_created(stack)


@pytest.mark.parametrize("disposition, output", [
    ({}, {"kind": "conversion", "name": "image-graphics", "format": "png", "extension": "png"}),
    ({"format": "jpeg", "quality": 80}, {"kind": "conversion", "name": "image-graphics", "format": "jpeg",
                                         "extension": "jpg"}),
    ({"create_asset": True, "format": "webp"}, {"kind": "asset", "name": None, "format": "webp", "extension": "webp"}),
    ({"create_asset": True, "conversion_name": "cut"}, {"kind": "asset", "name": "cut", "format": "png",
                                                        "extension": "png"}),
])
def test_the_output_is_the_one_a_job_would_make(stack, disposition, output):
    code, answer = _validate(stack, {**FLOW, "options": {"disposition": disposition}})
    assert code == 200, answer
    assert {k: v for k, v in answer["output"].items() if k != "content_type"} == output


@pytest.mark.parametrize("body, loc, rule", [
    ({"operations": []}, ["operations"], "at least one operation"),
    ({"options": {}}, ["operations"], "required"),
    ({**FLOW, "assets": [{"0" * 32: {}}]}, ["assets"], "unknown key"),
    ({**FLOW, "options": {"crop": {"left": 5, "top": 0, "right": 2, "bottom": 3}}}, ["options", "crop", "right"],
     "greater than left"),
    ({**FLOW, "operations": [{"bg_remove": {"options": {"mode": "people"}}}]},
     ["operations", 0, "bg_remove", "options", "mode"], ""),
    ({**FLOW, "options": {"disposition": {"format": "png", "quality": 80}}},
     ["options", "disposition", "quality"], ""),
    ({**FLOW, "webhook": {"url": "http://hooks.example.com"}}, ["webhook", "url"], "https"),
])
def test_a_broken_rule_is_400_at_its_place_in_the_flow_with_submits_message(stack, body, loc, rule):
    code, answer = _validate(stack, body)
    assert code == 400, answer
    assert answer["message"] == MESSAGE
    assert any(e["loc"] == loc and rule in e["msg"] for e in answer["errors"]), answer["errors"]
    assert _nothing_created(stack)


def test_the_errors_are_submits_errors_moved_to_where_the_flow_has_them(stack):
    asset = stack.ready("dev")
    flow = {"operations": [{"bg_remove": {"options": {"mode": "people", "strength": "max"}}}],
            "options": {"position": {"x": -1, "y": 0}}}
    request = {"assets": [{asset: {"options": flow["options"]}}], "operations": flow["operations"]}
    event = stack.event("apigw_submit_remove_conversion")
    event["body"] = json.dumps(request)
    submitted_code, submitted = stack.respond("submit", event)
    code, validated = _validate(stack, flow)
    assert submitted_code == code == 400
    assert submitted["message"] == validated["message"]
    moved = [{**e, "loc": ["options", *e["loc"][4:]] if e["loc"][:2] == ["assets", 0] else e["loc"]}
             for e in submitted["errors"]]
    assert validated["errors"] == moved and len(moved) == 3
    assert ["options", "position", "x"] in [e["loc"] for e in validated["errors"]]


def test_images_the_flow_draws_must_be_the_tenants_and_ready(stack):
    ready = stack.ready("dev", png((40, 30)))
    pending = stack.uploaded("dev", png((40, 30)))
    theirs = stack.ready("other", png((40, 30)))

    def border(image_id: str) -> dict:
        return {"operations": [{"border_add": {"options": {"image_id": image_id}}}],
                "options": {"canvas": {"size": {"width": 40, "height": 30}}}}

    assert _validate(stack, border(ready))[0] == 200
    code, answer = _validate(stack, border(theirs))
    assert code == 404
    assert answer["errors"] == [{"loc": ["operations", 0, "border_add", "options", "image_id"],
                                 "msg": f"asset {theirs} not found"}]
    code, answer = _validate(stack, border(pending))
    assert code == 409 and answer["errors"][0]["msg"] == f"asset {pending} is PENDING, not READY"
    assert stack.count_items("JOB#") == 0


def test_it_needs_the_scope_submit_needs_and_a_json_object(stack):
    code, answer = _validate(stack, FLOW, scopes="jobs:read assets:write")
    assert code == 403 and "jobs:write" in answer["message"]
    assert _validate(stack, FLOW, scopes="jobs:write")[0] == 200
    code, answer = _validate(stack, "{not json")
    assert code == 400 and answer["message"] == MESSAGE
    code, answer = _validate(stack, [FLOW])
    assert code == 400
