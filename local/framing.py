"""Request body framing (RFC 9112 §6): Content-Length or chunked, read strictly.

Anything ambiguous is refused rather than guessed at: a server and a proxy in front of it that
guess differently read a second request out of a body (request smuggling). After a FramingError
the connection's byte stream is no longer trusted, so the caller answers and closes it.
"""
from __future__ import annotations

import re
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import Message
from typing import BinaryIO

MAX_BODY_BYTES = 64 << 20  # above the largest upload the template allows (50 MiB) plus form fields
MAX_LINE_BYTES = 4096  # a chunk-size line (with extensions) or a trailer line
MAX_TRAILER_LINES = 64
_DIGITS = re.compile(r"[0-9]+")
# chunk-size [ chunk-ext ] CRLF; chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] )
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_VALUE = rf'(?:{_TOKEN}|"(?:[^"\\\r\n]|\\.)*")'
_CHUNK_LINE = re.compile(rf"([0-9A-Fa-f]+)((?:[ \t]*;[ \t]*{_TOKEN}(?:[ \t]*=[ \t]*{_VALUE})?)*)[ \t]*")


class FramingError(Exception):
    def __init__(self, status: int, loc: list[str], msg: str):
        super().__init__(msg)
        self.status, self.loc, self.msg = status, loc, msg


def _content_length(values: list[str]) -> int | None:
    # Repeated fields and comma lists are one list (RFC 9110 §5.3); identical repeats are allowed.
    items = [item.strip() for value in values for item in value.split(",")]
    if not items:
        return None
    if any(not _DIGITS.fullmatch(item) for item in items):
        raise FramingError(400, ["headers", "Content-Length"],
                           f"Content-Length must be a non-negative decimal integer, got {', '.join(values)!r}")
    if len({int(item) for item in items}) > 1:
        raise FramingError(400, ["headers", "Content-Length"],
                           f"conflicting Content-Length values: {', '.join(values)}")
    return int(items[0])


def _is_chunked(values: list[str], version: str) -> bool:
    if not values:
        return False
    codings = [item.strip().lower() for value in values for item in value.split(",")]
    if version == "HTTP/1.0":
        # A 1.0 client cannot mean chunked; an intermediary may have passed it on (RFC 9112 §6.1).
        raise FramingError(400, ["headers", "Transfer-Encoding"], "Transfer-Encoding is not allowed in HTTP/1.0")
    if codings != ["chunked"]:
        raise FramingError(400, ["headers", "Transfer-Encoding"],
                           f"only the 'chunked' transfer coding is supported, got {', '.join(values)!r}")
    return True


def _check_fields(headers: Message) -> None:
    # http.client stops at a line that is not `name: value` and keeps the rest as "payload": the
    # fields after it (a Content-Length among them) would vanish silently. (Other defects, such as
    # a multipart Content-Type's missing boundary lines, are about a body it never saw.)
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in headers.defects) or headers.get_payload():
        raise FramingError(400, ["headers"], "malformed header line: a field name with spaces, or no colon")
    for name, value in headers.items():
        if "\r" in value or "\n" in value:
            raise FramingError(400, ["headers", name], "obsolete line folding (a line starting with a space) is refused")


def read_body(headers: Message, rfile: BinaryIO, version: str, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The request's body, decoded; FramingError when its framing is invalid, too large or cut short."""
    _check_fields(headers)
    length = _content_length(headers.get_all("Content-Length") or [])
    chunked = _is_chunked(headers.get_all("Transfer-Encoding") or [], version)
    if chunked and length is not None:
        raise FramingError(400, ["headers", "Transfer-Encoding"],
                           "a request may not carry both Transfer-Encoding and Content-Length")
    if chunked:
        return _read_chunked(rfile, max_bytes)
    if not length:
        return b""  # no framing header: a request without a body (RFC 9112 §6.3)
    if length > max_bytes:
        raise FramingError(413, ["headers", "Content-Length"], f"the body may be at most {max_bytes} bytes")
    return _read_exactly(rfile, length, ["body"])


def _read_exactly(rfile: BinaryIO, size: int, loc: list[str]) -> bytes:
    try:
        data = rfile.read(size)
    except TimeoutError:
        raise FramingError(408, loc, "timed out waiting for the rest of the body") from None
    if len(data) < size:
        raise FramingError(400, loc, f"the connection ended after {len(data)} of {size} body bytes")
    return data


def _read_line(rfile: BinaryIO, loc: list[str]) -> str:
    try:
        line = rfile.readline(MAX_LINE_BYTES + 1)
    except TimeoutError:
        raise FramingError(408, loc, "timed out waiting for the rest of the body") from None
    if len(line) > MAX_LINE_BYTES:
        raise FramingError(400, loc, f"line longer than {MAX_LINE_BYTES} bytes")
    if not line.endswith(b"\r\n"):
        # A bare LF is a line end to some parsers and not to others: refuse it.
        reason = "the connection ended" if not line.endswith(b"\n") else "line ends without CR LF"
        raise FramingError(400, loc, f"malformed chunked body: {reason}")
    return line[:-2].decode("latin-1")


def _read_chunked(rfile: BinaryIO, max_bytes: int) -> bytes:
    body = bytearray()
    while True:
        loc = ["body", f"chunk {len(body)}"]
        line = _read_line(rfile, loc)
        found = _CHUNK_LINE.fullmatch(line)
        if found is None:
            raise FramingError(400, loc, f"malformed chunk size line {line[:80]!r}: expected hex size [;ext]")
        size = int(found.group(1), 16)
        if size == 0:
            break
        if len(body) + size > max_bytes:
            raise FramingError(413, ["body"], f"the body may be at most {max_bytes} bytes")
        body += _read_exactly(rfile, size, loc)
        if _read_exactly(rfile, 2, loc) != b"\r\n":
            raise FramingError(400, loc, f"chunk data is longer than its size {size:#x} (no CR LF after it)")
    _skip_trailers(rfile)
    return bytes(body)


def _skip_trailers(rfile: BinaryIO) -> None:
    # Trailer fields are not passed on: API Gateway's events have no place for them.
    for _ in range(MAX_TRAILER_LINES):
        line = _read_line(rfile, ["body", "trailer"])
        if not line:
            return
        if ":" not in line or line[0] in " \t":
            raise FramingError(400, ["body", "trailer"], f"malformed trailer field {line[:80]!r}")
    raise FramingError(400, ["body", "trailer"], f"more than {MAX_TRAILER_LINES} trailer fields")
