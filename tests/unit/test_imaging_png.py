"""The threaded PNG writer is lossless, standard, and agrees with zlib on every checksum."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from imagegraphics.imaging import png
from imagegraphics.imaging.encode import encode_png


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of every chunk, each CRC checked."""
    assert data[:8] == png.SIGNATURE
    found, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        found.append((kind, body))
        at += 12 + length
    return found


def photo_like(height: int, width: int, channels: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.integers(-4, 5, (height, width, channels)), axis=1) + 128
    return np.clip(walk, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("library", [None, zlib], ids=["default", "stdlib-zlib"])
@pytest.mark.parametrize("mode,channels", [("RGB", 3), ("RGBA", 4)])
@pytest.mark.parametrize("size", [(1, 1), (7, 3), (333, 257), (64, 1000)])
def test_every_pixel_comes_back(monkeypatch, library, mode, channels, size):
    monkeypatch.setattr(png, "BAND_BYTES", 4096)  # many bands, so joining them is exercised
    pixels = photo_like(size[1], size[0], channels)
    data = png.encode(Image.fromarray(pixels, mode), library=library)
    back = Image.open(io.BytesIO(data))
    assert back.mode == mode and back.size == size
    assert np.array_equal(np.asarray(back), pixels)


def test_the_idat_stream_is_one_valid_zlib_stream_with_the_right_adler32(monkeypatch):
    monkeypatch.setattr(png, "BAND_BYTES", 1000)
    pixels = photo_like(120, 90, 4, seed=3)
    found = chunks(png.encode(Image.fromarray(pixels, "RGBA")))
    assert [k for k, _ in found][0] == b"IHDR" and found[-1][0] == b"IEND"
    stream = b"".join(body for kind, body in found if kind == b"IDAT")
    raw = zlib.decompress(stream)  # zlib checks the Adler-32 trailer itself
    rows = np.frombuffer(raw, np.uint8).reshape(120, 1 + 90 * 4)
    assert (rows[:, 0] == png.UP).all()
    assert sum(kind == b"IDAT" for kind, _ in found) > 3


def test_adler32_combine_agrees_with_zlib():
    rng = np.random.default_rng(5)
    for length in (0, 1, 65520, 65521, 200_003):
        data = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
        for cut in {0, length // 3, length}:
            a, b = data[:cut], data[cut:]
            assert png.adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(data)


def test_other_modes_are_refused_here_and_written_by_pillow_in_encode_png():
    grey = Image.new("L", (4, 4), 7)
    with pytest.raises(ValueError, match="only RGB and RGBA"):
        png.encode(grey)
    data, alpha = encode_png(Image.new("LA", (4, 4), (7, 100)))
    assert alpha is False and Image.open(io.BytesIO(data)).mode == "RGB"


def test_encode_png_writes_rgba_only_when_something_is_transparent():
    opaque = Image.fromarray(photo_like(20, 30, 4), "RGBA")
    opaque.putalpha(255)
    data, alpha = encode_png(opaque)
    assert alpha is False and Image.open(io.BytesIO(data)).mode == "RGB"
    cut = opaque.copy()
    cut.putpixel((0, 0), (1, 2, 3, 0))
    data, alpha = encode_png(cut)
    back = Image.open(io.BytesIO(data))
    assert alpha is True and back.mode == "RGBA" and np.array_equal(np.asarray(back), np.asarray(cut))
