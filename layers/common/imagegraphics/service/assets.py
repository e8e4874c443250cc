"""Asset routes: create an asset and its presigned upload; describe an asset with download URLs."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from imagegraphics.api import AssetResponse, ConversionResponse, CreateAssetResponse, UploadForm
from imagegraphics.api.models import AssetList, AssetSummary
from imagegraphics.errors import InvalidRequest, NotFound, detail
from imagegraphics.observability import logger, request_id
from imagegraphics.request import is_asset_id
from imagegraphics.service.fetch import queue_fetch
from imagegraphics.service.models import MAX_FILENAME_CHARS, CreateAsset
from imagegraphics.service.pages import filter_value, from_partition, one_page, page_request
from imagegraphics.stores.assets import (
    PENDING, READY, REJECTED, Asset, AssetStore, children_partition, list_partition)
from imagegraphics.stores.blobs import BlobStore
from imagegraphics.stores.recipes import RecipeStore


def create_asset(tenant: str, body: CreateAsset) -> dict:
    """An upload form, or (with `url`) an asset whose image the fetch queue brings in."""
    if body.recipe is not None and RecipeStore.from_settings().find(tenant, body.recipe) is None:
        raise NotFound(f"recipe {body.recipe} not found", [detail(["recipe"], f"no recipe named {body.recipe!r}")])
    return create_from_url(tenant, body) if body.url is not None else create_upload(tenant, body)


def create_from_url(tenant: str, body: CreateAsset) -> dict:
    """A PENDING asset whose image is fetched off the API call (service/fetch.py)."""
    asset = AssetStore.from_settings().create_pending(
        tenant, filename=body.filename or filename_of(body.url), content_type=None, metadata=body.metadata,
        recipe=body.recipe, request_id=request_id(), source_url=body.url)
    logger.append_keys(asset_id=asset.asset_id)
    queue_fetch(asset.asset_id, tenant, request_id())
    logger.info("asset created from a url")
    return CreateAssetResponse(asset_id=asset.asset_id, source_url=body.url).body()


def filename_of(url: str) -> str | None:
    """The URL path's last segment, as a filename when the body names none."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name if name and len(name) <= MAX_FILENAME_CHARS and name.isprintable() else None


def create_upload(tenant: str, body: CreateAsset) -> dict:
    """A PENDING asset and the presigned POST the client uploads the original with."""
    asset = AssetStore.from_settings().create_pending(
        tenant, filename=body.filename, content_type=body.content_type, metadata=body.metadata,
        recipe=body.recipe, request_id=request_id())
    logger.append_keys(asset_id=asset.asset_id)
    upload = BlobStore.from_settings().presigned_post(asset.s3_key, body.content_type)
    logger.info("asset created")
    return CreateAssetResponse(asset_id=asset.asset_id,
                               upload=UploadForm(url=upload.url, fields=upload.fields)).body()


def describe_asset(tenant: str, asset_id: str) -> dict:
    if not is_asset_id(asset_id):
        # Such an id can never exist: answer as for any unknown asset.
        raise NotFound(f"asset {asset_id} not found", [detail(["asset_id"], "not found")])
    logger.append_keys(asset_id=asset_id)
    store = AssetStore.from_settings()
    asset = store.get(tenant, asset_id)
    return asset_view(asset, store, BlobStore.from_settings())


def asset_view(asset: Asset, store: AssetStore, blobs: BlobStore) -> dict:
    conversions = sorted(store.conversions.list_for(asset.asset_id), key=lambda c: c.name)
    return AssetResponse(
        asset_id=asset.asset_id, status=asset.status, filename=asset.filename, data_schema_id=asset.data_schema_id,
        content_type=asset.content_type, width=asset.width,
        height=asset.height, size=asset.size, metadata=asset.metadata, source_asset_id=asset.source_asset_id,
        reason=asset.reason,
        # Only a READY original has been checked to be an image worth handing out.
        url=blobs.presigned_get(asset.s3_key) if asset.status == READY else None,
        recipe=asset.recipe, recipe_error=asset.recipe_error, source_url=asset.source_url,
        # Shown once its messages are out: the id names a job that exists.
        recipe_job_id=asset.recipe_job_id if asset.recipe_sent else None,
        conversions=[ConversionResponse(name=c.name, content_type=c.content_type, width=c.width, height=c.height,
                                        url=blobs.presigned_get(c.s3_key)) for c in conversions],
    ).body()


def summary(asset: Asset) -> dict:
    return AssetSummary(asset_id=asset.asset_id, status=asset.status, filename=asset.filename,
                        content_type=asset.content_type, width=asset.width, height=asset.height, size=asset.size,
                        metadata=asset.metadata, source_asset_id=asset.source_asset_id, source_url=asset.source_url,
                        reason=asset.reason, created_at=asset.created_at).body()


def list_assets(tenant: str, query: dict[str, str] | None = None) -> dict:
    """A page of the tenant's assets, newest first (service/pages.py), optionally of one `status` or
    made from one asset (`source_asset_id`), with `next` when more follow."""
    status = filter_value(query, "status", (PENDING, READY, REJECTED))
    source = (query or {}).get("source_asset_id") or None
    if source is not None and not is_asset_id(source):
        raise InvalidRequest("invalid list parameters",
                             [detail(("source_asset_id",), "must be an asset id (32 lowercase hex characters)")])
    scope = f"assets:{tenant}:{status or ''}"
    asked = page_request(query, scope)
    store = AssetStore.from_settings()
    if source is None:
        start = from_partition(asked, list_partition(tenant))
        found, following = store.page(tenant, asked.limit, start, status)
    else:
        start = from_partition(asked, children_partition(tenant, source))
        found, following = store.page_from(tenant, source, asked.limit, start)
        found = [(a, at) for a, at in found if status is None or a.status == status]
    views, cursor = one_page([(summary(a), at) for a, at in found], following, scope)
    return AssetList(assets=[AssetSummary.model_validate(v) for v in views], next=cursor).body()
