"""Statuses of the domain errors and the response bodies of the HTTP contract."""
import pytest
from pydantic import ValidationError

from imagegraphics.api import (
    AssetResponse, ConversionResponse, CreateAssetResponse, JobError, JobOutput, JobProgress, JobStatusResponse,
    STATUSES, SubmitResponse, UploadForm, error_body, status_of)
from imagegraphics.errors import (
    AssetMissing, Conflict, Forbidden, ImageRejected, InvalidRequest, NotFound, PayloadTooLarge, RenderFailed,
    ServiceUnavailable, Unauthorized, detail)

A = "0123456789abcdef0123456789abcdef"
B = "fedcba9876543210fedcba9876543210"


@pytest.mark.parametrize("cls,status", [
    (InvalidRequest, 400), (Unauthorized, 401), (Forbidden, 403), (NotFound, 404), (AssetMissing, 404),
    (Conflict, 409), (PayloadTooLarge, 413), (ImageRejected, 422), (RenderFailed, 422),
    (ServiceUnavailable, 503)])
def test_status_of_each_domain_error(cls, status):
    assert STATUSES[cls] == status
    assert status_of(cls("x")) == status


def test_unexpected_error_is_a_500_that_hides_its_text():
    exc = KeyError("table-name-and-secrets")
    assert status_of(exc) == 500
    assert error_body(exc).body() == {"message": "internal error", "errors": []}


def test_error_body_keeps_every_located_error():
    exc = InvalidRequest("invalid Image Graphics request", [
        detail(["assets", 0, A, "options", "crop", "right"], "must be greater than left"),
        detail(["operations", 1, "bg_remove"], "must come before bg_add (operations[0])")])
    assert error_body(exc).body() == exc.to_body()


def test_create_asset_response():
    body = CreateAssetResponse(asset_id=A, upload=UploadForm(url="https://s3/b", fields={"key": "incoming/" + A})).body()
    assert body == {"asset_id": A, "status": "PENDING", "upload": {"url": "https://s3/b", "fields": {"key": "incoming/" + A}}}


def test_asset_response_pending_and_ready():
    pending = AssetResponse(asset_id=A, status="PENDING").body()
    assert pending == {"asset_id": A, "status": "PENDING", "filename": None, "data_schema_id": None,
                       "content_type": None, "width": None, "height": None, "size": None, "metadata": {},
                       "url": None, "conversions": []}
    ready = AssetResponse(asset_id=B, status="READY", filename="a.png", data_schema_id=7, content_type="image/png",
                          width=10, height=20, size=99, source_asset_id=A, url="https://s3/x",
                          conversions=[ConversionResponse(name="image-graphics", content_type="image/webp", width=10,
                                                          height=20, url="u")]).body()
    assert (ready["source_asset_id"], ready["filename"], ready["data_schema_id"]) == (A, "a.png", 7)
    assert ready["conversions"] == [{"name": "image-graphics", "content_type": "image/webp", "width": 10,
                                     "height": 20, "url": "u"}]


def test_asset_response_refuses_unknown_status_and_bad_ids():
    with pytest.raises(ValidationError):
        AssetResponse(asset_id=A, status="DONE")
    with pytest.raises(ValidationError):
        AssetResponse(asset_id="x", status="READY")


def test_submit_and_job_status():
    assert SubmitResponse(job_id=42).body() == {"job_id": 42}
    status = JobStatusResponse(job_id=7, status="ERROR",
                               output=[JobOutput(name="image-graphics", asset_id=A, url="u")],
                               error=[JobError(name="image-graphics", asset_id=B, error="image not found")],
                               progress=JobProgress(total=2, done=2, succeeded=1, failed=1),
                               created_at="2026-01-01T00:00:00.000Z", finished_at="2026-01-01T00:00:01.000Z")
    assert status.body() == {"job_id": 7, "status": "ERROR",
                             "output": [{"name": "image-graphics", "asset_id": A, "url": "u"}],
                             "error": [{"name": "image-graphics", "asset_id": B, "error": "image not found"}],
                             "progress": {"total": 2, "done": 2, "succeeded": 1, "failed": 1},
                             "created_at": "2026-01-01T00:00:00.000Z", "finished_at": "2026-01-01T00:00:01.000Z"}
    queued = JobStatusResponse(job_id=8, status="QUEUED", progress=JobProgress(total=1, done=0, succeeded=0, failed=0),
                               created_at="2026-01-01T00:00:00.000Z")
    assert queued.body() == {"job_id": 8, "status": "QUEUED", "output": [], "error": [],
                             "progress": {"total": 1, "done": 0, "succeeded": 0, "failed": 0},
                             "created_at": "2026-01-01T00:00:00.000Z", "finished_at": None}


def test_job_error_is_one_line_of_text():
    with pytest.raises(ValidationError):
        JobError(name="image-graphics", asset_id=B, error=error_body(AssetMissing("image not found")))
