"""Helpers shared by the end-to-end tests."""
from __future__ import annotations

import io

from PIL import Image

from local.client import Client


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def upload_ready(client: Client, name: str, data: bytes, content_type: str, metadata: dict | None = None) -> str:
    asset_id = client.upload(name, data, content_type, metadata)
    record = client.wait_asset(asset_id)
    assert record["status"] == "READY", record
    return asset_id
