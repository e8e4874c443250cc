"""Validate a flow for one asset before anything is uploaded: the request's rules, nothing created.

The flow is what a recipe holds (`operations`, the asset's `options`, an optional `webhook`), so it is
checked exactly as a recipe is (service.recipes.check): with a stand-in asset, each error located where
the client wrote it, and every image it draws the tenant's and READY. Refusals are the ones submit
gives (400 with the request's message, 404, 409).
"""
from __future__ import annotations

from typing import Any

from imagegraphics.api.recipes import ValidatedOutput, ValidateResponse
from imagegraphics.request import MESSAGE
from imagegraphics.service.recipes import check


def validate_flow(tenant: str, body: dict[str, Any]) -> dict:
    """200's body: valid, and what each asset's output will be (so a client can name its files)."""
    req = check(tenant, body, MESSAGE)
    d = req.assets[0].options.disposition  # with the defaults applied: neither flag is a conversion
    conversion = d.add_as_conversion
    return ValidateResponse(output=ValidatedOutput(
        kind="conversion" if conversion else "asset",
        name=d.conversion_name_or_default if conversion else d.conversion_name,
        format=d.format, content_type=d.content_type, extension=d.extension)).body()
