"""parse_request end to end: the DESIGN.md example, defaults, round trip, shapes, and all errors at once."""
import json

import pytest

from imagegraphics.errors import InvalidRequest
from imagegraphics.request import (
    AssetEntry, BgAdd, BgRemove, BorderAdd, GraphicsAdd, ImageGraphicsRequest, RequestLimits,
    parse_request, parse_request_json)

A = "0123456789abcdef0123456789abcdef"
B = "00112233445566778899aabbccddeeff"
IMG = "fedcba9876543210fedcba9876543210"
GFX = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
BORDER = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

EXAMPLE = {"assets": [{A: {"options": {
    "canvas": {"size": {"width": 1000, "height": 1000}, "color": "#ffffff"},
    "size": {"width": 500, "height": 500},
    "crop": {"left": 0, "top": 0, "right": 200, "bottom": 300},
    "position": {"x": 0, "y": 0},
    "disposition": {"add_as_conversion": True, "create_asset": False, "conversion_name": "image-graphics",
                    "mode": "APPEND", "data_schema_id": 1, "metadata": {
                        "inherit": True, "src_asset_id": A, "inherit_fields": ["title"], "data": {}}}}}}],
    "operations": [
        {"bg_remove": {"options": {"mode": "portrait", "strength": "medium", "remove_artifacts": True}}},
        {"bg_add": {"options": {"color": "#ffffff", "image_id": IMG, "mode": "as-is",
                                "size": {"width": 1000, "height": 1000}}}},
        {"graphics_add": {"graphics": [{"type": "image", "options": {
            "image_id": GFX, "position": {"x": 0, "y": 0}, "size": {"width": 100, "height": 100}}}]}},
        {"border_add": {"options": {"image_id": BORDER}}}]}


def minimal(**options):
    return {"assets": [{A: {"options": options}}], "operations": [{"bg_remove": {}}]}


def errors_of(payload, limits=RequestLimits()):
    with pytest.raises(InvalidRequest) as exc:
        parse_request(payload, limits)
    assert exc.value.message == "invalid Image Graphics request"
    return exc.value.errors


def test_design_example_parses():
    req = parse_request(EXAMPLE)
    entry = req.assets[0]
    assert entry.asset_id == A
    o = entry.options
    assert o.canvas.color == (255, 255, 255, 255)
    assert (o.canvas.size.width, o.canvas.size.height) == (1000, 1000)
    assert (o.crop.left, o.crop.top, o.crop.right, o.crop.bottom) == (0, 0, 200, 300)
    assert (o.position.x, o.position.y) == (0, 0)
    assert o.disposition.metadata.src_asset_id == A
    assert [op.name for op in req.operations] == ["bg_remove", "bg_add", "graphics_add", "border_add"]
    remove, add, graphics, border = req.operations
    assert isinstance(remove, BgRemove) and remove.options.mode == "portrait"
    assert isinstance(add, BgAdd) and add.options.image_id == IMG and add.options.mode == "as-is"
    assert isinstance(graphics, GraphicsAdd) and graphics.graphics[0].options.image_id == GFX
    assert graphics.graphics[0].options.color is None
    assert isinstance(border, BorderAdd) and border.options.image_id == BORDER
    assert req.asset_ids() == [A]
    assert req.referenced_image_ids() == {IMG, GFX, BORDER}
    assert req.image_references() == [
        (("operations", 1, "bg_add", "options", "image_id"), IMG),
        (("operations", 2, "graphics_add", "graphics", 0, "options", "image_id"), GFX),
        (("operations", 3, "border_add", "options", "image_id"), BORDER),
    ]


def test_defaults_of_a_minimal_request():
    req = parse_request({"assets": [{A: {}}], "operations": [{"bg_remove": {}}]})
    o = req.assets[0].options
    assert (o.canvas, o.size, o.crop, o.position) == (None, None, None, None)
    d = o.disposition
    # neither add_as_conversion nor create_asset: saved as the conversion "image-graphics"
    assert (d.add_as_conversion, d.create_asset, d.conversion_name, d.mode) == (
        True, False, "image-graphics", "APPEND")
    assert d.conversion_name_or_default == "image-graphics"
    opts = req.operations[0].options
    assert (opts.mode, opts.strength, opts.remove_artifacts) == ("auto", "medium", True)
    assert req.referenced_image_ids() == set()


def test_defaults_keep_a_given_conversion_name_and_create_asset():
    req = parse_request({"assets": [
        {A: {"options": {"disposition": {"conversion_name": "thumb"}}}},
        {B: {"options": {"disposition": {"create_asset": True}}}}], "operations": [{"bg_remove": {}}]})
    first, second = (e.options.disposition for e in req.assets)
    assert (first.add_as_conversion, first.conversion_name) == (True, "thumb")
    assert (second.add_as_conversion, second.create_asset, second.conversion_name) == (False, True, None)


