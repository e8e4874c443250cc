"""The keys beyond the public API: output format and quality, mask output, crop to subject, shadow_add."""
import pytest
from request_rules_support import A, OPTS, bg_add, req, the_error

from imagegraphics.errors import InvalidRequest
from imagegraphics.request import ImageGraphicsRequest, RequestLimits, parse_request

REMOVE = ["operations", 0, "bg_remove", "options"]


def remove(**options):
    return {"bg_remove": {"options": options}}


def shadow(**options):
    return {"shadow_add": {"options": options}}


# -- disposition.format and quality --------------------------------------------------------
def test_format_defaults_to_png_without_quality():
    d = parse_request(req()).assets[0].options.disposition
    assert (d.format, d.quality, d.content_type, d.extension) == ("png", None, "image/png", "png")


@pytest.mark.parametrize("fmt, content_type, extension", [
    ("webp", "image/webp", "webp"), ("jpeg", "image/jpeg", "jpg"), ("png", "image/png", "png")])
def test_format_names_the_content_type_and_extension(fmt, content_type, extension):
    d = parse_request(req({"disposition": {"format": fmt}})).assets[0].options.disposition
    assert (d.content_type, d.extension, d.quality_or_default) == (content_type, extension, 90)


@pytest.mark.parametrize("fmt", ["webp", "jpeg"])
def test_quality_is_taken_for_lossy_formats(fmt):
    d = parse_request(req({"disposition": {"format": fmt, "quality": 1}})).assets[0].options.disposition
    assert d.quality_or_default == 1


@pytest.mark.parametrize("disposition", [{"quality": 80}, {"format": "png", "quality": 80}])
def test_quality_with_png_is_refused(disposition):
    assert the_error(req({"disposition": disposition})) == (
        OPTS + ["disposition", "quality"], "applies only to format webp or jpeg (png is lossless)")


@pytest.mark.parametrize("quality, msg", [(0, "must be 1 or more"), (101, "must be 100 or less"),
                                          (90.0, "must be an integer"), ("90", "must be an integer")])
def test_quality_is_an_integer_from_1_to_100(quality, msg):
    assert the_error(req({"disposition": {"format": "webp", "quality": quality}})) == (
        OPTS + ["disposition", "quality"], msg)


@pytest.mark.parametrize("fmt", ["JPG", "Jpeg", "PNG", "jpe", "gif", 1])
def test_format_is_one_of_the_lowercase_names(fmt):
    loc, msg = the_error(req({"disposition": {"format": fmt}}))
    assert loc == OPTS + ["disposition", "format"]
    assert msg in ("must be one of 'png', 'webp', 'jpeg' or 'jpg'", "must be a string")


def test_jpg_is_read_as_jpeg_and_dumped_as_jpeg():
    request = parse_request(req({"disposition": {"format": "jpg", "quality": 70}}))
    d = request.assets[0].options.disposition
    assert (d.format, d.content_type, d.extension, d.quality_or_default) == ("jpeg", "image/jpeg", "jpg", 70)
    stored = request.to_payload()
    assert stored["assets"][0][A]["options"]["disposition"]["format"] == "jpeg"
    assert parse_request(stored) == request == parse_request(req({"disposition": {"format": "jpeg", "quality": 70}}))


# -- bg_remove.options.output --------------------------------------------------------------
def test_mask_output_as_the_last_operation():
    assert parse_request(req(operations=[remove(output="mask")])).operations[0].options.output == "mask"


def test_mask_output_needs_bg_remove_last():
    assert the_error(req(operations=[remove(output="mask"), bg_add()])) == (
        REMOVE + ["output"], "mask needs bg_remove to be the last operation (bg_add after it)")


def test_output_is_cutout_or_mask():
    assert the_error(req(operations=[remove(output="alpha")])) == (
        REMOVE + ["output"], "must be one of 'cutout' or 'mask'")


# -- bg_remove.options.crop_to_subject -----------------------------------------------------
@pytest.mark.parametrize("margin, pixels, percent", [
    (0, 0, None), (20, 20, None), ("20px", 20, None), ("10%", None, 10.0), ("12.5%", None, 12.5),
    ("100%", None, 100.0)])
def test_margin_forms(margin, pixels, percent):
    crop = parse_request(req(operations=[remove(crop_to_subject={"margin": margin})])).operations[0].options
    value = crop.crop_to_subject.margin
    assert (value.pixels, value.percent) == (pixels, percent)


def test_margin_defaults_to_zero_pixels():
    crop = parse_request(req(operations=[remove(crop_to_subject={})])).operations[0].options.crop_to_subject
    assert crop.margin.pixels == 0 and crop.margin.on(40, 30) == (0, 0)


def test_percent_margin_is_of_the_subjects_width_and_height():
    crop = parse_request(req(operations=[remove(crop_to_subject={"margin": "10%"})])).operations[0].options
    assert crop.crop_to_subject.margin.on(200, 50) == (20, 5)


MARGIN_RULE = ('must be a number of pixels (20 or "20px", at most 10000) or a percentage of the '
               'subject\'s size ("10%", at most 100%)')


@pytest.mark.parametrize("margin", [-1, "-5px", "20", "20 px", "1e3px", "101%", "10.123%", 20.5, True,
                                    None, "١٠px", 10001])
def test_bad_margins_are_refused(margin):
    assert the_error(req(operations=[remove(crop_to_subject={"margin": margin})])) == (
        REMOVE + ["crop_to_subject", "margin"], MARGIN_RULE)


def test_margin_in_pixels_is_bounded_by_the_deployments_largest_side():
    payload = req(operations=[remove(crop_to_subject={"margin": 600})])
    loc, msg = the_error(payload, RequestLimits(max_side=500))
    assert loc == REMOVE + ["crop_to_subject", "margin"] and "at most 500" in msg


