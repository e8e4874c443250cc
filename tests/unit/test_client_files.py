"""The client's local file rules: image types by their bytes, output names and extensions."""
from pathlib import Path

import pytest

from imagegraphics_client.errors import UsageError
from imagegraphics_client.files import content_type, extension, output_path

ID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("head, expected", [
    (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"BM\x00\x00", "image/bmp"),
])
def test_the_type_comes_from_the_bytes_whatever_the_name(head, expected):
    assert content_type(Path("misnamed.txt"), head) == expected


def test_the_name_decides_only_when_the_bytes_do_not():
    assert content_type(Path("x.webp"), b"") == "image/webp"
    with pytest.raises(UsageError, match="not an image the API accepts"):
        content_type(Path("notes.txt"), b"hello")


@pytest.mark.parametrize("url, response_type, ext", [
    ("https://b.s3.amazonaws.com/conversions/a/n/1-0.png?X-Amz-Signature=x", None, "png"),
    ("http://127.0.0.1:5000/bucket/generated/a.webp?sig", "image/png", "webp"),
    ("http://h/b/k.jpeg", None, "jpg"),
    ("http://h/b/object", "image/jpeg; charset=binary", "jpg"),
    ("http://h/b/object", "application/octet-stream", "bin"),
])
def test_the_extension_comes_from_the_url_then_the_content_type(url, response_type, ext):
    assert extension(url, response_type) == ext


@pytest.mark.parametrize("asset_id, name, ext, expected", [
    (ID, "bg-removed", "png", f"{ID}/bg-removed.png"),
    (ID, "astronaut.png", "png", f"{ID}/astronaut.png"),  # a new asset's filename is not doubled
    (ID, "photo.jpeg", "jpg", f"{ID}/photo.jpeg"),
    (ID, "astronaut.png", "webp", f"{ID}/astronaut.png.webp"),
    (ID, "../../etc/passwd", "png", f"{ID}/_.._etc_passwd.png"),
    (ID, "", "png", f"{ID}/output.png"),
    ("../x", "n", "png", "_x/n.png"),
])
def test_outputs_land_in_out_asset_id_name_ext_and_never_outside(tmp_path, asset_id, name, ext, expected):
    path = output_path(tmp_path, asset_id, name, ext)
    assert path == tmp_path / expected
    assert path.resolve().is_relative_to(tmp_path.resolve())
