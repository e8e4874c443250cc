"""Shared by the request rule tests: a minimal request, and the one error a payload raises."""
import pytest

from imagegraphics.errors import InvalidRequest
from imagegraphics.request import RequestLimits, parse_request


A = "0123456789abcdef0123456789abcdef"
IMG = "fedcba9876543210fedcba9876543210"
OPTS = ["assets", 0, A, "options"]
CANVAS = {"size": {"width": 100, "height": 80}}


def req(options=None, operations=None):
    return {"assets": [{A: {"options": options or {}}}], "operations": operations or [{"bg_remove": {}}]}


def bg_add(**options):
    return {"bg_add": {"options": {"color": "#000", **options}}}


def the_error(payload, limits=RequestLimits()):
    with pytest.raises(InvalidRequest) as exc:
        parse_request(payload, limits)
    assert len(exc.value.errors) == 1, exc.value.errors
    error = exc.value.errors[0]
    return error["loc"], error["msg"]
