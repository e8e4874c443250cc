"""Asset routes: create an asset and its presigned upload; describe an asset with download URLs."""
from __future__ import annotations

from imagegraphics.api import AssetResponse, ConversionResponse, CreateAssetResponse, UploadForm
from imagegraphics.errors import NotFound, detail
from imagegraphics.observability import logger, request_id
from imagegraphics.request import is_asset_id
from imagegraphics.service.models import CreateAsset
from imagegraphics.stores.assets import READY, Asset, AssetStore
from imagegraphics.stores.blobs import BlobStore
from imagegraphics.stores.recipes import RecipeStore


def create_upload(tenant: str, body: CreateAsset) -> dict:
    """A PENDING asset and the presigned POST the client uploads the original with."""
    if body.recipe is not None and RecipeStore.from_settings().find(tenant, body.recipe) is None:
        raise NotFound(f"recipe {body.recipe} not found", [detail(["recipe"], f"no recipe named {body.recipe!r}")])
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
        recipe=asset.recipe, recipe_error=asset.recipe_error,
        # Shown once its messages are out: the id names a job that exists.
        recipe_job_id=asset.recipe_job_id if asset.recipe_sent else None,
        conversions=[ConversionResponse(name=c.name, content_type=c.content_type, width=c.width, height=c.height,
                                        url=blobs.presigned_get(c.s3_key)) for c in conversions],
    ).body()
