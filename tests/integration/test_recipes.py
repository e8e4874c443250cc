"""Recipes: the routes, tenant isolation, and one job per upload created with a recipe."""
from __future__ import annotations

import json
import time

import pytest
from integration_support import jpeg, png

from imagegraphics.service import recipe_runs


def _put(stack, name: str, body: dict, tenant: str = "dev") -> tuple[int, dict]:
    event = stack.event("apigw_put_recipe", tenant=tenant)
    event["pathParameters"] = {"name": name}
    event["path"] = f"/api/v1/recipes/{name}"
    event["body"] = json.dumps(body)
    return stack.respond("tenant", event)


def _named(stack, event_name: str, name: str, tenant: str = "dev") -> tuple[int, dict | None]:
    event = stack.event(event_name, tenant=tenant)
    event["pathParameters"] = {"name": name}
    event["path"] = f"/api/v1/recipes/{name}"
    answer = stack.invoke("tenant", event)
    return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else None


RECIPE = {"operations": [{"bg_add": {"options": {"color": "#ffffff"}}}],
          "options": {"canvas": {"size": {"width": 40, "height": 30}, "color": "#00ff00"},
                      "disposition": {"add_as_conversion": True, "conversion_name": "framed"}}}


def _recipe(border: str) -> dict:
    return {"operations": [{"border_add": {"options": {"image_id": border}}}], "options": RECIPE["options"]}


@pytest.fixture
def border(stack) -> str:
    return stack.ready("dev", png((40, 30), (0, 0, 255, 255)))


def _create_asset(stack, recipe: str | None, tenant: str = "dev") -> tuple[int, dict]:
    event = stack.event("apigw_post_asset_with_recipe", tenant=tenant)
    body = json.loads(event["body"])
    if recipe is None:
        body.pop("recipe")
    else:
        body["recipe"] = recipe
    event["body"] = json.dumps(body)
    return stack.respond("assets", event)


def _ingest(stack, asset_id: str) -> dict:
    return stack.invoke("ingest", stack.event("sqs_s3_object_created", ids={"asset": asset_id, "background": asset_id}))


def _upload(stack, recipe: str, data: bytes | None = None) -> str:
    code, created = _create_asset(stack, recipe)
    assert code == 201, created
    stack.blobs.put_bytes(f"incoming/{created['asset_id']}", data if data is not None else jpeg((60, 40)), "image/jpeg")
    return created["asset_id"]


def test_put_get_list_delete(stack, border):
    code, stored = _put(stack, "framed", _recipe(border))
    assert code == 200, stored
    assert stored["name"] == "framed" and stored["operations"] == _recipe(border)["operations"]
    assert stored["options"] == RECIPE["options"] and "webhook" not in stored
    assert _named(stack, "apigw_get_recipe", "framed") == (200, stored)
    time.sleep(0.002)  # the list is newest first
    _put(stack, "another", _recipe(border))
    code, listed = stack.call("tenant", "apigw_list_recipes")
    assert code == 200 and [r["name"] for r in listed["recipes"]] == ["another", "framed"]
    assert listed["next"] is None
    code, replaced = _put(stack, "framed", {**_recipe(border), "options": {}})
    assert replaced["options"] == {} and replaced["created_at"] == stored["created_at"]
    assert _named(stack, "apigw_delete_recipe", "framed") == (204, None)
    assert _named(stack, "apigw_get_recipe", "framed")[0] == 404
    assert _named(stack, "apigw_delete_recipe", "framed")[0] == 404


def test_another_tenants_recipe_is_not_found_and_not_overwritten(stack, border):
    _put(stack, "framed", _recipe(border))
    assert _named(stack, "apigw_get_recipe", "framed", tenant="acme")[0] == 404
    assert _named(stack, "apigw_delete_recipe", "framed", tenant="acme")[0] == 404
    assert stack.call("tenant", "apigw_list_recipes", tenant="acme")[1] == {"recipes": [], "next": None}
    # acme's recipe of the same name is its own; dev's is untouched.
    assert _put(stack, "framed", RECIPE, tenant="acme")[0] == 200
    assert _named(stack, "apigw_get_recipe", "framed")[1]["operations"] == _recipe(border)["operations"]
    # ...and an upload of acme's cannot use dev's recipe (acme's border image is not acme's either).
    assert _put(stack, "dev-only", _recipe(border), tenant="dev")[0] == 200
    code, body = _create_asset(stack, "dev-only", tenant="acme")
    assert code == 404 and body["errors"] == [{"loc": ["recipe"], "msg": "no recipe named 'dev-only'"}]
    code, body = _put(stack, "uses-devs-border", _recipe(border), tenant="acme")
    assert code == 404 and body["errors"][0]["loc"] == ["operations", 0, "border_add", "options", "image_id"]


