"""parse_request: payload → ImageGraphicsRequest, or InvalidRequest listing every problem found.

Two passes: the field types first (shape, types, single-field rules), then the rules relating fields
(rules.py), each run when the parts it reads (assets, operations) are well formed. Errors carry the JSON
path as the client wrote it.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from imagegraphics.errors import ErrorDetail, InvalidRequest, PayloadTooLarge, detail
from imagegraphics.request.model import PARTS, Assets, ImageGraphicsRequest, Operations
from imagegraphics.request.options import DEFAULT_CONVERSION_NAME, AssetEntry
from imagegraphics.request.rules import RULES
from imagegraphics.request.types import RequestLimits, walk_json

MESSAGE = "invalid Image Graphics request"

# pydantic's wording → the API's; anything not listed keeps pydantic's message.
_MESSAGES = {
    "missing": "required",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "greater_than_equal": "must be {ge} or more",
    "less_than_equal": "must be {le} or less",
    "literal_error": "must be one of {expected}",
    "extra_forbidden": "unknown key",
}

_STRICT = ConfigDict(strict=True)
_PART_TYPES = {"assets": TypeAdapter(Assets, config=_STRICT),
               "operations": TypeAdapter(Operations, config=_STRICT)}


NOT_JSON = "the request body must be valid JSON"
NOT_UTF8 = "the request body must be UTF-8 JSON"
NOT_UNICODE = "is not Unicode text: it holds a lone surrogate, which UTF-8 cannot encode"
NOT_AN_OBJECT = "the request body must be a JSON object"
TOO_DEEP = "the request body must be valid JSON nested less deeply"
# The job item stores the request as JSON: with its other attributes it must stay under DynamoDB's
# 400 KB item limit, even when every character is escaped (\uXXXX) as the stores write it.
MAX_BODY_BYTES = 256 * 1024


def parse_request(payload: Any, limits: RequestLimits = RequestLimits()) -> ImageGraphicsRequest:
    if not isinstance(payload, dict):
        raise InvalidRequest(MESSAGE, [detail((), NOT_AN_OBJECT)])
    _check_size(_stored_size(payload))
    context = {"limits": limits}
    try:
        req = ImageGraphicsRequest.model_validate(payload, context=context)
        errors: list[ErrorDetail] = []
    except ValidationError as exc:
        errors = located_errors(exc)
        req = _well_formed_parts(payload, errors, context)
    errors += [error for rule, reads in RULES if reads <= req.model_fields_set for error in rule(req)]
    if errors:
        raise InvalidRequest(MESSAGE, errors)
    return with_defaults(req)


def parse_request_json(body: str | bytes | None, limits: RequestLimits = RequestLimits()) -> ImageGraphicsRequest:
    """For an HTTP body: invalid JSON is reported the same way as an invalid request."""
    return parse_request(json_object(body), limits)


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


def _well_formed_parts(payload: dict, errors: list[ErrorDetail], context: dict) -> ImageGraphicsRequest:
    """A request holding only the parts without field errors (validated alone), for the rules reading them."""
    broken = {error["loc"][0] for error in errors if error["loc"]}
    parts = {name: _PART_TYPES[name].validate_python(payload[name], context=context)
             for name in PARTS if name not in broken}
    return ImageGraphicsRequest.model_construct(**parts)


def with_defaults(req: ImageGraphicsRequest) -> ImageGraphicsRequest:
    """Neither add_as_conversion nor create_asset: saved as the conversion "image-graphics" (DESIGN §3)."""
    assets = []
    for entry in req.assets:
        options, d = entry.options, entry.options.disposition
        if not d.add_as_conversion and not d.create_asset:
            d = d.model_copy(update={"add_as_conversion": True,
                                     "conversion_name": d.conversion_name or DEFAULT_CONVERSION_NAME})
            entry = AssetEntry.of(entry.asset_id, options.model_copy(update={"disposition": d}))
        assets.append(entry)
    return req.model_copy(update={"assets": assets})


def located_errors(exc: ValidationError) -> list[ErrorDetail]:
    return [_located(error) for error in exc.errors(include_url=False)]


def _located(error: Any) -> ErrorDetail:
    ctx = error.get("ctx") or {}
    loc = [part for part in error["loc"] if not _internal(part)]
    loc += at_path(ctx)
    template = _MESSAGES.get(error["type"])
    msg = template.format(**ctx) if template and _formattable(template, ctx) else error["msg"]
    return detail(loc, msg)


def at_path(ctx: dict | None) -> list[str | int]:
    """Our validators name the offending key ("at": an unknown operation) or path inside a value
    ("at": a tuple, e.g. a metadata number) this way; pydantic's location stops at the field."""
    at = (ctx or {}).get("at")
    if at is None:
        return []
    return list(at) if isinstance(at, tuple) else [at]


def _internal(part: str | int) -> bool:
    """Location segments pydantic adds for itself, not keys of the client's JSON."""
    return isinstance(part, str) and (part == "[key]" or part.startswith(("function-", "json-or-python[")))


def _formattable(template: str, ctx: dict) -> bool:
    try:
        template.format(**ctx)
    except (KeyError, IndexError):
        return False
    return True
