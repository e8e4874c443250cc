"""Asset lists, job lists, DELETE /api/v1/assets/{id} and assets fetched from a url."""
from __future__ import annotations

import json
import threading

import boto3
import pytest
from integration_support import frame_png, png, process, status, submit

from imagegraphics.stores import aws


def _list(stack, query=None, tenant="dev", function="assets", event="apigw_list_assets"):
    request = stack.event(event, tenant=tenant)
    request["queryStringParameters"] = query
    request["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    return stack.respond(function, request)


def _all(stack, query, key, **kwargs):
    """Every item across pages, and how many pages it took."""
    seen, pages, cursor = [], 0, None
    while True:
        status_code, body = _list(stack, {**query, **({"next": cursor} if cursor else {})}, **kwargs)
        assert status_code == 200, body
        seen += body[key]
        pages += 1
        cursor = body["next"]
        if not cursor:
            return seen, pages


def _delete(stack, asset_id, tenant="dev", cascade=None, scopes=None):
    request = stack.event("apigw_delete_asset", ids={"asset": asset_id}, tenant=tenant)
    request["queryStringParameters"] = {"cascade": cascade} if cascade else None
    if scopes is not None:
        request["requestContext"]["authorizer"]["scopes"] = scopes
    return stack.respond("assets", request)


def _framed(ids, **disposition):
    return {"assets": [{ids["asset"]: {"options": {"disposition": disposition}}}],
            "operations": [{"border_add": {"options": {"image_id": ids["border"]}}}]}


def _table_items(stack):
    table = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1").Table(
        stack.resources["TABLE_NAME"])
    return table.scan()["Items"]


def _keys(stack):
    return [o["Key"] for o in stack.s3.list_objects_v2(Bucket=stack.bucket).get("Contents", [])]


def test_assets_are_listed_newest_first_across_pages_and_never_another_tenants(stack):
    mine = [stack.ready("dev", filename=f"{i}.png") for i in range(7)]
    stack.ready("other")
    seen, pages = _all(stack, {"limit": "3"}, "assets")
    assert [a["asset_id"] for a in seen] == mine[::-1] and pages == 3
    assert all(a["status"] == "READY" and "url" not in a and a["created_at"] for a in seen)
    assert _all(stack, {}, "assets", tenant="other")[0][0]["asset_id"] not in mine


def test_assets_filter_by_status_and_by_source(stack):
    ready = stack.ready("dev")
    pending = stack.uploaded("dev", png())
    rejected = stack.uploaded("dev", b"not an image")
    stack.assets.mark_rejected(rejected, "not an image")
    made = stack.assets.create_derived_asset("dev", asset_id="a" * 32, source_asset_id=ready, job_id=1,
                                             s3_key="generated/" + "a" * 32 + ".png", content_type="image/png",
                                             width=1, height=1, size=1)
    for wanted, ids in (("PENDING", [pending]), ("REJECTED", [rejected]), ("READY", [made.asset_id, ready])):
        assert [a["asset_id"] for a in _all(stack, {"status": wanted}, "assets")[0]] == ids
    assert [a["asset_id"] for a in _all(stack, {"source_asset_id": ready}, "assets")[0]] == [made.asset_id]
    assert _all(stack, {"source_asset_id": ready}, "assets", tenant="other")[0] == []


@pytest.mark.parametrize("query, loc", [({"status": "DONE"}, "status"), ({"source_asset_id": "x"}, "source_asset_id"),
                                        ({"limit": "0"}, "limit"), ({"next": "garbage"}, "next")])
def test_bad_list_parameters_are_400_naming_them(stack, query, loc):
    status_code, body = _list(stack, query)
    assert status_code == 400 and body["errors"][0]["loc"] == [loc], body


def test_a_cursor_of_another_tenant_or_filter_is_refused(stack):
    for _ in range(3):
        stack.ready("dev")
    _, first = _list(stack, {"limit": "1"})
    assert _list(stack, {"limit": "1", "next": first["next"]}, tenant="other")[0] == 400
    assert _list(stack, {"limit": "1", "status": "READY", "next": first["next"]})[0] == 400


