"""One convention for every list of the API: `limit` (default 50, at most 100), an opaque `next`
cursor in the answer, newest first, and an answer that stays far under Lambda's 6 MB whatever the
items weigh (a page ends early rather than grow past MAX_PAGE_BYTES).

The cursor is the store's position (DynamoDB's LastEvaluatedKey) and what it belongs to, in URL-safe
base64 JSON: a cursor of another list or another tenant is a 400 at `next`, never a way in.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar

from imagegraphics.errors import InvalidRequest, detail

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
MAX_PAGE_BYTES = 4 * 1024 * 1024  # Lambda answers at most 6 MB: room for the envelope and encoding
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    start: dict[str, Any] | None  # where the previous page ended, None for the first page


def page_request(query: dict[str, str] | None, scope: str) -> PageRequest:
    """`limit` and `next` from the query string, checked: 400 at the parameter naming the rule."""
    query = query or {}
    errors = []
    limit = DEFAULT_LIMIT
    text = query.get("limit")
    if text is not None:
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            errors.append(detail(("limit",), f"must be a whole number from 1 to {MAX_LIMIT}"))
        else:
            limit = int(text)
    start = None
    if query.get("next"):  # empty: the first page, as a generated client may send it
        start = decode_cursor(query["next"], scope)
        if start is None:
            errors.append(detail(("next",), "is not a cursor this list gave"))
    if errors:
        raise InvalidRequest("invalid list parameters", errors)
    return PageRequest(limit, start)


def encode_cursor(key: dict[str, Any], scope: str) -> str:
    raw = json.dumps({"s": scope, "k": key}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, scope: str) -> dict[str, Any] | None:
    """The position a cursor of this `scope` holds, or None when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict) or value.get("s") != scope or not isinstance(value.get("k"), dict):
        return None
    key = value["k"]
    if not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()):
        return None  # only string keys are stored positions
    return key


def within_budget(items: Iterable[T], size: Callable[[T], int], budget: int = MAX_PAGE_BYTES) -> list[T]:
    """The leading items whose sizes fit in `budget` (always the first: one item fits an answer)."""
    kept, used = [], 0
    for item in items:
        used += size(item)
        if kept and used > budget:
            break
        kept.append(item)
    return kept


def from_partition(asked: PageRequest, partition: str) -> dict[str, Any] | None:
    """The start of the page asked for, refused (400 at `next`) when the cursor is another list's."""
    if asked.start is not None and asked.start.get("lpk", {}).get("S") != partition:
        raise InvalidRequest("invalid list parameters", [detail(("next",), "is not a cursor this list gave")])
    return asked.start


def one_page(found: list[tuple[dict, dict[str, Any]]], following: dict[str, Any] | None, scope: str
             ) -> tuple[list[dict], str | None]:
    """The views of a store's page (each with its position) that fit the answer, and the cursor of
    what follows: the store's, or the last kept view's when the budget ended the page early."""
    kept = within_budget(found, lambda v: len(json.dumps(v[0], separators=(",", ":"))))
    if len(kept) < len(found):
        following = kept[-1][1]
    return [view for view, _ in kept], encode_cursor(following, scope) if following else None


def filter_value(query: dict[str, str] | None, name: str, allowed: Iterable[str]) -> str | None:
    """An optional filter of a list, one of `allowed`: 400 at the parameter naming them otherwise."""
    value = (query or {}).get(name) or None
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise InvalidRequest("invalid list parameters", [detail((name,), f"must be one of {', '.join(allowed)}")])
    return value
