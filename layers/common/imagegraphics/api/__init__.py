"""The HTTP face of the service: response bodies and the status of every domain error."""
from imagegraphics.api.exceptions import STATUSES, error_body, status_of
from imagegraphics.api.models import (
    AssetResponse, ConversionResponse, CreateAssetResponse, ErrorBody, ErrorItem, JobError, JobOutput,
    JobProgress, JobStatusResponse, SubmitResponse, UploadForm)

__all__ = [
    "AssetResponse", "ConversionResponse", "CreateAssetResponse", "ErrorBody", "ErrorItem", "JobError",
    "JobOutput", "JobProgress", "JobStatusResponse", "STATUSES", "SubmitResponse", "UploadForm", "error_body",
    "status_of",
]
