"""DynamoDB and S3 access. The only place that talks to boto3; errors come out as domain errors."""
from imagegraphics.stores.assets import (
    PENDING, READY, REJECTED, Asset, AssetState, AssetStore, derive_metadata, derived_asset_id, generated_key, incoming_key,
    new_asset_id,
)
from imagegraphics.stores.conversions import Conversion, ConversionStore, ConversionWrite, conversion_key
from imagegraphics.stores.blobs import BlobInfo, BlobStore, PresignedPost
from imagegraphics.stores.jobs import ERROR, OK, QUEUED, Job, JobItem, JobStore, RecordResult
from imagegraphics.stores.keys import ApiKeyStore, Principal, hash_key
from imagegraphics.stores.queue import JobQueueStore

__all__ = [
    "PENDING", "READY", "REJECTED", "Asset", "AssetState", "AssetStore", "derive_metadata", "derived_asset_id", "generated_key",
    "incoming_key", "new_asset_id", "Conversion", "ConversionStore", "ConversionWrite", "conversion_key",
    "BlobInfo", "BlobStore", "PresignedPost",
    "ERROR", "OK", "QUEUED", "Job", "JobItem", "JobStore", "RecordResult",
    "ApiKeyStore", "Principal", "hash_key", "JobQueueStore",
]