def test_jobs_are_listed_newest_first_with_counts_and_filtered_by_status(stack):
    asset = stack.ready("dev")
    ids = {"asset": asset, "background": stack.ready("dev"), "graphic": stack.ready("dev"),
           "border": stack.ready("dev", frame_png())}
    jobs = [stack.jobs.create_job("dev", {"n": i}, total=1).job_id for i in range(4)]
    stack.jobs.create_job("other", {"n": 9}, total=1)
    stack.jobs.record_item(jobs[0], 0, asset_id=asset, outcome="ERROR", error="x")
    seen, pages = _all(stack, {"limit": "3"}, "jobs", function="status", event="apigw_list_jobs")
    assert [j["job_id"] for j in seen] == jobs[::-1] and pages == 2
    assert seen[-1]["status"] == "ERROR" and seen[-1]["progress"] == {"total": 1, "done": 1, "succeeded": 0,
                                                                       "failed": 1}
    assert [j["job_id"] for j in _all(stack, {"status": "QUEUED"}, "jobs", function="status",
                                      event="apigw_list_jobs")[0]] == jobs[:0:-1]
    assert ids  # the assets exist only so the jobs look real


def test_delete_removes_every_object_and_record_of_the_asset_and_with_cascade_its_derived_assets(stack):
    ids = {"asset": stack.ready("dev"), "background": stack.ready("dev"), "graphic": stack.ready("dev"),
           "border": stack.ready("dev", frame_png())}
    conversion_job = submit(stack, "apigw_submit_remove_conversion", ids, _framed(ids, add_as_conversion=True,
                                                                                  conversion_name="framed"))
    process(stack, conversion_job, ids)
    new_job = submit(stack, "apigw_submit_remove_new_asset", ids, _framed(ids, create_asset=True))
    process(stack, new_job, ids)
    answer = status(stack, new_job)
    assert len(answer["output"]) == 1, answer
    [made] = answer["output"]
    derived = made["asset_id"]
    kept = {k: v for k, v in ids.items() if k != "asset"}
    status_code, body = _delete(stack, ids["asset"], cascade="true")
    assert status_code == 200, body
    assert [d["asset_id"] for d in body["deleted"]] == [ids["asset"], derived]
    assert body["deleted"][0]["conversions"] and body["deleted"][0]["objects"] >= 2
    for gone in (ids["asset"], derived):
        assert not any(gone in key for key in _keys(stack)), _keys(stack)
        assert not any(gone in json.dumps(item, default=str) for item in _table_items(stack)
                       if not str(item["pk"]).startswith("JOB#")), gone
        assert stack.call("assets", "apigw_get_asset", ids={"asset": gone})[0] == 404
    assert all(stack.status_of(a) == "READY" for a in kept.values())


def test_delete_without_cascade_keeps_derived_assets_and_says_so(stack):
    source = stack.ready("dev")
    made = stack.assets.create_derived_asset("dev", asset_id="b" * 32, source_asset_id=source, job_id=1,
                                             s3_key="generated/" + "b" * 32 + ".png", content_type="image/png",
                                             width=1, height=1, size=1)
    status_code, body = _delete(stack, source)
    assert status_code == 200 and body["kept_derived"] == [made.asset_id]
    assert stack.assets.find(made.asset_id) is not None


def test_another_tenants_asset_a_missing_scope_and_a_bad_cascade_delete_nothing(stack):
    theirs = stack.ready("other")
    assert _delete(stack, theirs)[0] == 404
    assert _delete(stack, "0" * 32)[0] == 404
    assert _delete(stack, theirs, tenant="other", scopes="assets:read assets:write")[0] == 403
    assert _delete(stack, theirs, tenant="other", cascade="yes")[0] == 400
    assert stack.status_of(theirs) == "READY" and any(theirs in k for k in _keys(stack))
    assert _delete(stack, theirs, tenant="other", scopes="assets:delete")[0] == 200


def test_a_job_reaching_a_deleted_asset_fails_for_it_with_404(stack):
    ids = {"asset": stack.ready("dev"), "background": stack.ready("dev"), "graphic": stack.ready("dev"),
           "border": stack.ready("dev", frame_png())}
    job = submit(stack, "apigw_submit_remove_conversion", ids, _framed(ids, add_as_conversion=True,
                                                                       conversion_name="framed"))
    assert _delete(stack, ids["asset"])[0] == 200
    process(stack, job, ids)
    answer = status(stack, job)
    [error] = answer["error"]
    assert (answer["status"], error["status"], error["code"]) == ("ERROR", 404, "asset_deleted")
    assert "the asset was deleted" in error["error"]
    assert not any(ids["asset"] in key for key in _keys(stack))


