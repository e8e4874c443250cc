"""parse_request: payload → ImageGraphicsRequest, or InvalidRequest listing every problem found.

Two passes: the field types first (shape, types, single-field rules), then the rules relating fields
(rules.py), each run when the parts it reads (assets, operations) are well formed. Errors carry the JSON
path as the client wrote it.
"""
from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from imagegraphics.errors import ErrorDetail, InvalidRequest, detail
from imagegraphics.request.body import (  # noqa: F401 - MAX_BODY_BYTES and utf8_text: parse's API too
    MAX_BODY_BYTES, MESSAGE, NOT_AN_OBJECT, _check_size, _stored_size, at_path, json_object, utf8_text)
from imagegraphics.request.model import PARTS, Assets, ImageGraphicsRequest, Operations
from imagegraphics.request.options import DEFAULT_CONVERSION_NAME, AssetEntry
from imagegraphics.request.rules import RULES
from imagegraphics.request.types import RequestLimits

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
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "greater_than_equal": "must be {ge} or more",
    "less_than_equal": "must be {le} or less",
    "literal_error": "must be one of {expected}",
    "extra_forbidden": "unknown key",
}

_STRICT = ConfigDict(strict=True)
_PART_TYPES = {"assets": TypeAdapter(Assets, config=_STRICT),
               "operations": TypeAdapter(Operations, config=_STRICT)}


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
    ctx = {key: _plain(value) for key, value in ctx.items()}
    msg = template.format(**ctx) if template and _formattable(template, ctx) else error["msg"]
    return detail(loc, msg)


def _plain(value: Any) -> Any:
    """A bound of a number field as written in the rule: 1, not 1.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _internal(part: str | int) -> bool:
    """Location segments pydantic adds for itself, not keys of the client's JSON."""
    return isinstance(part, str) and (part == "[key]" or part.startswith(("function-", "json-or-python[")))


def _formattable(template: str, ctx: dict) -> bool:
    try:
        template.format(**ctx)
    except (KeyError, IndexError):
        return False
    return True
