"""Service errors beyond those in imagegraphics.errors."""
from __future__ import annotations

from imagegraphics.errors import ImageGraphicsError


class ServiceUnavailable(ImageGraphicsError):
    """A dependency (queue, table) failed; nothing half-done is left behind and the caller may retry."""

    status = 503