def test_a_job_running_while_its_asset_is_deleted_writes_nothing_for_it(stack, monkeypatch):
    """The asset is deleted between the render and the write: the job finishes, nothing stays."""
    from imagegraphics.service import processing

    ids = {"asset": stack.ready("dev"), "background": stack.ready("dev"), "graphic": stack.ready("dev"),
           "border": stack.ready("dev", frame_png())}
    job = submit(stack, "apigw_submit_remove_conversion", ids, _framed(ids, add_as_conversion=True,
                                                                       conversion_name="framed"))
    render = processing.render_asset
    deleted = threading.Event()

    def render_then_delete(*args, **kwargs):
        result = render(*args, **kwargs)
        assert _delete(stack, ids["asset"])[0] == 200
        deleted.set()
        return result

    monkeypatch.setattr(processing, "render_asset", render_then_delete)
    process(stack, job, ids)
    assert deleted.is_set()
    [error] = status(stack, job)["error"]
    assert error["code"] == "asset_deleted"
    assert not any(ids["asset"] in key for key in _keys(stack))
    assert not any(ids["asset"] in json.dumps(item, default=str) for item in _table_items(stack)
                   if not str(item["pk"]).startswith("JOB#"))


def test_deleting_a_recipes_image_makes_the_next_upload_say_the_recipe_cannot_run(stack):
    border = stack.ready("dev", frame_png())
    request = stack.event("apigw_put_recipe")
    body = json.loads(request["body"])
    body["operations"] = [{"border_add": {"options": {"image_id": border}}}]
    body.pop("webhook", None)
    request["body"] = json.dumps(body)
    assert stack.respond("tenant", request)[0] == 200, stack.respond("tenant", request)
    assert _delete(stack, border)[0] == 200
    name = request["pathParameters"]["name"]
    upload = stack.assets.create_pending("dev", filename="a.png", content_type="image/png", recipe=name)
    stack.blobs.put_bytes(upload.s3_key, png(), "image/png")
    from imagegraphics.service.ingest import ingest_object

    assert ingest_object(upload.s3_key) == "READY"
    assert f"asset {border} not found" in stack.assets.find(upload.asset_id).recipe_error


def test_an_upload_reaching_a_deleted_asset_is_removed(stack):
    from imagegraphics.service.ingest import ingest_object

    asset_id = stack.uploaded("dev", png())
    record = stack.assets.find(asset_id)
    stack.assets.begin_delete("dev", asset_id)
    assert ingest_object(record.s3_key) == "removed"
    assert stack.blobs.head(record.s3_key) is None


def test_an_asset_from_a_url_is_fetched_by_the_fetch_function_and_ingested(stack, monkeypatch):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from imagegraphics.service.ingest import ingest_object
    from imagegraphics.settings import get_settings

    image = png((30, 20))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            found = self.path == "/shoe.png"
            self.send_response(200 if found else 404)
            self.send_header("Content-Length", str(len(image) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(image)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("LOCAL_URL_LOOPBACK", "1")
    get_settings.cache_clear()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        created = {}
        for path in ("/shoe.png", "/missing.png"):
            request = stack.event("apigw_post_asset_url")
            request["body"] = json.dumps({"url": base + path})
            code, body = stack.respond("assets", request)
            assert code == 201 and body["status"] == "PENDING" and "upload" not in body, body
            created[path] = body["asset_id"]
        messages = stack.queue_messages("FETCH_QUEUE_URL")
        assert len(messages) == 2
        for message in messages:
            event = stack.event("sqs_fetch_message")
            event["Records"][0]["body"] = message["Body"]
            assert stack.invoke("fetch", event) == {"batchItemFailures": []}
    finally:
        server.shutdown()
        server.server_close()
    missing = stack.assets.find(created["/missing.png"])
    assert (missing.status, missing.reason) == ("REJECTED", "the URL answered 404")
    shoe = stack.assets.find(created["/shoe.png"])
    assert ingest_object(shoe.s3_key) == "READY"
    shoe = stack.assets.find(shoe.asset_id)
    assert (shoe.width, shoe.height, shoe.content_type, shoe.filename) == (30, 20, "image/png", "shoe.png")
    assert stack.s3.get_object_tagging(Bucket=stack.bucket, Key=shoe.s3_key)["TagSet"] == []


@pytest.mark.parametrize("body, loc", [
    ({"url": "https://10.0.0.1/a.png"}, "url"), ({"url": "http://images.example.com/a.png"}, "url"),
    ({"url": "https://[::ffff:127.0.0.1]/a.png"}, "url"),
    ({"url": "https://images.example.com/a.png", "content_type": "image/png"}, "content_type"),
    ({"filename": "a.png"}, "content_type"), ({}, "filename")])
def test_a_url_that_could_never_be_fetched_is_400_at_the_field(stack, body, loc):
    request = stack.event("apigw_post_asset_url")
    request["body"] = json.dumps(body)
    code, answer = stack.respond("assets", request)
    assert code == 400 and answer["errors"][0]["loc"] == [loc], answer
    assert stack.count_items("ASSET#") == 0 and aws  # nothing was created
