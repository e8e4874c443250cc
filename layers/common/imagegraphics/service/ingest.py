"""Ingest: an upload landed in incoming/; read its header and mark the asset READY or REJECTED."""
from __future__ import annotations

import json
import re
from urllib.parse import unquote_plus

from imagegraphics.errors import ImageRejected, NotFound
from imagegraphics.imaging.decode import read_header
from imagegraphics.observability import logger
from imagegraphics.settings import get_settings
from imagegraphics.stores.assets import PENDING, AssetStore
from imagegraphics.stores.blobs import BlobStore

INCOMING = re.compile(r"incoming/([0-9a-f]{32})")
# Enough for the header of nearly every image (a JPEG's EXIF and ICC blocks come before its size);
# when it is not, the whole object is read, still capped by the upload limit.
HEADER_BYTES = 256 * 1024


def ingest_notification(body: dict) -> list[str]:
    """Handle one S3 notification (an SQS message body); returns what happened to each object."""
    if body.get("Event") == "s3:TestEvent":
        logger.info("S3 test event ignored")
        return []
    outcomes = []
    for record in body.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        # Keys arrive URL-encoded in S3 notifications.
        key = unquote_plus(record["s3"]["object"]["key"])
        outcomes.append(ingest_object(key))
    return outcomes


def ingest_object(key: str) -> str:
    match = INCOMING.fullmatch(key)
    if not match:
        logger.warning("object outside the upload layout ignored", extra={"key": key})
        return "ignored"
    asset_id = match.group(1)
    logger.append_keys(asset_id=asset_id)
    store = AssetStore.from_settings()
    asset = store.find(asset_id)
    if asset is None:
        logger.warning("upload without an asset record ignored")
        return "ignored"
    if asset.status != PENDING:
        # A duplicated notification: the first one decided already.
        logger.info("asset already ingested", extra={"status": asset.status})
        return asset.status
    settings = get_settings()
    blobs = BlobStore.from_settings(settings)
    head = blobs.head(key)
    if head is None:
        logger.warning("object gone before it could be read; ignored")
        return "ignored"
    size = head.size
    if size > settings.max_upload_bytes:
        store.mark_rejected(asset_id, f"file too large: {size} bytes > limit {settings.max_upload_bytes}",
                            size=size)
        return "REJECTED"
    try:
        info = _header(blobs, key, size, settings.max_pixels)
    except NotFound:
        logger.warning("object gone before it could be read; ignored")
        return "ignored"
    except ImageRejected as exc:
        logger.info("upload rejected", extra={"reason": exc.message})
        store.mark_rejected(asset_id, exc.message, size=size)
        return "REJECTED"
    store.mark_ready(asset_id, content_type=info.content_type, width=info.width, height=info.height, size=size)
    logger.info("asset ready", extra={"width": info.width, "height": info.height, "size": size})
    return "READY"


def _header(blobs: BlobStore, key: str, size: int, max_pixels: int):
    data = blobs.get_prefix(key, HEADER_BYTES)
    try:
        return read_header(data, max_pixels)
    except ImageRejected:
        if size <= len(data):
            raise
    return read_header(blobs.get_bytes(key), max_pixels)


def parse_body(raw: str) -> dict:
    try:
        body = json.loads(raw)
    except ValueError:
        logger.warning("notification is not JSON; ignored")
        return {}
    return body if isinstance(body, dict) else {}