@pytest.mark.parametrize("body, loc, rule", [
    ({"operations": []}, ["operations"], "at least one operation"),
    ({"options": {}}, ["operations"], "required"),
    ({**RECIPE, "assets": []}, ["assets"], "unknown key"),
    ({**RECIPE, "options": {"crop": {"left": 5, "top": 0, "right": 2, "bottom": 3}}}, ["options", "crop", "right"], "greater than left"),
    ({**RECIPE, "options": {"disposition": {"add_as_conversion": True, "conversion_name": "a b"}}},
     ["options", "disposition", "conversion_name"], "1 to 30 characters"),
    ({**RECIPE, "options": []}, ["options"], "must be an object"),
    ({**RECIPE, "operations": [{"bg_paint": {}}]}, ["operations", 0, "bg_paint"], ""),
    ({**RECIPE, "webhook": {"url": "http://hooks.example.com"}}, ["webhook", "url"], "https"),
])
def test_invalid_recipes_are_400_at_the_location_in_the_recipe(stack, body, loc, rule):
    code, answer = _put(stack, "bad", body)
    assert code == 400, answer
    assert any(e["loc"] == loc and rule in e["msg"] for e in answer["errors"]), answer["errors"]
    assert _named(stack, "apigw_get_recipe", "bad")[0] == 404


def test_a_bad_name_is_400_and_unknown_recipe_on_upload_is_404(stack):
    code, body = _put(stack, "no spaces", RECIPE)
    assert code == 400 and body["errors"][0]["loc"] == ["name"]
    code, body = _create_asset(stack, "missing")
    assert code == 404 and body["errors"] == [{"loc": ["recipe"], "msg": "no recipe named 'missing'"}]
    code, body = _create_asset(stack, "not a name!")
    assert code == 400 and body["errors"][0]["loc"] == ["recipe"]
    assert stack.count_items("ASSET#") == 0


def test_ready_upload_starts_one_job_and_a_redelivered_notification_no_second(stack, border):
    _put(stack, "framed", _recipe(border))
    asset_id = _upload(stack, "framed")
    assert stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})[1]["recipe"] == "framed"
    assert _ingest(stack, asset_id) == {"batchItemFailures": []}
    code, asset = stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})
    job_id = asset["recipe_job_id"]
    assert asset["status"] == "READY" and isinstance(job_id, int)
    job = stack.jobs.get_job("dev", job_id)
    # The request the submit route would have taken for this asset.
    assert stack.jobs.payload(job) == {"assets": [{asset_id: {"options": RECIPE["options"]}}],
                           "operations": _recipe(border)["operations"]}
    [message] = stack.job_messages()
    assert json.loads(message["Body"])["job_id"] == job_id
    _ingest(stack, asset_id)  # the same notification again
    assert stack.count_jobs() == 1 and stack.job_messages() == []
    assert stack.assets.find(asset_id).recipe_job_id == job_id


def test_an_ingest_interrupted_after_the_claim_resumes_with_the_same_job(stack, border, monkeypatch):
    _put(stack, "framed", _recipe(border))
    asset_id = _upload(stack, "framed")

    def crash(*args, **kwargs):
        raise RuntimeError("the function stopped here")

    monkeypatch.setattr(recipe_runs, "start_job", crash)
    with pytest.raises(Exception, match="failed processing"):  # the batch goes back to the queue
        _ingest(stack, asset_id)
    claimed = stack.assets.find(asset_id)
    assert claimed.status == "READY" and claimed.recipe_job_id and not claimed.recipe_sent
    monkeypatch.undo()
    _ingest(stack, asset_id)
    asset = stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})[1]
    assert asset["recipe_job_id"] == claimed.recipe_job_id and stack.count_jobs() == 1
    assert len(stack.job_messages()) == 1


def test_a_rejected_upload_starts_no_job(stack, border):
    _put(stack, "framed", _recipe(border))
    asset_id = _upload(stack, "framed", b"not an image at all" * 10)
    _ingest(stack, asset_id)
    asset = stack.call("assets", "apigw_get_asset", ids={"asset": asset_id})[1]
    assert asset["status"] == "REJECTED" and "recipe_job_id" not in asset
    assert stack.count_items("JOB#") == 0 and stack.job_messages() == []


def test_a_recipe_deleted_or_broken_before_ready_is_reported_on_the_asset(stack, border):
    _put(stack, "framed", _recipe(border))
    gone, broken = _upload(stack, "framed"), None
    _named(stack, "apigw_delete_recipe", "framed")
    _ingest(stack, gone)
    asset = stack.call("assets", "apigw_get_asset", ids={"asset": gone})[1]
    assert asset["status"] == "READY" and "deleted" in asset["recipe_error"] and "recipe_job_id" not in asset
    _put(stack, "framed", _recipe(border))
    broken = _upload(stack, "framed")
    stack.assets.dynamodb.delete_item(TableName=stack.resources["TABLE_NAME"],
                                      Key={"pk": {"S": f"ASSET#{border}"}, "sk": {"S": "ASSET"}})
    _ingest(stack, broken)
    asset = stack.call("assets", "apigw_get_asset", ids={"asset": broken})[1]
    assert f"asset {border} not found" in asset["recipe_error"] and "recipe_job_id" not in asset
    assert stack.count_items("JOB#") == 0


