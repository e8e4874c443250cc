"""Field types of the request: colours, ids, sides."""
import pytest
from pydantic import TypeAdapter, ValidationError

from imagegraphics.request import AssetId, Color, Size, format_color, parse_color

COLORS = [
    ("#fff", (255, 255, 255, 255)),
    ("#FFF", (255, 255, 255, 255)),
    ("#f80", (255, 136, 0, 255)),
    ("#000000", (0, 0, 0, 255)),
    ("#12aBcD", (0x12, 0xAB, 0xCD, 255)),
    ("#ff000080", (255, 0, 0, 128)),
    ("#00000000", (0, 0, 0, 0)),
]


@pytest.mark.parametrize("text,rgba", COLORS)
def test_color_parsing(text, rgba):
    assert parse_color(text) == rgba
    assert TypeAdapter(Color).validate_python(text) == rgba


@pytest.mark.parametrize("text", ["fff", "#ff", "#ffff", "#fffff", "#fffffff", "#fffffffff", "#ggg", "white",
                                  "", " #fff", "#fff ", 0xFFFFFF, [255, 255, 255, 255], None])
def test_color_refused(text):
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(Color).validate_python(text)
    assert exc.value.errors()[0]["msg"] == "must be a colour #rgb, #rrggbb or #rrggbbaa"


def test_color_tuple_from_code():
    assert TypeAdapter(Color).validate_python((1, 2, 3, 4)) == (1, 2, 3, 4)
    with pytest.raises(ValidationError):
        TypeAdapter(Color).validate_python((1, 2, 3, 256))


@pytest.mark.parametrize("rgba,text", [((255, 255, 255, 255), "#ffffff"), ((255, 0, 0, 128), "#ff000080")])
def test_color_serialised_back(rgba, text):
    assert format_color(rgba) == text
    assert TypeAdapter(Color).dump_python(rgba, mode="json") == text
    assert parse_color(text) == rgba


def test_asset_id():
    ta = TypeAdapter(AssetId)
    assert ta.validate_python("0" * 32) == "0" * 32
    with pytest.raises(ValidationError):
        ta.validate_python("0" * 31 + "A")


def test_size_default_limit_without_context():
    assert Size(width=10000, height=1).width == 10000
    with pytest.raises(ValidationError):
        Size(width=10001, height=1)
