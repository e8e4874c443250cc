"""Webhook signatures: `X-ImageGraphics-Signature: t=<unix seconds>,v1=<hex>`.

v1 is HMAC-SHA256, keyed with the tenant's webhook secret (its UTF-8 bytes, as shown), over the bytes
`"<t>." + raw body`. Signing the timestamp with the body lets a receiver refuse a replayed request.
"""
from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-ImageGraphics-Signature"
EVENT_HEADER = "X-ImageGraphics-Event"
DELIVERY_HEADER = "X-ImageGraphics-Delivery"
JOB_FINISHED = "job.finished"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, tolerance: int = DEFAULT_TOLERANCE_SECONDS,
           now: float | None = None) -> bool:
    """What a receiver does: a v1 that matches (constant-time) and a timestamp within `tolerance`."""
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
