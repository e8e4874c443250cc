"""Decoding: every input kind ends up as upright sRGB RGB(A); bad bytes are refused clearly."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

from imagegraphics.errors import ImageRejected
from imagegraphics.imaging.decode import decode, read_header

LIMIT = 50_000_000


def encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def swapped_primaries_profile() -> bytes:
    """An sRGB-like ICC profile whose red and green primaries are swapped (and not named sRGB)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {}
    for i in range(count):
        at = 132 + 12 * i
        entries[bytes(data[at:at + 4])] = at
    r, g = entries[b"rXYZ"], entries[b"gXYZ"]
    data[r + 4:r + 12], data[g + 4:g + 12] = data[g + 4:g + 12], data[r + 4:r + 12]
    desc = bytes(data).index(b"s\x00R\x00G\x00B")
    data[desc] = ord("x")
    return bytes(data)


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (64, 32), (255, 0, 0))
    image.paste((0, 0, 255), (32, 0, 64, 32))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = encode(image, "JPEG", quality=95, exif=exif)
    out = decode(data, LIMIT)
    assert out.size == (32, 64)
    assert (read_header(data, LIMIT).width, read_header(data, LIMIT).height) == (32, 64)
    top, bottom = np.asarray(out)[8, 16], np.asarray(out)[56, 16]
    assert top[0] > 200 and top[2] < 60  # the left (red) half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_jpeg_decoded_at_reduced_scale_never_below_the_size_asked():
    rng = np.random.default_rng(0)
    data = encode(Image.fromarray(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)), "JPEG")
    assert decode(data, LIMIT).size == (800, 600)
    assert decode(data, LIMIT, at_least=(200, 150)).size == (200, 150)  # 1/4 scale
    assert decode(data, LIMIT, at_least=(201, 150)).size == (400, 300)  # 1/2: never smaller


def test_reduced_scale_follows_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(Image.new("RGB", (800, 600), (9, 9, 9)), "JPEG", exif=exif)
    assert decode(data, LIMIT, at_least=(150, 200)).size == (150, 200)


def test_cmyk_becomes_rgb():
    image = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # full magenta + yellow = red
    out = decode(encode(image, "TIFF"), LIMIT)
    assert out.mode == "RGB"
    assert out.getpixel((4, 4)) == (255, 0, 0)


def test_cmyk_jpeg_becomes_rgb():
    out = decode(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95), LIMIT)
    r, g, b = out.getpixel((8, 8))
    assert out.mode == "RGB" and r > 240 and g < 20 and b < 20


def test_palette_with_transparency_becomes_rgba():
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    out = decode(encode(image, "PNG", transparency=0), LIMIT)
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((1, 1)) == (255, 0, 0, 255)


def test_16_bit_greyscale_is_scaled_not_clipped():
    values = np.array([[0, 32896, 65535]], dtype=np.uint16)
    out = decode(encode(Image.fromarray(values)), LIMIT)
    assert out.mode == "RGB"
    assert [out.getpixel((x, 0)) for x in range(3)] == [(0, 0, 0), (128, 128, 128), (255, 255, 255)]


def test_greyscale_and_grey_alpha():
    assert decode(encode(Image.new("L", (2, 2), 77)), LIMIT).getpixel((0, 0)) == (77, 77, 77)
    out = decode(encode(Image.new("LA", (2, 2), (77, 10))), LIMIT)
    assert out.mode == "RGBA" and out.getpixel((0, 0)) == (77, 77, 77, 10)


def test_icc_profile_is_converted_to_srgb():
    image = Image.new("RGB", (4, 4), (255, 0, 0))
    out = decode(encode(image, "PNG", icc_profile=swapped_primaries_profile()), LIMIT)
    r, g, b = out.getpixel((0, 0))
    assert g > 240 and r < 20 and b < 20  # "red" in that profile is sRGB green


def test_icc_profile_keeps_alpha():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 100))
    out = decode(encode(image, "PNG", icc_profile=swapped_primaries_profile()), LIMIT)
    assert out.mode == "RGBA" and out.getpixel((0, 0))[3] == 100 and out.getpixel((0, 0))[1] > 240


def test_srgb_profile_is_left_alone():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = decode(encode(Image.new("RGB", (4, 4), (10, 200, 30)), "PNG", icc_profile=srgb), LIMIT)
    assert out.getpixel((0, 0)) == (10, 200, 30)


def test_animated_gif_gives_first_frame():
    frames = [Image.new("RGB", (4, 4), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert decode(data, LIMIT).convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_truncated_file_is_refused():
    rng = np.random.default_rng(0)
    data = encode(Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)), "JPEG")
    with pytest.raises(ImageRejected, match="truncated or corrupt"):
        decode(data[: len(data) // 2], LIMIT)


def test_truncated_png_is_refused():
    rng = np.random.default_rng(0)
    data = encode(Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)), "PNG")
    with pytest.raises(ImageRejected, match="truncated or corrupt"):
        decode(data[: len(data) // 2], LIMIT)


@pytest.mark.parametrize("data", [b"", b"hello, world", b"%PDF-1.4\n" + b"0" * 100])
def test_not_an_image_is_refused(data):
    with pytest.raises(ImageRejected, match="not a supported image"):
        read_header(data, LIMIT)
    with pytest.raises(ImageRejected, match="not a supported image"):
        decode(data, LIMIT)


def test_too_many_pixels_refused_from_the_header(monkeypatch):
    data = encode(Image.new("RGB", (300, 200)), "PNG")

    def no_decode(*args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decode)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decode)
    with pytest.raises(ImageRejected, match=r"300x200 = 60000 > limit 59999"):
        decode(data, 59_999)
    with pytest.raises(ImageRejected, match="too many pixels"):
        read_header(data, 59_999)


def test_huge_declared_size_is_refused_without_allocating():
    # A valid PNG header declaring 100000x100000 pixels followed by almost no data.
    data = encode(Image.new("L", (1, 1)), "PNG")
    ihdr = data.index(b"IHDR")
    forged = bytearray(data)
    forged[ihdr + 4:ihdr + 12] = struct.pack(">II", 100_000, 100_000)
    forged[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(forged[ihdr:ihdr + 17])))
    with pytest.raises(ImageRejected, match="too many pixels"):
        read_header(bytes(forged), LIMIT)


def test_read_header_reports_format_and_size():
    info = read_header(encode(Image.new("RGB", (30, 20)), "JPEG"), LIMIT)
    assert (info.format, info.content_type, info.width, info.height) == ("JPEG", "image/jpeg", 30, 20)
