"""Names and keys of outputs follow disposition.format: png, webp or jpg."""
import pytest

from imagegraphics.request import parse_request
from imagegraphics.service.names import new_asset_filename, output_name
from imagegraphics.stores.assets import generated_key
from imagegraphics.stores.conversions import conversion_key

A = "0123456789abcdef0123456789abcdef"


def entry(**disposition):
    payload = {"assets": [{A: {"options": {"disposition": disposition}}}], "operations": [{"bg_remove": {}}]}
    return parse_request(payload).assets[0]


@pytest.mark.parametrize("fmt, name", [("png", "shoe.png"), ("webp", "shoe.webp"), ("jpeg", "shoe.jpg")])
def test_a_new_assets_name_takes_its_formats_extension(fmt, name):
    assert output_name(entry(create_asset=True, format=fmt), lambda _: "shoe.PNG") == name


def test_a_conversion_name_has_no_extension():
    assert output_name(entry(conversion_name="web", format="jpeg"), lambda _: "x.png") == "web"


@pytest.mark.parametrize("extension", ["png", "webp", "jpg"])
def test_keys_end_in_the_formats_extension(extension):
    assert conversion_key(A, "web", 7, 2, extension) == f"conversions/{A}/web/7-2.{extension}"
    assert generated_key(A, extension) == f"generated/{A}.{extension}"
    assert new_asset_filename(None, A, extension) == f"{A}.{extension}"


def test_public_api_requests_keep_png_names_and_keys():
    d = entry(create_asset=True).options.disposition
    assert (d.format, d.extension, d.content_type) == ("png", "png", "image/png")
    assert conversion_key(A, "web", 7, 2) == f"conversions/{A}/web/7-2.png" and generated_key(A).endswith(".png")
