"""Recipes: a saved request for one asset, run on every upload created with its name.

A recipe is validated by the request's own rules: it is checked as the request it becomes, with a
stand-in asset, and each error is reported where the client wrote it (`options...`, `operations...`).
"""
from __future__ import annotations

import json
import re
from typing import Any

from imagegraphics.api.recipes import RecipeList, RecipeResponse
from imagegraphics.errors import Conflict, InvalidRequest, NotFound, detail
from imagegraphics.observability import logger
from imagegraphics.request import ImageGraphicsRequest, parse_request
from imagegraphics.service.pages import encode_cursor, page_request, within_budget
from imagegraphics.service.references import asset_references, drawn_references
from imagegraphics.service.submit import request_limits
from imagegraphics.stores.assets import READY, AssetStore
from imagegraphics.stores.recipes import Recipe, RecipeStore, list_partition

NAME = re.compile(r"[A-Za-z0-9_-]{1,30}")
MESSAGE = "invalid recipe"
KEYS = ("operations", "options", "webhook")
_STAND_IN = "0" * 32  # the asset a recipe is checked with; no asset id is ever all zeros


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InvalidRequest("invalid recipe name",
                             [detail(("name",), "must be 1 to 30 characters of letters, digits, '_' and '-'")])
    return name


def request_for(asset_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The Image Graphics request a recipe makes for one asset."""
    request = {"assets": [{asset_id: {"options": body.get("options", {})}}], "operations": body.get("operations")}
    if body.get("webhook") is not None:
        request["webhook"] = body["webhook"]
    return request


def _located(loc: list) -> list:
    """A location in the stand-in request → the same place in the recipe body."""
    if loc[:3] == ["assets", 0, _STAND_IN]:
        return ["options", *loc[4:]] if loc[3:4] == ["options"] else ["options"]
    return loc


def validate(tenant: str, body: dict[str, Any]) -> dict[str, Any]:
    """The recipe as it will be stored, or InvalidRequest / NotFound / Conflict naming each problem."""
    check(tenant, body, MESSAGE)
    return {key: body[key] for key in KEYS if body.get(key) is not None}


def check(tenant: str, body: dict[str, Any], message: str) -> ImageGraphicsRequest:
    """The request a flow for one asset becomes (with a stand-in asset), checked by the request's own
    rules: InvalidRequest (with `message`) / NotFound / Conflict, each error where the flow has it."""
    unknown = [detail((key,), f"unknown key; valid keys are {', '.join(KEYS)}") for key in body if key not in KEYS]
    missing = [] if "operations" in body else [detail(("operations",), "required")]
    if unknown or missing:
        raise InvalidRequest(message, missing + unknown)
    try:
        req = parse_request(request_for(_STAND_IN, body), request_limits())
    except InvalidRequest as exc:
        raise InvalidRequest(message, [detail(_located(e["loc"]), e["msg"]) for e in exc.errors]) from None
    # The images the flow draws (backgrounds, graphics, borders) must be there when it runs. Only the
    # stand-in itself is skipped: an all-zero id drawn by the flow is as unknown as any other.
    stand_in = ("assets", 0, _STAND_IN)
    refs = [(_located(list(loc)), a) for loc, a in asset_references(req) if tuple(loc) != stand_in]
    records = AssetStore.from_settings().find_states(a for _, a in refs)
    missing = [detail(loc, f"asset {a} not found") for loc, a in refs
               if records[a] is None or records[a].tenant != tenant]
    if missing:
        raise NotFound("referenced assets not found", missing)
    not_ready = [detail(loc, f"asset {a} is {records[a].status}, not READY")
                 for loc, a in drawn_references([(tuple(loc), a) for loc, a in refs]) if records[a].status != READY]
    if not_ready:
        raise Conflict("referenced assets are not READY", not_ready)
    return req


def view(recipe: Recipe) -> dict:
    body = recipe.payload
    return RecipeResponse(name=recipe.name, operations=body["operations"], options=body.get("options", {}),
                          webhook=body.get("webhook"), created_at=recipe.created_at,
                          updated_at=recipe.updated_at).body()


def put_recipe(tenant: str, name: str, body: dict[str, Any]) -> dict:
    check_name(name)
    stored = RecipeStore.from_settings().put(tenant, name, validate(tenant, body))
    logger.info("recipe saved", extra={"recipe": name})
    return view(stored)


def get_recipe(tenant: str, name: str) -> dict:
    check_name(name)
    return view(RecipeStore.from_settings().get(tenant, name))


def list_recipes(tenant: str, query: dict[str, str] | None = None) -> dict:
    """A page of the tenant's recipes, newest first (service/pages.py), with `next` when more follow."""
    scope = f"recipes:{tenant}"
    asked = page_request(query, scope)
    if asked.start is not None and asked.start.get("lpk", {}).get("S") != list_partition(tenant):
        raise InvalidRequest("invalid list parameters", [detail(("next",), "is not a cursor this list gave")])
    found, more = RecipeStore.from_settings().page(tenant, asked.limit, asked.start)
    views = [(view(recipe), position) for recipe, position in found]
    kept = within_budget(views, lambda v: len(json.dumps(v[0], separators=(",", ":"))))
    more = more or len(kept) < len(views)
    following = encode_cursor(kept[-1][1], scope) if more and kept else None
    return RecipeList(recipes=[RecipeResponse.model_validate(v) for v, _ in kept], next=following).body()


def delete_recipe(tenant: str, name: str) -> None:
    check_name(name)
    if not RecipeStore.from_settings().delete(tenant, name):
        raise NotFound(f"recipe {name} not found", [detail(("name",), "not found")])
    logger.info("recipe deleted", extra={"recipe": name})

