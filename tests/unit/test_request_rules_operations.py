"""One test per API rule on the operations: the exact location and message of the error it raises."""
import pytest
from request_rules_support import A, IMG, bg_add, req, the_error

from imagegraphics.request import RequestLimits, parse_request


# -- the operations' shape ----------------------------------------------------------------
def test_at_least_one_operation():
    assert the_error({"assets": [{A: {}}], "operations": []}) == (
        ["operations"], "at least one operation is required")


@pytest.mark.parametrize("item", [{}, {"bg_remove": {}, "bg_add": {}}, "bg_remove"])
def test_operation_has_one_key(item):
    assert the_error(req(operations=[item])) == (
        ["operations", 0],
        "must be an object with exactly one key, the operation: bg_remove, bg_add, graphics_add, border_add, shadow_add")


def test_unknown_operation():
    assert the_error(req(operations=[{"bg_blur": {}}])) == (
        ["operations", 0, "bg_blur"],
        "unknown operation; valid operations are bg_remove, bg_add, graphics_add, border_add, shadow_add")


def test_unknown_operation_option():
    assert the_error(req(operations=[{"bg_remove": {"options": {"model": "u2net"}}}])) == (
        ["operations", 0, "bg_remove", "options", "model"],
        "unknown key; valid keys are mode, strength, remove_artifacts, output, crop_to_subject")


def test_strict_types():
    assert the_error(req(operations=[{"bg_remove": {"options": {"remove_artifacts": "yes"}}}])) == (
        ["operations", 0, "bg_remove", "options", "remove_artifacts"], "must be true or false")


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


@pytest.mark.parametrize("url, why", [
    ("https://127.0.0.1/a.png", "127.0.0.1 is not a public address"),
    ("https://127.1/a.png", "127.0.0.1 is not a public address"),
    ("https://2130706433/a.png", "127.0.0.1 is not a public address"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is not a public address"),
    ("https://[::1]/a.png", "::1 is not a public address"),
    ("https://[::ffff:127.0.0.1]/a.png", "127.0.0.1 (inside ::ffff:7f00:1) is not a public address"),
    ("https://[::10.0.0.1]/a.png", "10.0.0.1 (inside ::a00:1) is not a public address"),
    ("https://[64:ff9b::169.254.169.254]/a.png", "169.254.169.254 (inside 64:ff9b::a9fe:a9fe) is not a public address"),
    ("https://[64:ff9b:1::192.168.0.1]/a.png", "192.168.0.1 (inside 64:ff9b:1::c0a8:1) is not a public address"),
    ("https://[2002:7f00:1::1]/a.png", "127.0.0.1 (inside 2002:7f00:1::1) is not a public address"),
    ("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/a.png",
     "127.0.0.1 (inside 2001:0:4136:e378:8000:63bf:80ff:fffe) is not a public address"),
    ("https://localhost:8443/a.png", "localhost is a loopback name"),
])
def test_graphic_url_of_a_host_that_is_not_public_is_refused(url, why):
    assert the_error(graphic(image_url=url)) == (
        GRAPHIC + ["options", "image_url"], f"must be a URL of a public host: {why}")


@pytest.mark.parametrize("url", ["https://example.com/a.png", "https://8.8.8.8/a.png", "https://[::ffff:8.8.8.8]/a.png",
                                 "https://[2606:4700::1111]:8443/a.png"])
def test_graphic_url_of_a_public_host_is_accepted(url):
    assert parse_request(graphic(image_url=url)).operations[0].graphics[0].options.image_url == url


@pytest.mark.parametrize("url", ["https://example.com:99999/a.png", "https://[::1/a.png", "https://:443/a.png"])
def test_graphic_url_that_cannot_be_parsed_is_refused(url):
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
