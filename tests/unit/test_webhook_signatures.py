"""X-ImageGraphics-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>."""
from __future__ import annotations

import hashlib
import hmac
import re

from imagegraphics.service.signatures import sign, signature_header, verify

SECRET = "whsec_test-secret"
BODY = b'{"job_id":7,"status":"OK"}'


def _independent(secret: str, timestamp: int, body: bytes) -> str:
    """The documented construction, spelled out with hashlib alone."""
    block = 64
    key = secret.encode()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + str(timestamp).encode() + b"." + body).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).hexdigest()


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    assert sign(SECRET, 1764025200, BODY) == _independent(SECRET, 1764025200, BODY)
    assert sign(SECRET, 1764025200, BODY) == hmac.new(SECRET.encode(), b"1764025200." + BODY, "sha256").hexdigest()


def test_the_header_has_the_documented_shape():
    header = signature_header(SECRET, 1764025200, BODY)
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", header)
    assert match and match[1] == "1764025200" and match[2] == _independent(SECRET, 1764025200, BODY)


def test_verify_accepts_the_signature_and_refuses_any_change():
    header = signature_header(SECRET, 1000, BODY)
    assert verify(SECRET, header, BODY, now=1000)
    assert not verify(SECRET, header, BODY + b" ", now=1000)  # body changed
    assert not verify("whsec_other", header, BODY, now=1000)  # another tenant's secret
    assert not verify(SECRET, header.replace("t=1000", "t=1001"), BODY, now=1000)  # timestamp changed
    assert not verify(SECRET, header, BODY, now=1000 + 301)  # replayed later than the tolerance
    assert not verify(SECRET, "v1=" + sign(SECRET, 1000, BODY), BODY, now=1000)  # no timestamp
    assert not verify(SECRET, "", BODY, now=1000)


def test_verify_takes_any_of_several_v1_values():
    header = f"t=1000,v1={'0' * 64},v1={sign(SECRET, 1000, BODY)}"
    assert verify(SECRET, header, BODY, now=1000)
