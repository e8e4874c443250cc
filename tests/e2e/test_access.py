"""Keys, tenants and request validation over HTTP."""
from __future__ import annotations

import pytest
import requests

from local import samples
from local.client import JOBS, Client

from tests.e2e.support import upload_ready

pytestmark = pytest.mark.e2e

ASSET_BODY = {"filename": "a.png", "content_type": "image/png"}


def test_missing_or_unknown_key_is_401(stack):
    assert requests.post(stack.url + "/api/v1/assets", json=ASSET_BODY, timeout=10).status_code == 401
    assert requests.get(stack.url + f"{JOBS}/jobs/1", timeout=10).status_code == 401
    unknown = Client(stack.url, "not-a-key")
    assert unknown.call("POST", "/api/v1/assets", json=ASSET_BODY).status_code == 401
    wrong_scheme = requests.post(stack.url + "/api/v1/assets", json=ASSET_BODY, timeout=10,
                                 headers={"Authorization": stack.key_for("alpha")})
    assert wrong_scheme.status_code == 401


def test_filespin_header_is_accepted(stack):
    client = Client(stack.url, stack.key_for("alpha"), header="X-FileSpin-Api-Key")
    created = client.call("POST", "/api/v1/assets", json=ASSET_BODY)
    assert created.status_code == 201, created.text
    assert client.asset(created.json()["asset_id"])["status"] == "PENDING"


def test_other_tenants_assets_and_jobs_are_not_found(alpha, beta, portrait):
    assert beta.call("GET", f"/api/v1/assets/{portrait}").status_code == 404
    job_id = alpha.submit({"assets": [{portrait: {"options": {}}}],
                           "operations": [{"bg_add": {"options": {"color": "#ffffff"}}}]})
    assert beta.call("GET", f"{JOBS}/jobs/{job_id}").status_code == 404
    refused = beta.call("POST", JOBS, json={"assets": [{portrait: {"options": {}}}],
                                            "operations": [{"bg_remove": {"options": {}}}]})
    assert refused.status_code in (403, 404)
    assert portrait in refused.text
    alpha.wait_job(job_id)


def _locs(response: requests.Response) -> list[list]:
    return [e["loc"] for e in response.json()["errors"]]


def test_invalid_requests_are_400_with_locations(alpha, portrait):
    not_json = alpha.call("POST", JOBS, data="{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["message"]

    empty = alpha.call("POST", JOBS, json={"assets": [], "operations": []})
    assert empty.status_code == 400
    assert ["assets"] in _locs(empty) and ["operations"] in _locs(empty)

    broken = alpha.call("POST", JOBS, json={
        "assets": [{portrait: {"options": {"disposition": {"add_as_conversion": True},
                                           "crop": {"left": 10, "top": 0, "right": 5, "bottom": 10}}}}],
        "operations": [{"bg_add": {"options": {"color": "#ffffff"}}}, {"bg_remove": {"options": {"strength": "x"}}}],
    })
    assert broken.status_code == 400
    locs = _locs(broken)
    assert ["operations", 1, "bg_remove", "options", "strength"] in locs
    assert ["assets", 0, portrait, "options", "disposition", "conversion_name"] in locs
    assert ["assets", 0, portrait, "options", "crop", "right"] in locs


LATIN1 = '{"filename": "café.png", "content_type": "image/png"}'
NOT_UTF8_BODIES = {
    "stray byte": (b'{"a": "\xff"}', "byte 0xff at offset 7 is not UTF-8"),
    "latin-1": (LATIN1.encode("latin-1"), f"byte 0xe9 at offset {LATIN1.index('é')} is not UTF-8"),
    "utf-16 with bom": (LATIN1.encode("utf-16"), "it looks like UTF-16"),
    "utf-16-le, read as text": ('{"a": 1}'.encode("utf-16-le"), "a NUL character at offset 1"),
}


@pytest.mark.parametrize("path", ["/api/v1/assets", JOBS])
@pytest.mark.parametrize("body, why", NOT_UTF8_BODIES.values(), ids=NOT_UTF8_BODIES.keys())
def test_bodies_that_are_not_utf8_are_400_on_every_post_route(alpha, path, body, why):
    response = alpha.call("POST", path, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [{"loc": [], "msg": f"the request body must be UTF-8 JSON ({why})"}]


def test_unknown_or_rejected_assets_cannot_be_submitted(alpha):
    missing = "0" * 32
    response = alpha.call("POST", JOBS, json={"assets": [{missing: {"options": {}}}],
                                              "operations": [{"bg_remove": {"options": {}}}]})
    assert 400 <= response.status_code < 500 and missing in response.text


def test_corrupt_upload_is_rejected(alpha):
    asset_id = alpha.upload("broken.jpg", b"\xff\xd8\xff\xe0 this is not really a jpeg", "image/jpeg")
    record = alpha.wait_asset(asset_id)
    assert record["status"] == "REJECTED"
    assert record.get("reason")
    response = alpha.call("POST", JOBS, json={"assets": [{asset_id: {"options": {}}}],
                                              "operations": [{"bg_remove": {"options": {}}}]})
    assert 400 <= response.status_code < 500 and asset_id in response.text


def test_image_ids_in_operations_are_checked(alpha, beta, portrait):
    theirs = upload_ready(beta, "bg.png", samples.solid(50, 50, (1, 2, 3)), "image/png")
    response = alpha.call("POST", JOBS, json={
        "assets": [{portrait: {"options": {}}}],
        "operations": [{"bg_add": {"options": {"image_id": theirs}}}]})
    assert 400 <= response.status_code < 500 and theirs in response.text
