"""The engine's ImageLoader for the service: tenant-scoped assets from S3, graphics from https URLs."""
from __future__ import annotations

from typing import Callable

from imagegraphics.stores.assets import Asset
from imagegraphics.stores.blobs import BlobStore

from imagegraphics.errors import AssetDeleted, AssetMissing, Conflict, NotFound
from imagegraphics.service.urlfetch import fetch_https

READY = "READY"


class S3Loader:
    """Loads only READY assets of one tenant; anything else is "not found", never another tenant's."""

    def __init__(self, tenant: str, lookup: Callable[[str], Asset | None], blobs: BlobStore, max_bytes: int):
        self.tenant, self.lookup, self.blobs, self.max_bytes = tenant, lookup, blobs, max_bytes

    def load(self, asset_id: str) -> bytes:
        record = self.lookup(asset_id)
        # A job's assets were there when it was submitted (or its recipe started): one missing now
        # was deleted since, and the job says so.
        if record is None or (record.tenant == self.tenant and record.deleting):
            raise AssetDeleted(asset_id)
        if record.tenant != self.tenant or record.status != READY:
            raise AssetMissing(f"asset {asset_id} not found or not READY")
        try:
            # Raises ImageRejected past the size cap, before reading the body. Bound to the ETag
            # ingest recorded: bytes uploaded again since are not the ones the record describes.
            return self.blobs.get_bytes(record.s3_key, self.max_bytes, if_match=record.etag)
        except NotFound:
            now = self.lookup(asset_id)
            if now is None or now.deleting:  # deleted between the look-up and the read
                raise AssetDeleted(asset_id) from None
            raise AssetMissing(f"asset {asset_id} has no stored file") from None
        except Conflict:
            raise Conflict(f"asset {asset_id}: the original changed while the job was queued") from None

    def load_url(self, url: str) -> bytes:
        return fetch_https(url, self.max_bytes)
