"""Bounds that keep a request storable and renderable: metadata DynamoDB can hold, body and list sizes."""
import json

import pytest

from imagegraphics.errors import InvalidRequest, PayloadTooLarge
from imagegraphics.request import parse_request, parse_request_json
from imagegraphics.service.models import CreateAsset, parse_body

A = "0123456789abcdef0123456789abcdef"
DATA_LOC = ["assets", 0, A, "options", "disposition", "metadata", "data"]


def with_data(data):
    return {"assets": [{A: {"options": {"disposition": {"create_asset": True, "metadata": {"data": data}}}}}],
            "operations": [{"bg_remove": {}}]}


def errors_of(payload):
    with pytest.raises(InvalidRequest) as exc:
        parse_request(payload)
    return exc.value.errors


def nested(depth, leaf=1):
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize("text, path, rule", [
    ('{"n": 1e400}', ["n"], "finite"),
    ('{"a": {"b": [1, NaN]}}', ["a", "b", 1], "finite"),
    ('{"n": -Infinity}', ["n"], "finite"),
    ('{"n": ' + "1" * 51 + "}", ["n"], "38 significant digits"),
    ('{"n": 1e126}', ["n"], "1e125"),
    ('{"n": 1e-140}', ["n"], "1e-130"),
    ('{"n": 0.1234567890123456789}', None, None),  # a float keeps its shortest repr: 17 digits
    ('{"n": ' + "9" * 38 + ', "z": 0, "f": false}', None, None),
])
def test_metadata_numbers_must_be_storable(text, path, rule):
    data = json.loads(text)
    if path is None:
        assert parse_request(with_data(data)).assets[0].options.disposition.metadata.data == data
        return
    [error] = errors_of(with_data(data))
    assert error["loc"] == DATA_LOC + path and rule in error["msg"]


BAD_KEYS = [
    ({"": 1}, [""], "keys must be 1 to 255 characters (got an empty key)"),
    ({"a": {"": "v"}}, ["a", ""], "(got an empty key)"),
    ({"a": [1, {"b": {"": None}}]}, ["a", 1, "b", ""], "(got an empty key)"),
    ({"k" * 256: 1}, ["k" * 256], "keys must be 1 to 255 characters (got 256 characters)"),
    ({"a": {"字" * 300: {}}}, ["a", "字" * 300], "(got 300 characters)"),
]


@pytest.mark.parametrize("data, path, rule", BAD_KEYS)
def test_metadata_keys_must_be_names_the_table_can_store(data, path, rule):
    [error] = errors_of(with_data(data))
    assert error["loc"] == DATA_LOC + path and rule in error["msg"]


@pytest.mark.parametrize("data, path, rule", BAD_KEYS)
def test_asset_metadata_keys_follow_the_same_rule(data, path, rule):
    with pytest.raises(InvalidRequest) as exc:
        parse_body(CreateAsset, {"filename": "a.png", "content_type": "image/png", "metadata": data})
    [error] = exc.value.errors
    assert exc.value.status == 400 and error["loc"] == ["metadata"] + path and rule in error["msg"]


@pytest.mark.parametrize("data", [{"k" * 255: 1}, {" ": {"x": ""}}, {"a": {"字" * 255: []}}])
def test_metadata_keys_of_1_to_255_characters_are_stored(data):
    assert parse_request(with_data(data)).assets[0].options.disposition.metadata.data == data


def test_metadata_nesting_is_bounded():
    assert parse_request(with_data(nested(29))).assets[0].options.disposition.metadata.data == nested(29)
    [error] = errors_of(with_data(nested(40)))
    assert error["loc"] == DATA_LOC + ["k"] * 30 and "30 levels" in error["msg"]
    [error] = errors_of(with_data({"x": nested(900)}))  # deeper than the recursion limit allows walking
    assert error["loc"][:len(DATA_LOC) + 1] == DATA_LOC + ["x"]


def test_metadata_data_is_bounded_like_asset_metadata():
    [error] = errors_of(with_data({"blob": "x" * 20_000}))
    assert error["loc"] == DATA_LOC and "at most 16384 bytes" in error["msg"]


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000])
def test_json_nested_past_the_parser_stack_is_a_400(body):
    with pytest.raises(InvalidRequest) as exc:
        parse_request_json(body)
    assert exc.value.errors == [{"loc": [], "msg": "the request body must be valid JSON nested less deeply"}]


def test_a_body_over_the_limit_is_refused_before_parsing():
    body = json.dumps(with_data({"blob": "x" * 300_000}))
    with pytest.raises(PayloadTooLarge) as exc:
        parse_request_json(body)
    assert exc.value.status == 413 and "262144 bytes" in exc.value.message
    assert exc.value.errors[0]["loc"] == [] and f"got {len(body)}" in exc.value.errors[0]["msg"]


def test_a_request_is_measured_as_stored_with_characters_escaped():
    # 100 000 characters of 3 bytes: 300 KB as UTF-8 but 600 KB as the job store writes it (\uXXXX).
    payload = with_data({})
    payload["assets"][0][A]["options"]["disposition"]["metadata"]["inherit_fields"] = ["字" * 1000] * 100
    assert len(json.dumps(payload, ensure_ascii=False).encode()) < 400_000
    with pytest.raises(PayloadTooLarge):
        parse_request(payload)
    with pytest.raises(PayloadTooLarge):
        parse_request_json(json.dumps(payload, ensure_ascii=False))
    assert parse_request(with_data({"k": "字" * 1000}))  # well under: accepted


@pytest.mark.parametrize("value, msg", [
    (10 ** 45, "must be 2147483647 or less"), (2 ** 31, "must be 2147483647 or less"), (-1, "must be 0 or more")])
def test_data_schema_id_is_a_32_bit_id(value, msg):
    payload = with_data({})
    payload["assets"][0][A]["options"]["disposition"]["data_schema_id"] = value
    assert errors_of(payload) == [{"loc": DATA_LOC[:-2] + ["data_schema_id"], "msg": msg}]
    payload["assets"][0][A]["options"]["disposition"]["data_schema_id"] = 2 ** 31 - 1
    assert parse_request(payload).assets[0].options.disposition.data_schema_id == 2 ** 31 - 1


def graphics_request(graphics_per_op, ops):
    graphic = {"type": "image", "options": {"image_id": A}}
    operation = {"graphics_add": {"graphics": [graphic] * graphics_per_op}}
    return {"assets": [{A: {}}], "operations": [operation] * ops}


def test_graphics_per_graphics_add_are_capped_at_20():
    assert len(parse_request(graphics_request(20, 1)).operations[0].graphics) == 20
    assert errors_of(graphics_request(21, 1)) == [
        {"loc": ["operations", 0, "graphics_add", "graphics"], "msg": "at most 20 graphics per graphics_add"}]


def test_graphics_add_operations_are_capped_at_10_and_operations_at_14():
    assert len(parse_request(graphics_request(1, 10)).operations) == 10
    assert errors_of(graphics_request(1, 12)) == [
        {"loc": ["operations", i, "graphics_add"], "msg": "at most 10 graphics_add operations per request"}
        for i in (10, 11)]
    assert errors_of(graphics_request(1, 15)) == [
        {"loc": ["operations"], "msg": "at most 14 operations per request"}]
