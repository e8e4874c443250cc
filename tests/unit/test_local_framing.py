"""local.framing reads request bodies strictly: what it cannot frame unambiguously it refuses."""
from __future__ import annotations

import http.client
import io

import pytest

from local.framing import FramingError, read_body


def _read(head: bytes, rest: bytes, version: str = "HTTP/1.1", max_bytes: int = 1000) -> tuple[bytes, bytes]:
    """(body, what is left on the stream for the next request)."""
    stream = io.BytesIO(head + b"\r\n" + rest)
    headers = http.client.parse_headers(stream)
    body = read_body(headers, stream, version, max_bytes)
    return body, stream.read()


@pytest.mark.parametrize("head, rest, body, left", [
    (b"Content-Length: 3\r\n", b"abcGET", b"abc", b"GET"),
    (b"", b"GET / HTTP/1.1", b"", b"GET / HTTP/1.1"),  # no framing header: no body
    (b"Content-Length: 0\r\n", b"next", b"", b"next"),
    (b"Content-Type: multipart/form-data; boundary=a\r\nContent-Length: 2\r\n", b"abX", b"ab", b"X"),
    (b"Transfer-Encoding: chunked\r\n", b"2\r\nab\r\n0\r\n\r\nnext", b"ab", b"next"),
    (b"Transfer-Encoding: Chunked\r\n", b"1;x=\"a b\"\r\na\r\n0\r\nT: 1\r\n\r\n", b"a", b""),
])
def test_bodies_end_exactly_where_their_framing_says(head, rest, body, left):
    assert _read(head, rest) == (body, left)


@pytest.mark.parametrize("head, rest, status, words", [
    (b"Content-Length: 1001\r\n", b"", 413, "at most 1000"),
    (b"Transfer-Encoding: chunked\r\n", b"3e9\r\n", 413, "at most 1000"),
    (b"Transfer-Encoding: chunked\r\n", b"fffffffffffffffffffffffff\r\n", 413, "at most 1000"),
    (b"Transfer-Encoding: chunked\r\n", b"1;" + b"x" * 5000 + b"\r\na\r\n0\r\n\r\n", 400, "longer than"),
    (b"Transfer-Encoding: chunked\r\n", b"0\r\n" + b"T: 1\r\n" * 100 + b"\r\n", 400, "trailer fields"),
    (b"Content-Length: 07\r\nContent-Length: 7\r\n", b"1234567", None, ""),  # the same number
    (b"Content-Length: 5,5\r\n", b"12345", None, ""),
    (b"Content-Length: 5,6\r\n", b"123456", 400, "conflicting"),
])
def test_limits_and_repeated_lengths(head, rest, status, words):
    if status is None:
        assert _read(head, rest)[1] == b""
        return
    with pytest.raises(FramingError) as caught:
        _read(head, rest)
    assert caught.value.status == status and words in caught.value.msg
