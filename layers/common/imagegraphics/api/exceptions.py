"""Which HTTP status each domain error answers, and the error body for any exception.

The status lives on each class (ImageGraphicsError.status); this module is the one place that
lists them all and the one place that decides what an unexpected exception looks like to a client.
"""
from __future__ import annotations

from http import HTTPStatus

from imagegraphics.api.models import ErrorBody
from imagegraphics.errors import (
    AssetMissing, Conflict, Forbidden, ImageGraphicsError, ImageRejected, InvalidRequest, NotFound,
    PayloadTooLarge, RenderFailed, ServiceUnavailable, Unauthorized)

STATUSES: dict[type[ImageGraphicsError], int] = {
    cls: cls.status for cls in (InvalidRequest, Unauthorized, Forbidden, NotFound, AssetMissing, Conflict,
                                PayloadTooLarge, ImageRejected, RenderFailed, ServiceUnavailable)}

INTERNAL_ERROR = "internal error"


def status_of(exc: BaseException) -> int:
    """A domain error's own status; anything else is our fault: 500."""
    if isinstance(exc, ImageGraphicsError):
        return exc.status
    return HTTPStatus.INTERNAL_SERVER_ERROR


def error_body(exc: BaseException) -> ErrorBody:
    """`{"message", "errors"}`; an unexpected exception says nothing of its internals."""
    if isinstance(exc, ImageGraphicsError):
        return ErrorBody.model_validate(exc.to_body())
    return ErrorBody(message=INTERNAL_ERROR)
