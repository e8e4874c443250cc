"""What the renderer takes and returns; no imaging logic here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# The media type of each format decode accepts (and of MPO, as which camera JPEGs open); here, not in
# decode.py, so the assets function checks a content type without importing Pillow and numpy.
CONTENT_TYPES = {
    "JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
    "GIF": "image/gif", "TIFF": "image/tiff", "BMP": "image/bmp",
}


class ImageLoader(Protocol):
    """Where image bytes come from (S3 in the service, files in the CLI, dicts in tests)."""

    def load(self, asset_id: str) -> bytes:
        """Bytes of an asset; raises AssetMissing."""
        ...

    def load_url(self, url: str) -> bytes:
        """Bytes behind a graphic's image_url; raises AssetMissing."""
        ...


@dataclass(frozen=True)
class RenderLimits:
    max_pixels: int = 50_000_000  # any decoded input (asset, background, graphic, border)
    max_output_pixels: int = 50_000_000  # any layer the render builds (resized asset, canvas, background)


@dataclass
class RenderResult:
    data: bytes
    content_type: str
    width: int
    height: int
    has_alpha: bool
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    notes: dict = field(default_factory=dict)  # e.g. which segmentation method `auto` picked
