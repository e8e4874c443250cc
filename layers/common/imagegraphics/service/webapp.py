"""The /app page's Content-Security-Policy: its own scripts and styles, and connections only to the API
(the page's own origin) and to the bucket's origins, read from the settings when the page is served.

In the cloud the bucket's origin is its regional S3 endpoint (`https://<bucket>.s3.<region>.amazonaws.com`);
on the local stack it is the gateway's upload endpoint and moto's server. Both come from the same code
that signs the URLs the API hands out (BlobStore.origins), so the policy cannot drift from them.
"""
from __future__ import annotations

from functools import lru_cache

from imagegraphics.settings import Settings, get_settings
from imagegraphics.stores.blobs import BlobStore


def content_security_policy(connect_origins: list[str]) -> str:
    """No inline script or style, no frames, no form posts, no plugins; images only from the page, the
    blob: URLs it makes of the photos and results it holds, and data: (its empty icon, which keeps the
    browser from asking the API for /favicon.ico); Trusted Types with no policy, so no string can ever
    reach an HTML sink (innerHTML and the like throw)."""
    connect = " ".join(["'self'", *connect_origins])
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:",
        f"connect-src {connect}", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
        "require-trusted-types-for 'script'", "trusted-types 'none'"])


@lru_cache(maxsize=4)
def _policy(settings: Settings) -> str:
    return content_security_policy(BlobStore.from_settings(settings).origins())


def app_policy(settings: Settings | None = None) -> str:
    """The policy for this deployment (computed once per settings: signing two URLs takes a moment)."""
    return _policy(settings or get_settings())
