"""Domain errors shared by the request model, the imaging core and the service.

Each carries an HTTP-like status and a list of located errors, so the API can answer
`{"message": ..., "errors": [{"loc": [...], "msg": ...}]}` without knowing where it came from.
"""
from __future__ import annotations

from typing import TypedDict

Loc = tuple[str | int, ...]


class ErrorDetail(TypedDict):
    loc: list[str | int]
    msg: str


def detail(loc: Loc | list[str | int], msg: str) -> ErrorDetail:
    return {"loc": list(loc), "msg": msg}


class ImageGraphicsError(Exception):
    """Base of every domain error."""

    status = 400
    code: str | None = None  # a stable machine-readable name, where clients branch on one

    def __init__(self, message: str, errors: list[ErrorDetail] | None = None):
        super().__init__(message)
        self.message = message
        self.errors: list[ErrorDetail] = list(errors or [])

    def to_body(self) -> dict:
        return {"message": self.message, "errors": self.errors}


class InvalidRequest(ImageGraphicsError):
    """The request broke one or more rules of the API; `errors` lists all of them."""

    status = 400


class ImageRejected(ImageGraphicsError):
    """The bytes are not a usable image: not an image, truncated, or too many pixels."""

    status = 422


class RenderFailed(ImageGraphicsError):
    """A rule that can only be checked once image sizes are known (e.g. the position bound)."""

    status = 422


class NoForeground(RenderFailed):
    """Background removal found nothing to keep (a flat image, noise, no subject): the asset fails
    rather than come back as a fully transparent image. remove.bg calls this unknown_foreground."""

    status = 422
    code: str | None = "unknown_foreground"


class AssetMissing(ImageGraphicsError):
    """An asset or image referenced by the request could not be found."""

    status = 404


class AssetDeleted(AssetMissing):
    """An asset a job names was deleted after the job was submitted (DELETE /api/v1/assets/{id})."""

    status = 404
    code: str | None = "asset_deleted"

    def __init__(self, asset_id: str, errors: list[ErrorDetail] | None = None):
        super().__init__(f"asset {asset_id}: the asset was deleted", errors)
        self.asset_id = asset_id


class Unauthorized(ImageGraphicsError):
    """No API key, or one that is not known."""

    status = 401


class Forbidden(ImageGraphicsError):
    """The key is valid but lacks the scope for this action."""

    status = 403


class NotFound(ImageGraphicsError):
    """No such asset or job for this tenant (another tenant's records are reported the same way)."""

    status = 404


class Conflict(ImageGraphicsError):
    """The record is not in a state that allows this change (e.g. an asset already ingested)."""

    status = 409


class PayloadTooLarge(ImageGraphicsError):
    """A body or upload larger than the deployment accepts (message says the limit)."""

    status = 413


class ServiceUnavailable(ImageGraphicsError):
    """A dependency (queue, table) failed; nothing half-done is left behind and the caller may retry.
    The answer carries `Retry-After: retry_after` (seconds), so clients back off by as much."""

    status = 503
    retry_after = 5

    def __init__(self, message: str, errors: list[ErrorDetail] | None = None, retry_after: int | None = None):
        super().__init__(message, errors)
        if retry_after is not None:
            self.retry_after = retry_after


class RecordRefused(ImageGraphicsError):
    """The table refused a record for what it holds (too large, a number it cannot store): asking
    again cannot change the answer, unlike a busy or unreachable table."""

    status = 422
