"""Response bodies of the HTTP contract (DESIGN.md §3). `.body()` is the JSON-ready dict to return."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from imagegraphics.request import AssetId

AssetStatus = Literal["PENDING", "READY", "REJECTED"]
JobState = Literal["QUEUED", "OK", "ERROR"]


def _omit_none(value: Any) -> bool:
    return value is None


class ResponseModel(BaseModel):
    # Built on first use (defer_build): a function builds only the bodies it answers with.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    def body(self) -> dict:
        return self.model_dump(mode="json")


class ErrorItem(ResponseModel):
    loc: list[str | int]
    msg: str


class ErrorBody(ResponseModel):
    """Every 4xx/5xx: what went wrong, and each broken rule at its JSON location."""

    message: str
    errors: list[ErrorItem] = Field(default_factory=list)
    # API Gateway's id of the request: the correlation id in every log line the request caused.
    request_id: str | None = Field(None, exclude_if=_omit_none)


class UploadForm(ResponseModel):
    """Presigned S3 POST: the client posts the file as multipart form with these fields."""

    url: str
    fields: dict[str, str]


class CreateAssetResponse(ResponseModel):
    """201 of POST /api/v1/assets."""

    asset_id: AssetId
    status: Literal["PENDING"] = "PENDING"
    # The form to post the file with; absent when the asset was created with a `url`
    upload: UploadForm | None = Field(None, exclude_if=_omit_none)
    source_url: str | None = Field(None, exclude_if=_omit_none)  # the `url` the service fetches the image from


class ConversionResponse(ResponseModel):
    name: str
    content_type: str | None = None  # image/png, image/webp or image/jpeg (disposition.format)
    width: int | None = None
    height: int | None = None
    url: str


class AssetResponse(ResponseModel):
    """GET /api/v1/assets/{asset_id}; image fields are null until the asset is READY."""

    asset_id: AssetId
    status: AssetStatus
    filename: str | None = None  # as created; a job-made asset's is its source's stem + its format's extension
    data_schema_id: int | None = None  # as the job that made the asset gave it (disposition.data_schema_id)
    content_type: str | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    source_asset_id: AssetId | None = Field(None, exclude_if=_omit_none)  # set on assets a job created
    reason: str | None = Field(None, exclude_if=_omit_none)  # why a REJECTED upload was refused
    url: str | None = None  # presigned GET; null until READY
    recipe: str | None = Field(None, exclude_if=_omit_none)  # the recipe run when the upload turned READY
    recipe_job_id: int | None = Field(None, exclude_if=_omit_none)  # the job that recipe started
    recipe_error: str | None = Field(None, exclude_if=_omit_none)  # why the recipe could not start a job
    source_url: str | None = Field(None, exclude_if=_omit_none)  # the URL the original was fetched from
    conversions: list[ConversionResponse] = Field(default_factory=list)


class AssetSummary(ResponseModel):
    """An asset in a list: what GET /api/v1/assets/{asset_id} says, without the download URLs."""

    asset_id: AssetId
    status: AssetStatus
    filename: str | None = None
    content_type: str | None = None
    width: int | None = None
    height: int | None = None
    size: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    source_asset_id: AssetId | None = Field(None, exclude_if=_omit_none)
    source_url: str | None = Field(None, exclude_if=_omit_none)
    reason: str | None = Field(None, exclude_if=_omit_none)
    created_at: str  # ISO 8601, UTC


class AssetList(ResponseModel):
    """GET /api/v1/assets: a page of the tenant's assets, newest first."""

    assets: list[AssetSummary]
    next: str | None = Field(None, description="pass as `next` for the following page; null on the last page")


class DeletedAsset(ResponseModel):
    asset_id: AssetId
    conversions: list[str]  # names of the conversions deleted with it
    objects: int  # stored files removed: the original, every conversion's, earlier jobs' replaced ones


class DeleteAssetResponse(ResponseModel):
    """200 of DELETE /api/v1/assets/{asset_id}: what was deleted, the asset named first."""

    deleted: list[DeletedAsset]
    # Assets made from a deleted one and kept (no `cascade`): they stand on their own.
    kept_derived: list[AssetId] = Field(default_factory=list)


class SubmitResponse(ResponseModel):
    """200 of POST /api/v1/assets/addons/image_graphics."""

    job_id: int


class JobOutput(ResponseModel):
    # disposition.conversion_name when given; else the default conversion's name, or for create_asset
    # the new asset's filename
    name: str
    asset_id: AssetId  # the asset holding the result (source asset for a conversion, else the new one)
    url: str


class JobError(ResponseModel):
    # the name its output would have had (JobOutput.name); null only when the asset failed before it
    # could be named (its message was never sent)
    name: str | None
    asset_id: AssetId  # the asset of the request that failed
    error: str  # the message, then each located detail: "message (loc.path: msg; ...)"
    # HTTP-style status of the failure (422: an image that cannot be used), when one is known
    status: int | None = Field(None, exclude_if=_omit_none)
    # a stable name for failures clients branch on: "unknown_foreground" (no foreground found)
    code: str | None = Field(None, exclude_if=_omit_none)


class JobProgress(ResponseModel):
    total: int  # assets in the job
    done: int  # assets with an outcome: succeeded + failed
    succeeded: int
    failed: int


class WebhookDelivery(ResponseModel):
    """How the delivery of the request's webhook is going (beyond the public API)."""

    url: str
    status: Literal["PENDING", "DELIVERED", "FAILED"]
    attempts: int  # POSTs made so far
    last_status: int | None = None  # the receiver's HTTP status on the last attempt; null: no answer yet
    last_error: str | None = Field(None, exclude_if=_omit_none)  # why the last attempt failed


class JobSummary(ResponseModel):
    """A job in a list: its state and counts (GET its id for the outputs and errors)."""

    job_id: int
    status: JobState
    progress: JobProgress
    created_at: str
    finished_at: str | None = None


class JobList(ResponseModel):
    """GET /api/v1/assets/addons/image_graphics/jobs: a page of the tenant's jobs, newest first."""

    jobs: list[JobSummary]
    next: str | None = Field(None, description="pass as `next` for the following page; null on the last page")


class JobStatusResponse(ResponseModel):
    """GET /api/v1/assets/addons/image_graphics/jobs/{job_id}: QUEUED until every asset is done."""

    job_id: int
    status: JobState
    output: list[JobOutput] = Field(default_factory=list)
    error: list[JobError] = Field(default_factory=list)
    progress: JobProgress
    created_at: str  # ISO 8601, UTC
    finished_at: str | None = None  # set once the last asset is done
    webhook: WebhookDelivery | None = Field(None, exclude_if=_omit_none)  # when the request named one
