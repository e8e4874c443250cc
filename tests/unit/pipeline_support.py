"""Shared by the render_asset tests: sample images, a loader, a stand-in segmenter and `render`."""
import io

import numpy as np
from PIL import Image

from imagegraphics.errors import AssetMissing
from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.request import parse_request
from imagegraphics.segmentation.segmenter import Matte


A, BG, G1, G2, FRAME = ("a" * 32, "b" * 32, "c" * 32, "d" * 32, "e" * 32)
RED, GREEN, BLUE, WHITE = (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255), (255, 255, 255, 255)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def solid(size, color=RED) -> bytes:
    return png(Image.new("RGBA", size, color))


def stripes(size, *colors) -> bytes:
    """Vertical stripes of equal width, left to right."""
    image = Image.new("RGBA", size)
    step = size[0] // len(colors)
    for i, color in enumerate(colors):
        image.paste(color, (i * step, 0, (i + 1) * step, size[1]))
    return png(image)


def ring(size=(10, 10)) -> bytes:
    image = Image.new("RGBA", size, RED)
    image.paste((0, 0, 0, 0), (1, 1, size[0] - 1, size[1] - 1))
    return png(image)


class Loader:
    def __init__(self, images: dict[str, bytes]):
        self.images, self.calls = images, []

    def load(self, asset_id):
        self.calls.append(asset_id)
        if asset_id not in self.images:
            raise AssetMissing(f"asset {asset_id} not found")
        return self.images[asset_id]

    def load_url(self, url):
        return self.load(url)


class RedIsForeground:
    """Deterministic stand-in for the model: foreground wherever red dominates."""

    def __init__(self, choice="portrait"):
        self.seen, self.choice = [], choice

    def matte(self, image, mode="auto", strength="medium", remove_artifacts=True):
        self.seen.append((image.mode, image.size, mode, strength, remove_artifacts))
        rgb = np.asarray(image, dtype=np.float32)
        return Matte(np.where(rgb[..., 0] > 128, 255, 0).astype(np.uint8), self.choice, {"refine": 0.0})


def render(options, operations, images, segmenter=None, limits=RenderLimits()):
    request = parse_request({"assets": [{A: {"options": options}}], "operations": operations})
    result = render_asset(request, 0, Loader(images), segmenter or RedIsForeground(), limits)
    image = Image.open(io.BytesIO(result.data))
    assert (result.width, result.height) == image.size and result.content_type == "image/png"
    return result, image.convert("RGBA")


def size(w, h):
    return {"width": w, "height": h}
