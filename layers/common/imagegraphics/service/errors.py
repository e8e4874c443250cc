"""Every domain error lives in imagegraphics.errors; this name stays importable for the service modules."""
from imagegraphics.errors import ServiceUnavailable

__all__ = ["ServiceUnavailable"]
