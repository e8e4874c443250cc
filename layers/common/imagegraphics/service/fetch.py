"""An asset created with a `url`: its image is fetched here, off the API call, from the fetch queue.

The bytes are checked on the way in (service/download.py: the URL check of every hop, one deadline, the
upload limit) and stored as the asset's upload (incoming/<id>). From there the upload's own path
decides it: S3 tells ingest, which sniffs the bytes and marks the asset READY (starting its recipe)
or REJECTED. A URL that gives no image makes the asset REJECTED with the reason at once. Only storage
failures are retried by the queue; the last attempt rejects the asset rather than leave it PENDING.
"""
from __future__ import annotations

import json

from imagegraphics.errors import NotFound
from imagegraphics.observability import logger
from imagegraphics.service.download import FetchRefused, download
from imagegraphics.settings import get_settings
from imagegraphics.stores.assets import PENDING, AssetStore
from imagegraphics.stores.blobs import UNVERIFIED_TAGGING, BlobStore
from imagegraphics.stores import aws

NOT_STORED = "the fetched image could not be stored; create the asset again"


def queue_fetch(asset_id: str, tenant: str, request_id: str | None) -> None:
    """Hand the fetch to the fetch queue (the API answers at once; the asset stays PENDING)."""
    settings = get_settings()
    aws.client("sqs", settings).send_message(QueueUrl=settings.fetch_queue_url, MessageBody=json.dumps(
        {"asset_id": asset_id, "tenant": tenant, "request_id": request_id}))


def fetch_asset(body: str, receive_count: int = 1) -> str:
    """Fetch one asset's url and store it as its upload; returns what happened."""
    message = json.loads(body)
    asset_id = str(message["asset_id"])
    logger.append_keys(asset_id=asset_id)
    settings = get_settings()
    store = AssetStore.from_settings(settings)
    asset = store.find(asset_id)
    if asset is None or asset.deleting or asset.status != PENDING or not asset.source_url:
        logger.info("nothing to fetch: the asset was deleted or decided")
        return "ignored"
    try:
        fetched = download(asset.source_url, settings.max_upload_bytes, settings.url_fetch_seconds,
                           settings.url_loopback)
    except FetchRefused as exc:
        logger.info("url refused", extra={"reason": str(exc)})
        return _reject(store, asset_id, str(exc))
    try:
        # Tagged unverified like a form upload: the bucket's lifecycle rule removes it unless ingest
        # finds an image (stores.blobs.UNVERIFIED_TAGGING).
        BlobStore.from_settings(settings).put_bytes(asset.s3_key, fetched.data, "application/octet-stream",
                                                    tagging=UNVERIFIED_TAGGING)
    except Exception:
        if receive_count >= settings.fetch_max_attempts:
            logger.exception("fetched image not stored on the last attempt; asset rejected")
            return _reject(store, asset_id, NOT_STORED)
        raise  # the queue delivers the message again
    logger.info("url fetched", extra={"bytes": len(fetched.data), "from": fetched.url})
    return "fetched"


def _reject(store: AssetStore, asset_id: str, reason: str) -> str:
    try:
        return store.mark_rejected(asset_id, reason).status
    except NotFound:  # deleted meanwhile
        return "ignored"
