"""One test per API rule on the request and its assets: the exact location and message of the error."""
import pytest
from request_rules_support import A, CANVAS, IMG, OPTS, bg_add, req, the_error

from imagegraphics.errors import InvalidRequest, RenderFailed
from imagegraphics.request import Position, RequestLimits, check_position_fits, parse_request


# -- the request's shape -----------------------------------------------------------------
def test_assets_required():
    assert the_error({"operations": [{"bg_remove": {}}]}) == (["assets"], "required")


def test_at_least_one_asset():
    assert the_error({"assets": [], "operations": [{"bg_remove": {}}]}) == (
        ["assets"], "at least one asset is required")


def test_at_most_max_assets():
    payload = {"assets": [{A: {}}, {IMG: {}}], "operations": [{"bg_remove": {}}]}
    assert the_error(payload, RequestLimits(max_assets=1)) == (["assets"], "at most 1 assets per request")


def test_unknown_top_level_key():
    assert the_error({**req(), "callback": "x"}) == (["callback"], "unknown key; valid keys are assets, operations, webhook")


@pytest.mark.parametrize("payload, loc, msg", [
    ({"assets": [], "operations": [{"bg_remove": {}}]}, ["assets"], "at least one asset is required"),
    ({"assets": [{A: {}}], "operations": []}, ["operations"], "at least one operation is required"),
    ({"assets": [{A: {}}], "operations": [{"bg_remove": {}}] * 15}, ["operations"], "at most 14 operations per request"),
    ({"assets": [{A: {}}], "operations": [{"graphics_add": {"graphics": []}}]},
     ["operations", 0, "graphics_add", "graphics"], "must list at least one graphic"),
    ({"assets": [{A: {}}], "operations": [{"graphics_add": {"graphics": [{"options": {"image_id": IMG}}] * 21}}]},
     ["operations", 0, "graphics_add", "graphics"], "at most 20 graphics per graphics_add"),
    ({"assets": [{A: {}}, {IMG: {}}], "operations": [{"bg_remove": {}}]}, ["assets"], "at most 1 assets per request"),
])
def test_a_count_rule_beside_an_unknown_key_gives_both_errors(payload, loc, msg):
    """The unknown key's wording is added to the errors already found; a count rule's error keeps its own."""
    with pytest.raises(InvalidRequest) as exc:
        parse_request({**payload, "callback": "x"}, RequestLimits(max_assets=1))
    found = [(e["loc"], e["msg"]) for e in exc.value.errors]
    assert (loc, msg) in found and (["callback"], "unknown key; valid keys are assets, operations, webhook") in found


@pytest.mark.parametrize("entry", [{}, {A: {}, IMG: {}}, A, [A]])
def test_asset_entry_has_one_key(entry):
    assert the_error({"assets": [entry], "operations": [{"bg_remove": {}}]}) == (
        ["assets", 0], "must be an object with exactly one key, the asset id")


@pytest.mark.parametrize("asset_id", [A.upper(), A[:-1], A + "0", "g" * 32])
def test_asset_id_is_32_lowercase_hex(asset_id):
    payload = {"assets": [{asset_id: {}}], "operations": [{"bg_remove": {}}]}
    assert the_error(payload) == (
        ["assets", 0, asset_id], "must be an asset id: 32 lowercase hexadecimal characters")


def test_asset_value_is_an_object():
    assert the_error({"assets": [{A: None}], "operations": [{"bg_remove": {}}]}) == (
        ["assets", 0, A], "must be an object")


def test_unknown_asset_option():
    assert the_error(req({"rotate": 90})) == (
        OPTS + ["rotate"], "unknown key; valid keys are canvas, size, crop, position, disposition")


# -- sizes, crop, position ----------------------------------------------------------------
@pytest.mark.parametrize("width", [0, -5])
def test_size_positive(width):
    assert the_error(req({"size": {"width": width, "height": 10}})) == (
        OPTS + ["size", "width"], "must be a positive number of pixels")


def test_size_at_most_max_side():
    payload = req(operations=[bg_add(size={"width": 10, "height": 501})])
    assert the_error(payload, RequestLimits(max_side=500)) == (
        ["operations", 0, "bg_add", "options", "size", "height"], "must be at most 500 pixels")


def test_size_is_an_integer():
    assert the_error(req({"canvas": {"size": {"width": 10.5, "height": 10}}})) == (
        OPTS + ["canvas", "size", "width"], "must be an integer")


def test_crop_right_after_left():
    assert the_error(req({"crop": {"left": 10, "top": 0, "right": 10, "bottom": 5}})) == (
        OPTS + ["crop", "right"], "must be greater than left")


def test_crop_bottom_below_top():
    assert the_error(req({"crop": {"left": 0, "top": 7, "right": 10, "bottom": 3}})) == (
        OPTS + ["crop", "bottom"], "must be greater than top")


def test_position_not_negative():
    assert the_error(req({"canvas": CANVAS, "position": {"x": 0, "y": -1}})) == (
        OPTS + ["position", "y"], "must be 0 or more")


