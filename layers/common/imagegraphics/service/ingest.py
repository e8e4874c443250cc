"""Ingest: an upload landed in incoming/; read its header and mark the asset READY or REJECTED.

An asset's file deleted from the bucket (an original or a job-made asset's) makes it REJECTED.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote_plus

from imagegraphics.errors import Conflict, ImageRejected, NotFound
from imagegraphics.imaging.decode import read_header
from imagegraphics.observability import logger
from imagegraphics.settings import Settings, get_settings
from imagegraphics.stores.assets import PENDING, READY, Asset, AssetStore
from imagegraphics.stores.blobs import BlobInfo, BlobStore

INCOMING = re.compile(r"incoming/([0-9a-f]{32})")
GENERATED = re.compile(r"generated/([0-9a-f]{32})\.(?:png|webp|jpg)")  # stores.assets.generated_key
GONE = "the stored file was deleted"
# Enough for the header of nearly every image (a JPEG's EXIF and ICC blocks come before its size);
# when it is not, the whole object is read, still capped by the upload limit.
HEADER_BYTES = 256 * 1024
# Decide, then look again: enough for uploads racing the read, bounded when they never stop.
_ROUNDS = 3


def ingest_notification(body: dict) -> list[str]:
    """Handle one S3 notification (an SQS message body); returns what happened to each object."""
    if body.get("Event") == "s3:TestEvent":
        logger.info("S3 test event ignored")
        return []
    outcomes = []
    for record in body.get("Records", []):
        event = str(record.get("eventName", ""))
        # Keys arrive URL-encoded in S3 notifications.
        key = unquote_plus(record["s3"]["object"]["key"])
        if event.startswith("ObjectCreated"):
            outcomes.append(ingest_object(key, upload_request_id(record)))
        elif event.startswith("ObjectRemoved"):
            outcomes.append(object_removed(key))
    return outcomes


def object_removed(key: str) -> str:
    """A READY asset whose file was deleted becomes REJECTED (reason GONE), so that neither the asset
    nor a job claims a file that is not there. Told by S3 itself: no read pays for a check.

    Only when the file is still gone now: a delete followed by a new upload (the presigned form stays
    valid) may be notified in either order, and the newer upload stands.
    """
    match = INCOMING.fullmatch(key) or GENERATED.fullmatch(key)
    if not match:
        return "ignored"
    logger.append_keys(asset_id=match.group(1))
    store = AssetStore.from_settings()
    asset = store.find(match.group(1))
    if asset is None or asset.deleting or asset.s3_key != key or asset.status != READY:
        return "ignored"  # nothing claims the file: no record, or not decided to be usable
    if BlobStore.from_settings().head(key) is not None:
        logger.info("file removed and uploaded again; the newer upload stands")
        return asset.status
    gone = store.mark_gone(asset, GONE)
    if gone is None:
        logger.info("asset changed while its removal was handled; left as it is")
        return "ignored"
    logger.warning("asset file deleted: asset no longer READY")
    return gone.status


def upload_request_id(record: dict) -> str | None:
    """An id for what this upload starts (a recipe's job), the same for every retry of its notification:
    S3's id of the upload request (found in S3's and CloudTrail's logs), else the event's sequencer."""
    found = (record.get("responseElements") or {}).get("x-amz-request-id") \
        or (record.get("s3", {}).get("object") or {}).get("sequencer")
    return f"ingest-{found}" if isinstance(found, str) and found else None


def ingest_object(key: str, upload_request: str | None = None) -> str:
    """Decide the asset from the bytes now at `key`, unless its record already describes them.

    The presigned POST stays valid for a while, so the same key may be uploaded again after the asset
    was decided: bytes whose ETag differs from the recorded one are checked anew ("upload again").
    """
    match = INCOMING.fullmatch(key)
    if not match:
        logger.warning("object outside the upload layout ignored", extra={"key": key})
        return "ignored"
    asset_id = match.group(1)
    logger.append_keys(asset_id=asset_id)
    store = AssetStore.from_settings()
    asset = store.find(asset_id)
    settings = get_settings()
    blobs = BlobStore.from_settings(settings)
    if asset is None or asset.deleting:
        # The asset was deleted (its upload form stays valid for a while): nothing may keep the file.
        blobs.delete(key)
        logger.warning("upload of a deleted asset removed")
        return "removed"
    for attempt in range(_ROUNDS):
        head = blobs.head(key)
        if head is None:
            logger.warning("object gone before it could be read; ignored")
            return "ignored"
        if asset.status != PENDING and asset.etag == head.etag:
            if attempt == 0:  # a duplicated notification: the bytes were decided already
                logger.info("asset already ingested", extra={"status": asset.status})
            return _decided(asset, upload_request)
        try:
            asset = _decide(store, blobs, asset_id, head, settings)
        except NotFound:
            logger.warning("object gone before it could be read; ignored")
            return "ignored"
        except Conflict:
            logger.info("uploaded again while being read; checking the newer upload")
        # Checked again: a newer upload may have landed after the bytes just decided were read.
    return _decided(asset, upload_request)


def _decided(asset: Asset, upload_request: str | None) -> str:
    """A READY upload created with a recipe starts its job (once: a retried notification that finds
    the asset decided finishes what an interrupted attempt began). REJECTED starts nothing."""
    if asset.recipe and asset.status == READY and not asset.recipe_sent:
        from imagegraphics.service.recipe_runs import run_recipe  # the request models load only then

        run_recipe(asset, upload_request)
    return asset.status


def _decide(store: AssetStore, blobs: BlobStore, asset_id: str, head: BlobInfo, settings: Settings) -> Asset:
    """READY or REJECTED for exactly the bytes `head` describes (reads are bound to its ETag)."""
    size = head.size
    if size > settings.max_upload_bytes:
        return store.mark_rejected(asset_id, f"file too large: {size} bytes > limit {settings.max_upload_bytes}",
                                   size=size, etag=head.etag)
    try:
        info = _header(blobs, head, settings.max_pixels)
    except ImageRejected as exc:
        logger.info("upload rejected", extra={"reason": exc.message})
        return store.mark_rejected(asset_id, exc.message, size=size, etag=head.etag)
    logger.info("asset ready", extra={"width": info.width, "height": info.height, "size": size})
    blobs.mark_verified(head.key)  # kept: no longer an upload the lifecycle rule removes
    return store.mark_ready(asset_id, content_type=info.content_type, width=info.width, height=info.height,
                            size=size, etag=head.etag)


def _header(blobs: BlobStore, head: BlobInfo, max_pixels: int):
    data = blobs.get_prefix(head.key, HEADER_BYTES, if_match=head.etag)
    try:
        return read_header(data, max_pixels)
    except ImageRejected:
        if head.size <= len(data):
            raise
    return read_header(blobs.get_bytes(head.key, if_match=head.etag), max_pixels)


def parse_body(raw: str) -> dict:
    try:
        body = json.loads(raw)
    except ValueError:
        logger.warning("notification is not JSON; ignored")
        return {}
    return body if isinstance(body, dict) else {}
