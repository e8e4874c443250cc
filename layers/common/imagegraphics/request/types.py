"""Field types shared by the request objects: ids, colours, names, URLs, sizes, and the request limits."""
from __future__ import annotations

import decimal
import json
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Iterator
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from imagegraphics.urlcheck import MAX_URL_LENGTH, url_problem

_HEX_ID = re.compile(r"[0-9a-f]{32}")
_HEX_COLOR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_CONVERSION_NAME = re.compile(r"[A-Za-z0-9_-]{1,30}")
MAX_METADATA_BYTES = 16 * 1024  # metadata as compact JSON: well under DynamoDB's 400 KB item limit
MAX_METADATA_DEPTH = 30  # DynamoDB nests maps and lists at most 32 levels inside an item
MAX_METADATA_KEY_CHARS = 255


@dataclass(frozen=True)
class RequestLimits:
    """Limits of a request that a deployment may change (settings: MAX_SIDE)."""

    max_side: int = 10000     # largest width or height any size in the request may ask for
    max_assets: int = 1000    # assets in one request: each becomes one queued message
    # graphics image_url schemes; the service fetches http(s), the local command line reads file://
    image_url_schemes: tuple[str, ...] = ("http", "https")
    # webhook.url may name http(s)://127.0.0.1 or localhost (the local stack only; settings.webhook_loopback)
    webhook_loopback: bool = False


def limits_of(info: ValidationInfo) -> RequestLimits:
    """parse_request passes its limits as validation context; models built in code get the defaults."""
    return (info.context or {}).get("limits") or RequestLimits()


def is_asset_id(value: str) -> bool:
    return _HEX_ID.fullmatch(value) is not None


def _asset_id(value: str) -> str:
    if not is_asset_id(value):
        raise PydanticCustomError("asset_id", "must be an asset id: 32 lowercase hexadecimal characters")
    return value


# Every asset or image id of the API, declared once.
AssetId = Annotated[str, AfterValidator(_asset_id),
                    WithJsonSchema({"type": "string", "pattern": f"^{_HEX_ID.pattern}$"})]


def parse_color(value: Any) -> tuple[int, int, int, int]:
    """#rgb, #rrggbb or #rrggbbaa (any case) → (r, g, b, a); a tuple of four 0..255 ints passes as is."""
    if isinstance(value, tuple) and len(value) == 4 and all(
            type(c) is int and 0 <= c <= 255 for c in value):
        return value  # built in code, not from JSON
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
        raise PydanticCustomError("color", "must be a colour #rgb, #rrggbb or #rrggbbaa")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    r, g, b, a = (int(digits[i:i + 2], 16) for i in range(0, 8, 2))
    return r, g, b, a


def format_color(rgba: tuple[int, int, int, int]) -> str:
    """#rrggbb when opaque, else #rrggbbaa."""
    return "#" + "".join(f"{c:02x}" for c in (rgba[:3] if rgba[3] == 255 else rgba))


