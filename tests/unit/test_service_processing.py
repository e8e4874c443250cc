"""What the processor writes in a job's items: error texts and output names."""
import pytest

from imagegraphics.errors import AssetMissing, ImageRejected, InvalidRequest, NoForeground, RecordRefused, detail
from imagegraphics.request import parse_request
from imagegraphics.service.processing import error_text, new_asset_filename, output_name

URL_MSG = "image_url 'https://logo.example.com/a.png' cannot be fetched: the server answered HTTP 404"
URL_LOC = ("operations", 0, "graphics_add", "graphics", 0, "options", "image_url")


@pytest.mark.parametrize("exc, text", [
    # the renderer locates an error by copying its message: the location alone is added
    (AssetMissing(URL_MSG, [detail(URL_LOC, URL_MSG)]),
     f"{URL_MSG} (operations.0.graphics_add.graphics.0.options.image_url)"),
    (ImageRejected("not an image", [detail(("operations", 1, "bg_add", "options", "image_id"), "not an image")]),
     "not an image (operations.1.bg_add.options.image_id)"),
    # a detail of its own is kept with its location
    (NoForeground("no foreground found", [detail(("operations", 0, "bg_remove"), "the mask is empty")]),
     "no foreground found (operations.0.bg_remove: the mask is empty)"),
    (InvalidRequest("invalid", [detail(("a",), "invalid"), detail(("b", 1), "must be 3 or less")]),
     "invalid (a; b.1: must be 3 or less)"),
    # no location: a repeated message adds nothing, another message is kept
    (RecordRefused("refused", [detail((), "refused")]), "refused"),
    (RecordRefused("refused", [detail((), "too large")]), "refused (too large)"),
    (AssetMissing("asset x not found"), "asset x not found"),
])
def test_error_text_says_each_thing_once(exc, text):
    assert error_text(exc) == text
    assert error_text(exc).count(exc.message) == 1


A = "0123456789abcdef0123456789abcdef"


def entry(**disposition):
    payload = {"assets": [{A: {"options": {"disposition": disposition}}}], "operations": [{"bg_remove": {}}]}
    return parse_request(payload).assets[0]


def never(asset_id):
    raise AssertionError("the source's filename is not needed for this name")


@pytest.mark.parametrize("disposition, name", [
    ({}, "image-graphics"),  # neither: the default conversion
    ({"add_as_conversion": True, "conversion_name": "web"}, "web"),
    ({"add_as_conversion": True, "create_asset": True, "conversion_name": "web"}, "web"),  # the conversion wins
    ({"create_asset": True, "conversion_name": "cutout"}, "cutout"),  # a given name names the new asset's output
    ({"conversion_name": "thumb"}, "thumb"),
])
def test_a_given_or_default_conversion_name_names_the_output(disposition, name):
    assert output_name(entry(**disposition), never) == name


@pytest.mark.parametrize("filename, name", [
    ("shoe.jpg", "shoe.png"), ("shoe", "shoe.png"), ("photo.final.webp", "photo.final.png"), (None, f"{A}.png")])
def test_create_asset_without_a_name_is_named_after_the_new_assets_filename(filename, name):
    looked_up = []
    assert output_name(entry(create_asset=True), lambda a: looked_up.append(a) or filename) == name
    assert looked_up == [A]
    assert new_asset_filename(filename, A) == name  # the filename the new asset is created with