@pytest.mark.parametrize("payload", [EXAMPLE, minimal(), minimal(canvas={"color": "#00FF0080"})])
def test_round_trip_through_the_stored_payload(payload):
    req = parse_request(payload)
    again = parse_request(req.to_payload())
    assert again == req
    assert again.to_payload() == req.to_payload()


def test_payload_keeps_the_client_shape():
    payload = parse_request(EXAMPLE).to_payload()
    assert list(payload["assets"][0]) == [A]
    assert payload["assets"][0][A]["options"]["canvas"]["color"] == "#ffffff"
    assert [next(iter(op)) for op in payload["operations"]] == ["bg_remove", "bg_add", "graphics_add", "border_add"]


def test_entry_built_in_code():
    entry = AssetEntry.of(A)
    assert entry.asset_id == A and entry.options.disposition.mode == "APPEND"
    req = ImageGraphicsRequest(assets=[entry], operations=[BgRemove()])
    assert parse_request(req.to_payload()).operations == [BgRemove()]


def test_every_error_is_reported():
    payload = {"assets": [{A: {"options": {"size": {"width": 0, "height": 10}, "crop": {"left": -1},
                                           "shape": "round"}}}, {"abc": {}}],
               "operations": [{"resize": {}}, {"bg_add": {"options": {"mode": "tile"}}}]}
    assert errors_of(payload) == [
        {"loc": ["assets", 0, A, "options", "size", "width"], "msg": "must be a positive number of pixels"},
        {"loc": ["assets", 0, A, "options", "crop", "left"], "msg": "must be 0 or more"},
        {"loc": ["assets", 0, A, "options", "crop", "top"], "msg": "required"},
        {"loc": ["assets", 0, A, "options", "crop", "right"], "msg": "required"},
        {"loc": ["assets", 0, A, "options", "crop", "bottom"], "msg": "required"},
        {"loc": ["assets", 0, A, "options", "shape"],
         "msg": "unknown key; valid keys are canvas, size, crop, position, disposition"},
        {"loc": ["assets", 1, "abc"], "msg": "must be an asset id: 32 lowercase hexadecimal characters"},
        {"loc": ["operations", 0, "resize"],
         "msg": "unknown operation; valid operations are bg_remove, bg_add, graphics_add, border_add, shadow_add"},
        {"loc": ["operations", 1, "bg_add", "options", "mode"], "msg": "must be one of 'as-is' or 'stretch'"},
    ]


def test_every_rule_violation_is_reported():
    payload = {"assets": [{A: {"options": {"crop": {"left": 5, "top": 5, "right": 5, "bottom": 1},
                                           "disposition": {"add_as_conversion": True}}}}],
               "operations": [{"bg_add": {"options": {}}}, {"bg_remove": {}}]}
    assert errors_of(payload) == [
        {"loc": ["assets", 0, A, "options", "crop", "right"], "msg": "must be greater than left"},
        {"loc": ["assets", 0, A, "options", "crop", "bottom"], "msg": "must be greater than top"},
        {"loc": ["assets", 0, A, "options", "disposition", "conversion_name"],
         "msg": "required when add_as_conversion is true"},
        {"loc": ["operations", 1, "bg_remove"], "msg": "must come before bg_add (operations[0])"},
        {"loc": ["operations", 0, "bg_add", "options"], "msg": "needs color or image_id (or both)"},
    ]


def test_errors_of_assets_and_operations_are_reported_together():
    """A broken operation does not hide the asset rules, and a broken asset does not hide the operation rules."""
    payload = {"assets": [{A: {"options": {"crop": {"left": 5, "top": 0, "right": 1, "bottom": 9},
                                           "disposition": {"add_as_conversion": True}}}}],
               "operations": [{"bg_remove": {"options": {"strength": "x"}}}]}
    assert errors_of(payload) == [
        {"loc": ["operations", 0, "bg_remove", "options", "strength"],
         "msg": "must be one of 'low', 'medium' or 'high'"},
        {"loc": ["assets", 0, A, "options", "crop", "right"], "msg": "must be greater than left"},
        {"loc": ["assets", 0, A, "options", "disposition", "conversion_name"],
         "msg": "required when add_as_conversion is true"},
    ]
    payload = {"assets": [{A: {"options": {"size": {"width": 0, "height": 1}}}}],
               "operations": [{"bg_add": {"options": {}}}, {"bg_remove": {}}]}
    assert errors_of(payload) == [
        {"loc": ["assets", 0, A, "options", "size", "width"], "msg": "must be a positive number of pixels"},
        {"loc": ["operations", 1, "bg_remove"], "msg": "must come before bg_add (operations[0])"},
        {"loc": ["operations", 0, "bg_add", "options"], "msg": "needs color or image_id (or both)"},
    ]