Color = Annotated[
    tuple[int, int, int, int],
    PlainValidator(parse_color),
    PlainSerializer(format_color, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": f"^{_HEX_COLOR.pattern}$"}),
]


def _conversion_name(value: str) -> str:
    if not _CONVERSION_NAME.fullmatch(value):
        raise PydanticCustomError(
            "conversion_name", "must be 1 to 30 characters of letters, digits, '_' and '-'")
    return value


ConversionName = Annotated[str, AfterValidator(_conversion_name)]


def _image_url(value: str, info: ValidationInfo) -> str:
    schemes = limits_of(info).image_url_schemes
    parts = _url_parts(value)
    located = parts is not None and (bool(parts.hostname) if parts.scheme != "file" else bool(parts.path))
    if parts is None or parts.scheme not in schemes or not located or len(value) > MAX_URL_LENGTH:
        raise PydanticCustomError(
            "image_url", "must be a URL of at most {max} characters with scheme {schemes}",
            {"schemes": " or ".join(schemes), "max": MAX_URL_LENGTH})
    if parts.scheme in ("http", "https"):
        # Refused here, so the processor never tries it (the fetcher checks DNS answers again).
        problem = url_problem(value, tuple(s for s in schemes if s in ("http", "https")))
        if problem:
            raise PydanticCustomError("image_url", "{problem}", {"problem": problem})
    return value


def _url_parts(value: str) -> SplitResult | None:
    """The URL's parts, or None when it cannot be one (an unclosed "[", a port out of range)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - parsed lazily: raises ValueError when out of range
    except ValueError:
        return None
    return parts


ImageUrl = Annotated[str, AfterValidator(_image_url)]


def _side(value: int, info: ValidationInfo) -> int:
    """Width or height: positive and at most the deployment's maximum side."""
    limits = limits_of(info)
    if value <= 0:
        raise PydanticCustomError("side", "must be a positive number of pixels")
    if value > limits.max_side:
        raise PydanticCustomError("side", "must be at most {max_side} pixels",
                                  {"max_side": limits.max_side})
    return value


Side = Annotated[int, AfterValidator(_side)]


# DynamoDB numbers: 38 significant digits, magnitudes from 1e-130 to under 1e126. boto3 converts
# with the same traps, so a value this context takes is one the table stores.
_DYNAMO_NUMBERS = decimal.Context(prec=38, Emin=-128, Emax=126, traps=[
    decimal.Clamped, decimal.Overflow, decimal.Inexact, decimal.Rounded, decimal.Underflow])
_NUMBER_RULE = "must be a number DynamoDB can store: at most 38 significant digits, magnitude 1e-130 to 1e125"


def _storable_number(value: int | float) -> str | None:
    """Why a JSON number cannot be stored, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (not NaN or Infinity)"
    try:
        # A float is stored as it is written in JSON (repr), as the stores convert it.
        number = _DYNAMO_NUMBERS.create_decimal(repr(value) if isinstance(value, float) else value)
    except decimal.DecimalException:
        return _NUMBER_RULE
    return None if number.is_zero() or -130 <= number.adjusted() <= 125 else _NUMBER_RULE


JsonPath = tuple[str | int, ...]


def walk_json(value: Any) -> Iterator[tuple[JsonPath, Any]]:
    """(path, value) of every value of parsed JSON, in document order, without recursion (the
    document may be nested as deeply as the parser allows)."""
    stack: list[tuple[JsonPath, Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        yield path, item
        if isinstance(item, dict):
            stack.extend((path + (key,), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((path + (i,), child) for i, child in reversed(list(enumerate(item))))


def _key_problem(key: str) -> str | None:
    """Why a map key cannot be stored, or None. A DynamoDB attribute name has at least one character
    (moto stores an empty one in a form botocore cannot read back); a long one is data, not a name."""
    if not 1 <= len(key) <= MAX_METADATA_KEY_CHARS:
        got = "an empty key" if not key else f"{len(key)} characters"
        return f"keys must be 1 to {MAX_METADATA_KEY_CHARS} characters (got {got})"
    return None


def _json_problem(value: Any) -> tuple[JsonPath, str] | None:
    """(path, rule) of the first key or value a DynamoDB map cannot hold."""
    for path, item in walk_json(value):
        key_problem = _key_problem(path[-1]) if path and isinstance(path[-1], str) else None
        if key_problem:
            return path, key_problem
        if isinstance(item, (dict, list)) and item and len(path) >= MAX_METADATA_DEPTH:
            return path, f"nested more than {MAX_METADATA_DEPTH} levels deep"
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            problem = _storable_number(item)
            if problem:
                return path, problem
    return None


def _dynamo_json(value: dict[str, Any]) -> dict[str, Any]:
    problem = _json_problem(value)
    if problem is not None:
        # "at" extends the error's location to the offending value (see parse.py).
        raise PydanticCustomError("dynamo_json", problem[1], {"at": problem[0]})
    size = len(json.dumps(value, separators=(",", ":")).encode())
    if size > MAX_METADATA_BYTES:
        raise PydanticCustomError("dynamo_json", "must be at most {max} bytes as JSON (got {size})",
                                  {"max": MAX_METADATA_BYTES, "size": size})
    return value


# Free-form metadata stored as a DynamoDB map: finite numbers it can hold, bounded depth and size.
DynamoJson = Annotated[dict[str, Any], AfterValidator(_dynamo_json)]