def test_position_needs_canvas_or_background():
    assert the_error(req({"position": {"x": 0, "y": 0}})) == (
        OPTS + ["position"], "needs a canvas or a bg_add operation to position the asset on")


def test_position_with_background_only_is_accepted():
    parse_request(req({"position": {"x": 1, "y": 1}}, [bg_add()]))


def test_position_bound_on_canvas():
    payload = req({"canvas": CANVAS, "size": {"width": 50, "height": 50}, "position": {"x": 50, "y": 0}})
    assert the_error(payload) == (
        OPTS + ["position", "x"], "asset width 50 + x 50 must be less than the canvas width 100")


def test_position_bound_on_background():
    payload = req({"size": {"width": 50, "height": 50}, "position": {"x": 0, "y": 31}},
                  [bg_add(size={"width": 100, "height": 80})])
    assert the_error(payload) == (
        OPTS + ["position", "y"], "asset height 50 + y 31 must be less than the background height 80")


def test_position_bound_canvas_decides_over_background():
    # the asset sits on the canvas; the canvas goes centred over the (bigger) background
    payload = req({"canvas": CANVAS, "size": {"width": 50, "height": 50}, "position": {"x": 60, "y": 0}},
                  [bg_add(size={"width": 1000, "height": 1000})])
    assert the_error(payload) == (
        OPTS + ["position", "x"], "asset width 50 + x 60 must be less than the canvas width 100")


def test_position_bound_canvas_without_size_takes_the_background_size():
    payload = req({"canvas": {"color": "#fff"}, "crop": {"left": 0, "top": 0, "right": 40, "bottom": 40},
                   "position": {"x": 0, "y": 41}}, [bg_add(size={"width": 100, "height": 80})])
    assert the_error(payload) == (
        OPTS + ["position", "y"], "asset height 40 + y 41 must be less than the canvas height 80")


def test_position_bound_left_to_the_renderer_when_sizes_unknown():
    # no asset size in the request: only the decoded image can tell
    parse_request(req({"canvas": CANVAS, "position": {"x": 99, "y": 79}}))


def test_check_position_fits_at_render():
    loc = ("assets", 0, A, "options", "position")
    check_position_fits(Position(x=10, y=10), (89, 69), (100, 80), loc)
    with pytest.raises(RenderFailed) as exc:
        check_position_fits(Position(x=10, y=10), (90, 70), (100, 80), loc, container="canvas")
    assert exc.value.status == 422
    assert exc.value.errors == [
        {"loc": list(loc) + ["x"], "msg": "asset width 90 + x 10 must be less than the canvas width 100"},
        {"loc": list(loc) + ["y"], "msg": "asset height 70 + y 10 must be less than the canvas height 80"}]


# -- disposition ------------------------------------------------------------------------
def test_conversion_name_required_with_add_as_conversion():
    assert the_error(req({"disposition": {"add_as_conversion": True}})) == (
        OPTS + ["disposition", "conversion_name"], "required when add_as_conversion is true")


@pytest.mark.parametrize("name", ["", "a" * 31, "has space", "dot.png", "ü"])
def test_conversion_name_pattern(name):
    assert the_error(req({"disposition": {"add_as_conversion": True, "conversion_name": name}})) == (
        OPTS + ["disposition", "conversion_name"], "must be 1 to 30 characters of letters, digits, '_' and '-'")


def test_conversion_name_longest_accepted():
    parse_request(req({"disposition": {"add_as_conversion": True, "conversion_name": "A-z_9" * 6}}))


def test_disposition_mode():
    assert the_error(req({"disposition": {"mode": "MERGE"}})) == (
        OPTS + ["disposition", "mode"], "must be one of 'APPEND' or 'REPLACE'")


def test_metadata_source_is_an_asset_id():
    assert the_error(req({"disposition": {"metadata": {"src_asset_id": "x"}}})) == (
        OPTS + ["disposition", "metadata", "src_asset_id"], "must be an asset id: 32 lowercase hexadecimal characters")


def test_one_conversion_target_per_request():
    payload = {"assets": [{A: {}}, {A: {"options": {"crop": {"left": 0, "top": 0, "right": 5, "bottom": 5}}}}],
               "operations": [{"bg_remove": {}}]}
    assert the_error(payload) == (
        ["assets", 1, A, "options", "disposition", "conversion_name"],
        "conversion 'image-graphics' of this asset is already written by assets[0]")


def test_an_error_named_like_pydantics_without_its_context_is_passed_on_beside_an_unknown_key():
    from typing import Annotated

    from pydantic import AfterValidator, ValidationError
    from pydantic_core import PydanticCustomError

    from imagegraphics.request.base import RequestObject

    def refuse(value):
        raise PydanticCustomError("too_short", "needs more")  # pydantic's too_short has a context

    class Probe(RequestObject):
        items: Annotated[list[int], AfterValidator(refuse)]

    with pytest.raises(ValidationError) as exc:
        Probe.model_validate({"items": [], "extra": 1})
    assert [(e["loc"], e["msg"]) for e in exc.value.errors()] == [
        (("items",), "needs more"), (("extra",), "unknown key; valid keys are items")]