def test_crop_to_subject_needs_bg_remove_first():
    graphics = {"graphics_add": {"graphics": [{"options": {"image_url": "https://example.com/a.png"}}]}}
    assert the_error(req(operations=[graphics, remove(crop_to_subject={"margin": 4})])) == (
        ["operations", 1, "bg_remove", "options", "crop_to_subject"],
        "needs bg_remove to be the first operation (graphics_add before it)")


def test_pixel_margin_must_leave_room_in_size():
    payload = req({"size": {"width": 100, "height": 40}}, [remove(crop_to_subject={"margin": "20px"})])
    assert the_error(payload) == (OPTS + ["size", "height"], "must be more than twice the margin of 20 px "
                                                             "(operations[0].bg_remove.options.crop_to_subject.margin)")
    assert parse_request(req({"size": {"width": 41, "height": 41}}, [remove(crop_to_subject={"margin": 20})]))


def test_position_is_checked_at_render_when_the_crop_to_subject_decides_the_size():
    # The crop box would overflow the canvas, but the subject's box is found only at render.
    options = {"crop": {"left": 0, "top": 0, "right": 100, "bottom": 80}, "position": {"x": 10, "y": 10},
               "canvas": {"size": {"width": 100, "height": 80}}}
    assert parse_request(req(options, [remove(crop_to_subject={"margin": 0})]))
    with pytest.raises(InvalidRequest) as exc:
        parse_request(req(options, [remove()]))
    assert [e["loc"] for e in exc.value.errors] == [OPTS + ["position", "x"], OPTS + ["position", "y"]]


# -- shadow_add -----------------------------------------------------------------------------
def test_shadow_defaults():
    op = parse_request(req(operations=[remove(), {"shadow_add": {}}])).operations[1]
    o = op.options
    assert (o.color, o.opacity, o.blur, o.offset.x, o.offset.y) == ((0, 0, 0, 255), 0.5, 10, 0, 10)


def test_shadow_options_taken():
    op = parse_request(req(operations=[remove(), shadow(color="#ff000080", opacity=1, blur=2.5,
                                                        offset={"x": -2000, "y": 2000})])).operations[1]
    o = op.options
    assert (o.color, o.opacity, o.blur, o.offset.x, o.offset.y) == ((255, 0, 0, 128), 1.0, 2.5, -2000, 2000)


def test_a_partial_offset_keeps_the_other_default():
    op = parse_request(req(operations=[remove(), shadow(offset={"x": 5})])).operations[1]
    assert (op.options.offset.x, op.options.offset.y) == (5, 10)


@pytest.mark.parametrize("field, value, msg", [
    ("opacity", 1.5, "must be 1 or less"), ("opacity", -0.1, "must be 0 or more"),
    ("opacity", "0.5", "must be a number"), ("blur", 201, "must be 200 or less"),
    ("blur", -1, "must be 0 or more"), ("color", "black", "must be a colour #rgb, #rrggbb or #rrggbbaa"),
    ("opacity", float("nan"), "must be a finite number"), ("blur", float("inf"), "must be a finite number"),
])
def test_shadow_option_bounds(field, value, msg):
    assert the_error(req(operations=[remove(), shadow(**{field: value})])) == (
        ["operations", 1, "shadow_add", "options", field], msg)


@pytest.mark.parametrize("axis", ["x", "y"])
def test_shadow_offset_within_2000(axis):
    assert the_error(req(operations=[remove(), shadow(offset={axis: 2001})])) == (
        ["operations", 1, "shadow_add", "options", "offset", axis], "must be 2000 or less")


def test_shadow_needs_bg_remove_before_it():
    assert the_error(req(operations=[shadow(), remove()])) == (
        ["operations", 0, "shadow_add"], "must come after bg_remove (operations[1]): the shadow is cast by the cut-out")
    assert the_error(req(operations=[bg_add(), shadow()])) == (
        ["operations", 1, "shadow_add"], "must come after bg_remove: the shadow is cast by the cut-out")


def test_shadow_at_most_once_and_before_or_after_a_background():
    assert the_error(req(operations=[remove(), shadow(), shadow()])) == (
        ["operations", 2, "shadow_add"], "may appear only once (already at operations[1])")
    assert parse_request(req(operations=[remove(), bg_add(), shadow()]))
    assert parse_request(req(operations=[remove(), shadow(), bg_add()]))


def test_shadow_unknown_option():
    assert the_error(req(operations=[remove(), shadow(spread=3)])) == (
        ["operations", 1, "shadow_add", "options", "spread"],
        "unknown key; valid keys are color, opacity, blur, offset")


# -- stored and read back --------------------------------------------------------------------
def test_new_keys_round_trip_through_the_stored_payload():
    payload = req({"disposition": {"format": "jpeg", "quality": 70}},
                  [remove(crop_to_subject={"margin": "10%"}), shadow(color="#102030", offset={"x": 3}),
                   bg_add()])
    first = parse_request(payload)
    stored = first.to_payload()
    assert stored["operations"][0]["bg_remove"]["options"]["crop_to_subject"] == {"margin": "10%"}
    assert stored["operations"][1]["shadow_add"]["options"]["color"] == "#102030"
    assert stored["assets"][0][A]["options"]["disposition"]["format"] == "jpeg"
    assert parse_request(stored) == first


def test_built_in_code_the_defaults_dump_and_parse():
    req_in_code = ImageGraphicsRequest.model_validate(req(operations=[remove(crop_to_subject={}), {"shadow_add": {}}]))
    assert parse_request(req_in_code.to_payload()).operations[0].options.crop_to_subject.margin.pixels == 0
