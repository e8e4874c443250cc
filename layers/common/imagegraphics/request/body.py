"""The request body as JSON: UTF-8 text, a JSON object, at most MAX_BODY_BYTES, every string Unicode.

Kept apart from parse.py, which builds the request's models: every POST route reads its body with
json_object, and the error helpers are shared by bodies that are not Image Graphics requests.
"""
from __future__ import annotations

import json

from imagegraphics.errors import InvalidRequest, PayloadTooLarge, detail
from imagegraphics.request.types import walk_json

MESSAGE = "invalid Image Graphics request"
NOT_JSON = "the request body must be valid JSON"
NOT_UTF8 = "the request body must be UTF-8 JSON"
NOT_UNICODE = "is not Unicode text: it holds a lone surrogate, which UTF-8 cannot encode"
NOT_AN_OBJECT = "the request body must be a JSON object"
TOO_DEEP = "the request body must be valid JSON nested less deeply"
# The job item stores the request as JSON: with its other attributes it must stay under DynamoDB's
# 400 KB item limit, even when every character is escaped (\uXXXX) as the stores write it.
MAX_BODY_BYTES = 256 * 1024


def json_object(body: str | bytes | None, message: str = MESSAGE) -> dict:
    """A JSON body that must be an object (any route's); otherwise InvalidRequest located at the body, []."""
    _check_size(len(body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body or b""))
    text = utf8_text(body, message)
    try:
        payload = json.loads(text)
    except ValueError:
        raise InvalidRequest(message, [detail((), NOT_JSON)]) from None
    except RecursionError:  # the parser recurses per nesting level: `[` x 100000 exhausts the stack
        raise InvalidRequest(message, [detail((), TOO_DEEP)]) from None
    if not isinstance(payload, dict):
        raise InvalidRequest(message, [detail((), NOT_AN_OBJECT)])
    _check_unicode(payload, message)
    return payload


def utf8_text(body: str | bytes | None, message: str = MESSAGE) -> str:
    """The body as text, when it is UTF-8 (RFC 8259 §8.1); a leading byte order mark is ignored.

    json.loads would also take UTF-16 and UTF-32 bytes: the API does not, so every client sends the
    one encoding the stores and the presigned forms assume.
    """
    if isinstance(body, bytes):
        encoding = json.detect_encoding(body)
        if not encoding.startswith("utf-8"):
            raise _not_utf8(message, f"it looks like {encoding.upper()}")
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(message, f"byte 0x{body[exc.start]:02x} at offset {exc.start} is not UTF-8") from None
    text = (body or "").removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:  # never in JSON text; UTF-16 or UTF-32 text read as UTF-8 is full of them
        raise _not_utf8(message, f"a NUL character at offset {nul}")
    return text


def _not_utf8(message: str, why: str) -> InvalidRequest:
    return InvalidRequest(message, [detail((), f"{NOT_UTF8} ({why})")])


def _check_unicode(payload: dict, message: str) -> None:
    """Every key and string must be encodable as UTF-8: a JSON escape can name a lone surrogate
    (`"\\udcff"`), which no store or response could carry."""
    for path, value in walk_json(payload):
        if path and isinstance(path[-1], str) and not _encodable(path[-1]):
            raise InvalidRequest(message, [detail(path, f"the key {NOT_UNICODE}")])
        if isinstance(value, str) and not _encodable(value):
            raise InvalidRequest(message, [detail(path, f"the string {NOT_UNICODE}")])


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _stored_size(payload: dict) -> int:
    """Bytes of the payload as the job store writes it (json.dumps, non-ASCII escaped)."""
    try:
        return len(json.dumps(payload, default=str))
    except RecursionError:
        raise InvalidRequest(MESSAGE, [detail((), TOO_DEEP)]) from None


def _check_size(size: int) -> None:
    if size > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is larger than the limit of {MAX_BODY_BYTES} bytes",
                              [detail((), f"must be at most {MAX_BODY_BYTES} bytes as JSON (got {size})")])


def at_path(ctx: dict | None) -> list[str | int]:
    """Our validators name the offending key ("at": an unknown operation) or path inside a value
    ("at": a tuple, e.g. a metadata number) this way; pydantic's location stops at the field."""
    at = (ctx or {}).get("at")
    if at is None:
        return []
    return list(at) if isinstance(at, tuple) else [at]
