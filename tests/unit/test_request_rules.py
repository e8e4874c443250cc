"""One test per API rule: the exact location and message of the error it raises."""
import pytest

from imagegraphics.errors import InvalidRequest, RenderFailed
from imagegraphics.request import Position, RequestLimits, check_position_fits, parse_request

A = "0123456789abcdef0123456789abcdef"
IMG = "fedcba9876543210fedcba9876543210"
OPTS = ["assets", 0, A, "options"]
CANVAS = {"size": {"width": 100, "height": 80}}


def req(options=None, operations=None):
    return {"assets": [{A: {"options": options or {}}}], "operations": operations or [{"bg_remove": {}}]}


def bg_add(**options):
    return {"bg_add": {"options": {"color": "#000", **options}}}


def the_error(payload, limits=RequestLimits()):
    with pytest.raises(InvalidRequest) as exc:
        parse_request(payload, limits)
    assert len(exc.value.errors) == 1, exc.value.errors
    error = exc.value.errors[0]
    return error["loc"], error["msg"]


# -- the request's shape -----------------------------------------------------------------
def test_assets_required():
    assert the_error({"operations": [{"bg_remove": {}}]}) == (["assets"], "required")


def test_at_least_one_asset():
    assert the_error({"assets": [], "operations": [{"bg_remove": {}}]}) == (
        ["assets"], "at least one asset is required")


def test_at_most_max_assets():
    payload = {"assets": [{A: {}}, {IMG: {}}], "operations": [{"bg_remove": {}}]}
    assert the_error(payload, RequestLimits(max_assets=1)) == (["assets"], "at most 1 assets per request")


def test_at_least_one_operation():
    assert the_error({"assets": [{A: {}}], "operations": []}) == (
        ["operations"], "at least one operation is required")


def test_unknown_top_level_key():
    assert the_error({**req(), "callback": "x"}) == (["callback"], "unknown key; valid keys are assets, operations")


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


@pytest.mark.parametrize("item", [{}, {"bg_remove": {}, "bg_add": {}}, "bg_remove"])
def test_operation_has_one_key(item):
    assert the_error(req(operations=[item])) == (
        ["operations", 0],
        "must be an object with exactly one key, the operation: bg_remove, bg_add, graphics_add, border_add")


def test_unknown_operation():
    assert the_error(req(operations=[{"bg_blur": {}}])) == (
        ["operations", 0, "bg_blur"],
        "unknown operation; valid operations are bg_remove, bg_add, graphics_add, border_add")


def test_unknown_operation_option():
    assert the_error(req(operations=[{"bg_remove": {"options": {"model": "u2net"}}}])) == (
        ["operations", 0, "bg_remove", "options", "model"],
        "unknown key; valid keys are mode, strength, remove_artifacts")


def test_strict_types():
    assert the_error(req(operations=[{"bg_remove": {"options": {"remove_artifacts": "yes"}}}])) == (
        ["operations", 0, "bg_remove", "options", "remove_artifacts"], "must be true or false")


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


# -- operations -------------------------------------------------------------------------
def test_bg_remove_before_bg_add():
    assert the_error(req(operations=[bg_add(), {"bg_remove": {}}])) == (
        ["operations", 1, "bg_remove"], "must come before bg_add (operations[0])")


def test_bg_add_at_most_once():
    assert the_error(req(operations=[bg_add(), bg_add()])) == (
        ["operations", 1, "bg_add"], "may appear only once (already at operations[0])")


def test_graphics_add_may_repeat():
    graphics = {"graphics_add": {"graphics": [{"options": {"image_url": "https://example.com/a.png"}}]}}
    assert len(parse_request(req(operations=[graphics, graphics])).operations) == 2


@pytest.mark.parametrize("field,value,msg", [
    ("mode", "person", "must be one of 'auto', 'portrait' or 'product'"),
    ("strength", "max", "must be one of 'low', 'medium' or 'high'"),
])
def test_bg_remove_options(field, value, msg):
    assert the_error(req(operations=[{"bg_remove": {"options": {field: value}}}])) == (
        ["operations", 0, "bg_remove", "options", field], msg)


def test_bg_add_mode():
    assert the_error(req(operations=[bg_add(mode="tile")])) == (
        ["operations", 0, "bg_add", "options", "mode"], "must be one of 'as-is' or 'stretch'")


def test_bg_add_needs_color_or_image():
    assert the_error(req(operations=[{"bg_add": {"options": {"mode": "stretch"}}}])) == (
        ["operations", 0, "bg_add", "options"], "needs color or image_id (or both)")


def test_bg_add_options_required():
    assert the_error(req(operations=[{"bg_add": {}}])) == (["operations", 0, "bg_add", "options"], "required")


def test_bg_add_image_id_is_an_asset_id():
    assert the_error(req(operations=[bg_add(image_id="bg.png")])) == (
        ["operations", 0, "bg_add", "options", "image_id"], "must be an asset id: 32 lowercase hexadecimal characters")


def graphic(**options):
    return req(operations=[{"graphics_add": {"graphics": [{"type": "image", "options": options}]}}])


GRAPHIC = ["operations", 0, "graphics_add", "graphics", 0]


@pytest.mark.parametrize("options", [{}, {"image_id": IMG, "image_url": "https://example.com/a.png"}])
def test_graphic_has_exactly_one_source(options):
    assert the_error(graphic(**options)) == (GRAPHIC + ["options"], "needs exactly one of image_id or image_url")


@pytest.mark.parametrize("url", ["ftp://example.com/a.png", "file:///etc/passwd", "example.com/a.png",
                                 "https://", "https://example.com/" + "a" * 2048])
def test_graphic_url_is_http(url):
    assert the_error(graphic(image_url=url)) == (
        GRAPHIC + ["options", "image_url"], "must be a URL of at most 2048 characters with scheme http or https")


def test_graphic_type_is_image():
    payload = req(operations=[{"graphics_add": {"graphics": [{"type": "text", "options": {"image_id": IMG}}]}}])
    assert the_error(payload) == (GRAPHIC + ["type"], "must be one of 'image'")


def test_graphics_not_empty():
    assert the_error(req(operations=[{"graphics_add": {"graphics": []}}])) == (
        ["operations", 0, "graphics_add", "graphics"], "must list at least one graphic")


def test_border_add_needs_image_id():
    assert the_error(req(operations=[{"border_add": {"options": {}}}])) == (
        ["operations", 0, "border_add", "options", "image_id"], "required")


def test_graphic_url_schemes_are_configurable():
    local = RequestLimits(image_url_schemes=("file",))
    assert parse_request(graphic(image_url="file:///tmp/logo.png"), local).operations[0].graphics[0].options.image_url
    assert the_error(graphic(image_url="https://example.com/a.png"), local) == (
        GRAPHIC + ["options", "image_url"], "must be a URL of at most 2048 characters with scheme file")
