"""DELETE /api/v1/assets/{asset_id}: the asset's files and records, and with `cascade` the assets made
from it (source_asset_id chains), leaving nothing behind in the bucket or the table.

Each asset is first marked as being deleted, so from then on nothing adds to it: a job still running
writes no conversion and no asset made from it (stores.conversions.asset_exists), ingest ignores its
upload, every reader finds it gone. Then its files (the original, every object under its conversions'
prefix, also earlier jobs' replaced ones) and its records go, the asset record last: a DELETE that
stops half way is finished by the next one. Jobs that reach a deleted asset later fail for it with
404 (errors.AssetDeleted).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from imagegraphics.api.models import DeleteAssetResponse, DeletedAsset
from imagegraphics.errors import InvalidRequest, NotFound, RecordRefused, detail
from imagegraphics.observability import logger
from imagegraphics.request import is_asset_id
from imagegraphics.stores.assets import Asset, AssetStore
from imagegraphics.stores.blobs import BlobStore

MAX_CASCADE = 1000  # assets one DELETE removes: ~7 calls each, in parallel, well within the API's 29 s
_WORKERS = 8


def parse_cascade(query: dict[str, str] | None) -> bool:
    value = (query or {}).get("cascade") or "false"
    if value not in ("true", "false"):
        raise InvalidRequest("invalid delete parameters", [detail(("cascade",), "must be true or false")])
    return value == "true"


def delete_asset(tenant: str, asset_id: str, cascade: bool = False) -> dict:
    if not is_asset_id(asset_id):
        raise NotFound(f"asset {asset_id} not found", [detail(["asset_id"], "not found")])
    logger.append_keys(asset_id=asset_id)
    store, blobs = AssetStore.from_settings(), BlobStore.from_settings()
    if cascade:
        _check_cascade_size(store, tenant, asset_id)
    root = store.begin_delete(tenant, asset_id)
    doomed = [root] + (_mark_made_from(store, tenant, root) if cascade else [])
    kept = [] if cascade else store.children(asset_id)
    with ThreadPoolExecutor(_WORKERS) as pool:
        deleted = list(pool.map(lambda a: _delete_one(store, blobs, a), doomed))
    logger.info("assets deleted", extra={"assets": len(deleted), "objects": sum(d.objects for d in deleted)})
    return DeleteAssetResponse(deleted=deleted, kept_derived=kept).body()


def _check_cascade_size(store: AssetStore, tenant: str, asset_id: str) -> None:
    """Refuse, before anything is touched, a cascade past MAX_CASCADE assets."""
    store.get(tenant, asset_id)  # 404 first for an asset that is not the tenant's
    seen, frontier = 1, [asset_id]
    while frontier:
        frontier = [child for parent in frontier for child in store.children(parent)]
        seen += len(frontier)
        if seen > MAX_CASCADE:
            raise RecordRefused(f"more than {MAX_CASCADE} assets are made from asset {asset_id}",
                                [detail(("cascade",), f"deletes at most {MAX_CASCADE} assets at once: delete "
                                                      "some of the assets made from it first")])


def _mark_made_from(store: AssetStore, tenant: str, root: Asset) -> list[Asset]:
    """Every asset made from `root`, down the chains, each marked before its own children are read:
    none can be added to an asset once it is marked, so none is missed."""
    found, frontier = [], [root.asset_id]
    while frontier:
        marked = []
        for parent in frontier:
            for child in store.children(parent):
                try:
                    marked.append(store.begin_delete(tenant, child))
                except NotFound:
                    continue  # deleted meanwhile (its link goes with its source's partition)
        found += marked
        frontier = [a.asset_id for a in marked]
    return found


def _delete_one(store: AssetStore, blobs: BlobStore, asset: Asset) -> DeletedAsset:
    conversions = store.conversions.delete_all(asset.asset_id)
    objects = blobs.delete_prefix(f"conversions/{asset.asset_id}/") + blobs.delete_counted(asset.s3_key)
    store.remove(asset)
    return DeletedAsset(asset_id=asset.asset_id, conversions=sorted(c.name for c in conversions), objects=objects)