def test_recipe_routes_check_their_scopes(stack):
    event = stack.event("apigw_list_recipes")
    event["requestContext"]["authorizer"]["scopes"] = "assets:read"
    code, body = stack.respond("tenant", event)
    assert code == 403 and "recipes:read" in body["message"]
    event = stack.event("apigw_put_recipe")
    event["requestContext"]["authorizer"]["scopes"] = "recipes:read"
    assert stack.respond("tenant", event)[0] == 403


@pytest.mark.parametrize("unknown", ["0" * 32, "f" * 32])
def test_a_recipe_drawing_an_unknown_image_is_404_even_the_all_zero_id(stack, unknown):
    code, answer = _put(stack, "zeros", {"operations": [{"border_add": {"options": {"image_id": unknown}}}]})
    assert code == 404, answer
    assert answer["errors"] == [{"loc": ["operations", 0, "border_add", "options", "image_id"],
                                 "msg": f"asset {unknown} not found"}]
    assert _named(stack, "apigw_get_recipe", "zeros")[0] == 404


def _list(stack, tenant: str = "dev", **query: str) -> tuple[int, dict, int]:
    """(status, body, size of the answer's body in bytes) of GET /api/v1/recipes?<query>."""
    event = stack.event("apigw_list_recipes", tenant=tenant)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    answer = stack.invoke("tenant", event)
    return answer["statusCode"], json.loads(answer["body"]), len(answer["body"].encode())


def _every_page(stack, tenant: str = "dev", **query: str) -> list[dict]:
    pages, cursor = [], None
    while True:
        code, page, _ = _list(stack, tenant, **query, **({"next": cursor} if cursor else {}))
        assert code == 200, page
        pages.append(page)
        cursor = page["next"]
        if cursor is None:
            return pages


def test_the_list_pages_newest_first_and_reaches_every_recipe_once(stack):
    for i in range(7):
        assert _put(stack, f"r{i}", RECIPE)[0] == 200
        time.sleep(0.002)
    pages = _every_page(stack, limit="3")
    assert [len(p["recipes"]) for p in pages] == [3, 3, 1]
    assert [r["name"] for p in pages for r in p["recipes"]] == [f"r{i}" for i in range(6, -1, -1)]
    code, default, _ = _list(stack)
    assert code == 200 and len(default["recipes"]) == 7 and default["next"] is None
    assert _list(stack, next="")[1]["recipes"] == default["recipes"]  # an empty cursor is the first page


@pytest.mark.parametrize("query, loc", [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "ten"}, "limit"), ({"limit": "-1"}, "limit"),
    ({"limit": "٣"}, "limit"), ({"next": "not-a-cursor"}, "next"), ({"next": "e30"}, "next"),
])
def test_a_bad_limit_or_cursor_is_400_naming_it(stack, query, loc):
    code, body, _ = _list(stack, **query)
    assert code == 400 and [e["loc"] for e in body["errors"]] == [[loc]], body


def test_a_cursor_of_another_tenant_is_refused(stack):
    for i in range(3):
        _put(stack, f"r{i}", RECIPE)
        _put(stack, f"a{i}", RECIPE, tenant="acme")
    code, first, _ = _list(stack, limit="1")
    assert code == 200 and first["next"]
    code, body, _ = _list(stack, tenant="acme", next=first["next"])
    assert code == 400 and body["errors"][0]["loc"] == ["next"]


def _heavy_recipe(i: int) -> dict:
    """A recipe of ~230 KiB as stored: 10 graphics_add of 11 graphics with 2 KB image URLs."""
    url = "https://images.example.com/" + f"{i:04d}" + "x" * 1990
    graphic = {"type": "image", "options": {"image_url": url, "position": {"x": 0, "y": 0}}}
    return {"operations": [{"graphics_add": {"graphics": [graphic] * 11}} for _ in range(10)]}


def test_no_page_passes_the_answer_budget_however_heavy_the_recipes(stack):
    for i in range(22):
        code, body = _put(stack, f"heavy{i}", _heavy_recipe(i))
        assert code == 200, body
    sizes, names = [], []
    cursor = None
    while True:
        code, page, size = _list(stack, limit="100", **({"next": cursor} if cursor else {}))
        assert code == 200
        sizes.append(size)
        names += [r["name"] for r in page["recipes"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(sizes) >= 2 and max(sizes) <= 4 * 1024 * 1024 + 300 * 1024  # one recipe past the budget at most
    assert max(sizes) < 6 * 1024 * 1024  # Lambda's limit on an answer
    assert sorted(names) == sorted(f"heavy{i}" for i in range(22))
