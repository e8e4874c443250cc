"""Bounds that keep a request storable and renderable: metadata DynamoDB can hold, body and list sizes."""
import json

import pytest

from imagegraphics.errors import InvalidRequest
from imagegraphics.request import parse_request, parse_request_json

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


def test_metadata_nesting_is_bounded():
    assert parse_request(with_data(nested(29))).assets[0].options.disposition.metadata.data == nested(29)
    [error] = errors_of(with_data(nested(40)))
    assert error["loc"] == DATA_LOC + ["k"] * 30 and "30 levels" in error["msg"]
    [error] = errors_of(with_data({"x": nested(900)}))  # deeper than the recursion limit allows walking
    assert error["loc"][:len(DATA_LOC) + 1] == DATA_LOC + ["x"]


def test_metadata_data_is_bounded_like_asset_metadata():
    [error] = errors_of(with_data({"blob": "x" * 500_000}))
    assert error["loc"] == DATA_LOC and "at most 16384 bytes" in error["msg"]


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a": ' * 100_000])
def test_json_nested_past_the_parser_stack_is_a_400(body):
    with pytest.raises(InvalidRequest) as exc:
        parse_request_json(body)
    assert exc.value.errors == [{"loc": [], "msg": "the request body must be valid JSON nested less deeply"}]