def test_rules_reading_a_broken_part_do_not_run():
    # Whether the position has a background to go on is unknown while the operations are broken.
    payload = {"assets": [{A: {"options": {"position": {"x": 0, "y": 0}}}}],
               "operations": [{"bg_add": {"options": {"color": "red"}}}]}
    assert errors_of(payload) == [
        {"loc": ["operations", 0, "bg_add", "options", "color"], "msg": "must be a colour #rgb, #rrggbb or #rrggbbaa"}]
    assert errors_of({"operations": [{"bg_add": {"options": {}}}]}) == [
        {"loc": ["assets"], "msg": "required"},
        {"loc": ["operations", 0, "bg_add", "options"], "msg": "needs color or image_id (or both)"}]


@pytest.mark.parametrize("payload", [[], "text", None, 3])
def test_body_must_be_an_object(payload):
    assert errors_of(payload) == [{"loc": [], "msg": "the request body must be a JSON object"}]


@pytest.mark.parametrize("body", [b"{", b"", None, "{", b"\xef\xbb\xbf"])
def test_body_must_be_json(body):
    with pytest.raises(InvalidRequest) as exc:
        parse_request_json(body)
    assert exc.value.errors == [{"loc": [], "msg": "the request body must be valid JSON"}]


LATIN1 = '{"assets": [], "note": "café"}'


@pytest.mark.parametrize("body, why", [
    (b'{"a": "\xff"}', "byte 0xff at offset 7 is not UTF-8"),
    (LATIN1.encode("latin-1"), f"byte 0xe9 at offset {LATIN1.index('é')} is not UTF-8"),
    (LATIN1.encode("cp1252"), f"byte 0xe9 at offset {LATIN1.index('é')} is not UTF-8"),
    (b'{"a": "\xc3"}', "byte 0xc3 at offset 7 is not UTF-8"),  # a multi-byte sequence cut short
    (b'{"a": "\xed\xa0\x80"}', "byte 0xed at offset 7 is not UTF-8"),  # a surrogate encoded as UTF-8
    (LATIN1.encode("utf-16"), "it looks like UTF-16"),  # with a byte order mark
    (LATIN1.encode("utf-16-le"), "it looks like UTF-16-LE"),
    (LATIN1.encode("utf-16-be"), "it looks like UTF-16-BE"),
    (LATIN1.encode("utf-32"), "it looks like UTF-32"),
    ('{"a": 1}'.encode("utf-16-le").decode("utf-8"), "a NUL character at offset 1"),  # UTF-16 read as text
])
def test_body_must_be_utf8(body, why):
    with pytest.raises(InvalidRequest) as exc:
        parse_request_json(body)
    assert exc.value.status == 400
    assert exc.value.errors == [{"loc": [], "msg": f"the request body must be UTF-8 JSON ({why})"}]


@pytest.mark.parametrize("body", [
    json.dumps(EXAMPLE, ensure_ascii=False).encode("utf-8"),
    b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode(),  # a UTF-8 byte order mark may lead (RFC 8259 8.1)
    "\ufeff" + json.dumps(EXAMPLE),
])
def test_utf8_bodies_parse(body):
    assert parse_request_json(body) == parse_request(EXAMPLE)


@pytest.mark.parametrize("body, loc, what", [
    ('{"assets": "\\udcff"}', ["assets"], "string"),
    ('{"operations": [{"bg_remove": {"options": {"mode": "x\\ud800"}}}]}',
     ["operations", 0, "bg_remove", "options", "mode"], "string"),
    ('{"assets": [{"\\udfff": {}}]}', ["assets", 0, "\udfff"], "key"),
    ('{"\\ud83d": 1}', ["\ud83d"], "key"),
])
def test_lone_surrogates_are_refused_where_they_are(body, loc, what):
    with pytest.raises(InvalidRequest) as exc:
        parse_request_json(body)
    [error] = exc.value.errors
    assert error["loc"] == loc
    assert error["msg"].startswith(f"the {what} is not Unicode text") and "lone surrogate" in error["msg"]


def test_escaped_surrogate_pairs_are_text():
    # "\\ud83d\\ude00" is one character (U+1F600), not two lone halves: the request reaches the rules.
    with pytest.raises(InvalidRequest) as exc:
        parse_request_json('{"assets": "\\ud83d\\ude00", "operations": []}')
    assert [e["loc"] for e in exc.value.errors] == [["assets"], ["operations"]]


def test_json_body_parses():
    assert parse_request_json(json.dumps(EXAMPLE)) == parse_request(EXAMPLE)
