"""The processor: conversions, new assets, per-asset errors, retries and duplicates."""
from __future__ import annotations

import json
import socket

import pytest
import requests
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from integration_support import BLUE, GREEN, RED, ROOT, canvas_request, fetch, frame_png, png, process, status, submit

from imagegraphics.errors import RecordRefused
from imagegraphics.service import urlfetch
from local import samples
from imagegraphics.stores.assets import AssetStore
from imagegraphics.stores.blobs import BlobStore
from imagegraphics.stores.conversions import ConversionStore
from imagegraphics.stores.jobs import JobStore


def test_conversion_is_written_with_the_right_pixels_and_the_original_is_kept(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    original = stack.blobs.get_bytes(stack.assets.find(ids["asset"]).s3_key)
    job_id = submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"]))
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    assert body["status"] == "OK" and body["error"] == []
    assert body["progress"] == {"total": 1, "done": 1, "succeeded": 1, "failed": 0}
    [output] = body["output"]
    assert (output["name"], output["asset_id"]) == ("framed", ids["asset"])
    assert "source_asset_id" not in output  # a conversion is held by the request's own asset
    image = fetch(output["url"])
    assert image.size == (100, 80)
    assert image.getpixel((0, 0)) == BLUE and image.getpixel((99, 79)) == BLUE
    assert image.getpixel((50, 40)) == RED  # the asset, centred
    assert image.getpixel((12, 40)) == GREEN  # canvas between the border and the asset
    [conversion] = stack.assets.conversions.list_for(ids["asset"])
    assert (conversion.name, conversion.width, conversion.height) == ("framed", 100, 80)
    assert stack.blobs.get_bytes(stack.assets.find(ids["asset"]).s3_key) == original


def test_same_conversion_name_is_replaced(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    for _ in range(2):
        process(stack, submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"])), ids)
    assert [c.name for c in stack.assets.conversions.list_for(ids["asset"])] == ["framed"]


MAGENTA = (255, 0, 255, 255)


def _conversion_objects(stack, asset_id: str) -> list[str]:
    listed = stack.blobs.s3.list_objects_v2(Bucket=stack.blobs.bucket, Prefix=f"conversions/{asset_id}/")
    return [o["Key"] for o in listed.get("Contents", [])]


def _recolored(ids: dict, color: str, size=(100, 80)) -> dict:
    request = canvas_request(ids["asset"], ids["border"])
    request["assets"][0][ids["asset"]]["options"]["canvas"] = {
        "size": {"width": size[0], "height": size[1]}, "color": color}
    return request


def test_a_replaced_conversion_leaves_an_earlier_jobs_url_without_the_later_image(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    first = submit(stack, "apigw_submit_full_flow", ids, _recolored(ids, "#00ff00"))
    second = submit(stack, "apigw_submit_full_flow", ids, _recolored(ids, "#ff00ff", size=(120, 90)))
    process(stack, first, ids)
    first_url = status(stack, first)["output"][0]["url"]
    assert fetch(first_url).getpixel((12, 40)) == GREEN
    process(stack, second, ids)
    [later] = status(stack, second)["output"]
    assert fetch(later["url"]).getpixel((20, 45)) == MAGENTA  # canvas, inside the scaled border
    # The earlier job's object was its own, and is gone once replaced: never the later image.
    assert requests.get(status(stack, first)["output"][0]["url"], timeout=10).status_code == 404
    [conversion] = stack.assets.conversions.list_for(ids["asset"])
    assert (conversion.width, conversion.height, conversion.job_id) == (120, 90, second)
    assert _conversion_objects(stack, ids["asset"]) == [conversion.s3_key]


def test_a_conversion_whose_record_fails_keeps_the_previous_record_and_its_bytes(stack, monkeypatch):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    process(stack, submit(stack, "apigw_submit_full_flow", ids, _recolored(ids, "#00ff00")), ids)
    second = submit(stack, "apigw_submit_full_flow", ids, _recolored(ids, "#ff00ff", size=(120, 90)))
    monkeypatch.setattr(ConversionStore, "put", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("busy")))
    with pytest.raises(BatchProcessingError):
        process(stack, second, ids)
    [conversion] = stack.assets.conversions.list_for(ids["asset"])
    image = fetch(stack.blobs.presigned_get(conversion.s3_key))
    assert (conversion.width, conversion.height) == image.size == (100, 80)
    assert image.getpixel((12, 40)) == GREEN


def test_an_original_replaced_after_submit_is_the_assets_error_not_other_bytes(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    job_id = submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"]))
    # Uploaded again with the still-valid form, not yet ingested: the record describes other bytes.
    stack.blobs.put_bytes(stack.assets.find(ids["asset"]).s3_key, png((64, 48), BLUE), "image/png")
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    [error] = body["error"]
    assert body["status"] == "ERROR" and body["output"] == []
    assert "the original changed while the job was queued" in error["error"]
    assert stack.assets.conversions.list_for(ids["asset"]) == []


def test_full_flow_event_renders_with_the_model(stack):
    portrait = (ROOT / "events" / "samples" / "astronaut.jpg").read_bytes()
    ids = {"asset": stack.ready("dev", portrait, content_type="image/jpeg"),
           "background": stack.ready("dev", png((50, 50), GREEN)),
           "graphic": stack.ready("dev", png((10, 10), BLUE)), "border": stack.ready("dev", frame_png())}
    job_id = submit(stack, "apigw_submit_full_flow", ids)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    assert body["status"] == "OK", body
    image = fetch(body["output"][0]["url"])
    assert image.size == (1000, 1000) and image.getpixel((0, 0)) == BLUE


def test_create_asset_makes_a_new_ready_asset_with_lineage_and_metadata(stack):
    source = stack.ready("dev", samples.product(64, 64), filename="shoe.png", metadata={"title": "Shoe", "sku": "42"})
    ids = {"asset": source}
    job_id = submit(stack, "apigw_submit_remove_new_asset", ids)
    process(stack, job_id, ids)
    body = status(stack, job_id)
    assert body["status"] == "OK", body
    [output] = body["output"]
    created = stack.assets.find(output["asset_id"])
    assert output["asset_id"] != source and output["name"] == "shoe.png"
    assert output["source_asset_id"] == source  # how a client matches the new asset to its request
    assert (created.status, created.tenant, created.source_asset_id, created.data_schema_id) == \
        ("READY", "dev", source, 1)
    assert created.metadata == {"title": "Shoe", "cutout": True}  # inherit_fields ["title"], data APPENDed
    assert (created.width, created.height, created.content_type) == (64, 64, "image/png")
    assert fetch(output["url"]).size == (64, 64)
    assert stack.assets.conversions.list_for(source) == []
    code, described = stack.call("assets", "apigw_get_asset", ids={"asset": created.asset_id})
    assert code == 200 and (described["filename"], described["data_schema_id"]) == ("shoe.png", 1)
    code, described = stack.call("assets", "apigw_get_asset", ids={"asset": source})
    assert code == 200 and (described["filename"], described["data_schema_id"]) == ("shoe.png", None)


def test_an_asset_that_cannot_be_rendered_is_an_error_not_a_retry(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED))}
    corrupt = stack.blobs.put_bytes(stack.assets.find(ids["asset"]).s3_key, b"corrupted after ingest", "image/png")
    # The record describes these bytes (as if their header had passed): only the full decode fails.
    stack.assets.mark_ready(ids["asset"], content_type="image/png", width=64, height=48, size=corrupt.size,
                            etag=corrupt.etag)
    job_id = submit(stack, "apigw_submit_remove_conversion", ids)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    assert body["status"] == "ERROR" and body["output"] == []
    [error] = body["error"]
    assert error["asset_id"] == ids["asset"] and error["name"] == "bg-removed"
    assert "not a supported image" in error["error"]
    assert body["progress"] == {"total": 1, "done": 1, "succeeded": 0, "failed": 1}


def test_position_that_does_not_fit_is_reported_with_its_location(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    request = canvas_request(ids["asset"], ids["border"])
    request["assets"][0][ids["asset"]]["options"]["position"] = {"x": 90, "y": 0}
    job_id = submit(stack, "apigw_submit_full_flow", ids, request)
    process(stack, job_id, ids)
    [error] = status(stack, job_id)["error"]
    assert "position" in error["error"]


def test_duplicated_message_is_processed_and_counted_once(stack, monkeypatch):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    job_id = submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"]))
    event = stack.event("sqs_job_message", ids=ids, job_id=job_id)
    twice = dict(event, Records=[event["Records"][0], dict(event["Records"][0], messageId="second-copy")])
    writes = []
    real_put = BlobStore.put_bytes
    monkeypatch.setattr(BlobStore, "put_bytes", lambda self, *a, **k: writes.append(a[0]) or real_put(self, *a, **k))
    assert stack.invoke("processor", twice) == {"batchItemFailures": []}
    assert stack.invoke("processor", event) == {"batchItemFailures": []}
    assert len(writes) == 1  # the render and its write happened once
    job = stack.jobs.get_job("dev", job_id)
    assert (job.status, job.succeeded, job.failed, job.remaining) == ("OK", 1, 0, 0)
    assert len(stack.jobs.list_items(job_id)) == 1


def test_after_the_idempotency_record_is_gone_the_job_store_still_counts_once(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    second = stack.ready("dev", png((64, 48), RED))
    request = canvas_request(ids["asset"], ids["border"])
    request["assets"].append({second: {"options": {"disposition": {"add_as_conversion": True,
                                                                   "conversion_name": "other"}}}})
    job_id = submit(stack, "apigw_submit_full_flow", ids, request)
    process(stack, job_id, ids)
    stack.clear_idempotency()
    process(stack, job_id, ids)
    job = stack.jobs.get_job("dev", job_id)
    assert (job.status, job.succeeded, job.remaining) == ("QUEUED", 1, 1)
    # The redelivery rewrote its own object and kept it: the record and the job item name it.
    [conversion] = stack.assets.conversions.list_for(ids["asset"])
    [item] = stack.jobs.list_items(job_id)
    assert item.s3_key == conversion.s3_key and _conversion_objects(stack, ids["asset"]) == [conversion.s3_key]


def test_unexpected_failure_is_reported_for_retry_and_retry_succeeds(stack, monkeypatch):
    border = stack.ready("dev", frame_png())
    jobs = []
    for size in ((64, 48), (8, 8)):
        ids = {"asset": stack.ready("dev", png(size, RED)), "border": border}
        job_id = submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], border))
        jobs.append((job_id, stack.event("sqs_job_message", ids=ids, job_id=job_id)["Records"][0]))
    (failing_job, failing), (other_job, other) = jobs
    other["messageId"] = "other-message"
    real_put, calls = BlobStore.put_bytes, []

    def fails_first(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            raise RuntimeError("storage hiccup")
        return real_put(self, *args, **kwargs)

    monkeypatch.setattr(BlobStore, "put_bytes", fails_first)
    answer = stack.invoke("processor", {"Records": [failing, other]})
    # Only the failing record goes back to the queue; nothing of it was recorded.
    assert answer == {"batchItemFailures": [{"itemIdentifier": failing["messageId"]}]}
    assert stack.jobs.get_job("dev", other_job).status == "OK"
    assert stack.jobs.get_job("dev", failing_job).status == "QUEUED" and stack.jobs.list_items(failing_job) == []
    # A batch whose every record fails is failed as a whole (Lambda retries all of it).
    calls.clear()
    with pytest.raises(BatchProcessingError):
        stack.invoke("processor", {"Records": [failing]})
    # The idempotency record of a failed attempt is gone, so the redelivery does the work.
    monkeypatch.undo()
    assert stack.invoke("processor", {"Records": [failing]}) == {"batchItemFailures": []}
    assert stack.jobs.get_job("dev", failing_job).status == "OK"


@pytest.mark.parametrize("tenant", ["other"])
def test_message_for_another_tenants_job_is_dropped(stack, tenant):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    job_id = submit(stack, "apigw_submit_full_flow", ids, canvas_request(ids["asset"], ids["border"]))
    assert process(stack, job_id, ids, tenant=tenant) == {"batchItemFailures": []}
    assert stack.jobs.get_job("dev", job_id).status == "QUEUED" and stack.jobs.list_items(job_id) == []


PRIVATE_URLS = ["https://169.254.169.254/latest/meta-data/logo.png", "https://[::ffff:127.0.0.1]/logo.png",
                "https://[::a9fe:a9fe]/logo.png", "https://[64:ff9b::10.0.0.1]/logo.png",
                "https://[64:ff9b:1::192.168.1.1]/logo.png", "https://[2002:7f00:1::]/logo.png",
                "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/logo.png"]
URL_LOC = ["operations", 0, "graphics_add", "graphics", 0, "options", "image_url"]


def _with_graphic_url(stack, url: str) -> tuple[dict, dict]:
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    request = canvas_request(ids["asset"], ids["border"])
    request["operations"].insert(0, {"graphics_add": {"graphics": [{"type": "image", "options": {"image_url": url}}]}})
    return ids, request


@pytest.fixture
def no_network(monkeypatch):
    """Fails the test if the fetcher ever connects anywhere."""
    def create_connection(address, timeout=None):
        raise AssertionError(f"connected to {address}")
    monkeypatch.setattr(urlfetch.socket, "create_connection", create_connection)


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_graphic_url_to_a_private_address_is_refused_at_submit(stack, no_network, url):
    ids, request = _with_graphic_url(stack, url)
    event = stack.event("apigw_submit_full_flow", ids=ids)
    event["body"] = json.dumps(request)
    code, body = stack.respond("submit", event)
    assert code == 400, body
    [error] = body["errors"]
    assert error["loc"] == URL_LOC and error["msg"].startswith("must be a URL of a public host: ")
    assert stack.count_items("JOB#") == 0


@pytest.mark.parametrize("url", PRIVATE_URLS[:3])
def test_a_queued_job_with_a_private_graphic_url_fails_without_a_fetch(stack, no_network, url):
    ids, request = _with_graphic_url(stack, url)
    job_id = stack.jobs.create_job("dev", request, total=1).job_id  # queued before the rule existed
    process(stack, job_id, ids)
    [error] = status(stack, job_id)["error"]
    assert error["status"] == 400 and "must be a URL of a public host" in error["error"]


@pytest.mark.parametrize("answer, judged", [
    ("::ffff:127.0.0.1", "127.0.0.1 (inside ::ffff:7f00:1)"),
    ("64:ff9b::a9fe:a9fe", "169.254.169.254 (inside 64:ff9b::a9fe:a9fe)"),
    ("2002:a00:1::1", "10.0.0.1 (inside 2002:a00:1::1)"),
    ("10.1.1.1", "10.1.1.1")])
def test_graphic_url_whose_dns_answer_is_private_is_refused_at_fetch(stack, no_network, monkeypatch, answer, judged):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # only the graphic's host: moto is reached by name too
        if host != "logo.example.com":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (answer, port, 0, 0))]

    monkeypatch.setattr(urlfetch.socket, "getaddrinfo", getaddrinfo)
    ids, request = _with_graphic_url(stack, "https://logo.example.com/logo.png")
    job_id = submit(stack, "apigw_submit_full_flow", ids, request)
    process(stack, job_id, ids)
    [error] = status(stack, job_id)["error"]
    # said once, then where: the renderer's located copy of the message adds only the location
    assert error["status"] == 404 and error["error"] == (
        "image_url 'https://logo.example.com/logo.png' cannot be fetched: host 'logo.example.com' resolves to "
        f"{judged} is not a public address (operations.0.graphics_add.graphics.0.options.image_url)")
    assert error["error"].count("cannot be fetched") == 1


def test_graphic_url_over_plain_http_is_refused_at_submit(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    request = canvas_request(ids["asset"], ids["border"])
    request["operations"].insert(0, {"graphics_add": {"graphics": [
        {"type": "image", "options": {"image_url": "http://example.com/logo.png"}}]}})
    event = stack.event("apigw_submit_full_flow", ids=ids)
    event["body"] = json.dumps(request)
    code, body = stack.respond("submit", event)
    assert code == 400
    assert body["errors"][0]["loc"] == ["operations", 0, "graphics_add", "graphics", 0, "options", "image_url"]


def _new_asset_job(stack, data_schema_id: int = 7) -> tuple[int, dict]:
    """A job creating a new asset, stored as the job store holds it (as if submitted)."""
    ids = {"asset": stack.ready("dev", png((64, 48), RED)), "border": stack.ready("dev", frame_png())}
    request = canvas_request(ids["asset"], ids["border"])
    request["assets"][0][ids["asset"]]["options"]["disposition"] = {
        "create_asset": True, "data_schema_id": data_schema_id}
    return stack.jobs.create_job("dev", request, total=1).job_id, ids


def _generated(stack) -> list[str]:
    listed = stack.blobs.s3.list_objects_v2(Bucket=stack.blobs.bucket, Prefix="generated/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_stored_job_the_table_cannot_record_is_an_error_and_leaves_no_object(stack):
    job_id, ids = _new_asset_job(stack, data_schema_id=10 ** 45)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    [error] = status(stack, job_id)["error"]
    assert "data_schema_id" in error["error"]
    assert _generated(stack) == []


def test_a_record_the_table_refuses_is_the_assets_error_and_its_object_is_deleted(stack, monkeypatch):
    job_id, ids = _new_asset_job(stack)

    def refused(self, *args, **kwargs):  # what the store raises for a ValidationException (tests/unit)
        raise RecordRefused("refused by the table: Item size has exceeded the maximum allowed size")

    monkeypatch.setattr(AssetStore, "create_derived_asset", refused)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    [error] = body["error"]
    assert body["status"] == "ERROR" and "refused by the table: Item size has exceeded" in error["error"]
    assert _generated(stack) == []


def test_a_record_that_fails_to_write_is_retried_and_its_object_is_deleted_meanwhile(stack, monkeypatch):
    job_id, ids = _new_asset_job(stack)
    real = AssetStore.create_derived_asset
    monkeypatch.setattr(AssetStore, "create_derived_asset", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("table hiccup")))
    with pytest.raises(BatchProcessingError):
        process(stack, job_id, ids)
    assert _generated(stack) == [] and stack.jobs.get_job("dev", job_id).status == "QUEUED"
    monkeypatch.setattr(AssetStore, "create_derived_asset", real)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    [output] = status(stack, job_id)["output"]
    assert _generated(stack) == [stack.assets.find(output["asset_id"]).s3_key]


def test_an_object_whose_record_exists_is_kept_when_a_retry_fails_to_record(stack, monkeypatch):
    job_id, ids = _new_asset_job(stack)
    monkeypatch.setattr(JobStore, "record_item", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("busy")))
    with pytest.raises(BatchProcessingError):
        process(stack, job_id, ids)  # object and asset record written, the job item not
    [key] = _generated(stack)
    stack.clear_idempotency()
    monkeypatch.setattr(AssetStore, "create_derived_asset", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("table hiccup")))
    with pytest.raises(BatchProcessingError):
        process(stack, job_id, ids)
    assert _generated(stack) == [key]  # its record (from the first attempt) still names it


@pytest.mark.parametrize("mode", ["auto", "product", "portrait"])
def test_an_image_without_a_subject_fails_as_unknown_foreground_and_writes_nothing(stack, mode):
    ids = {"asset": stack.ready("dev", png((64, 48), RED))}
    request = {"assets": [{ids["asset"]: {"options": {"disposition": {
                   "add_as_conversion": True, "conversion_name": "bg-removed"}}}}],
               "operations": [{"bg_remove": {"options": {"mode": mode}}}]}
    job_id = submit(stack, "apigw_submit_remove_conversion", ids, request)
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    body = status(stack, job_id)
    assert body["status"] == "ERROR" and body["output"] == []
    [error] = body["error"]
    assert (error["status"], error["code"]) == (422, "unknown_foreground")
    assert error["error"].startswith("no foreground found") and "operations.0.bg_remove" in error["error"]
    assert stack.assets.conversions.list_for(ids["asset"]) == []


def _create_asset_job(stack, source: str, **disposition) -> int:
    event = stack.event("apigw_submit_remove_new_asset", ids={"asset": source})
    request = json.loads(event["body"])
    request["assets"][0][source]["options"]["disposition"].update(disposition)
    event["body"] = json.dumps(request)
    code, body = stack.respond("submit", event)
    assert code == 200, body
    return body["job_id"]


@pytest.mark.parametrize("disposition, name", [({}, "shoe.png"), ({"conversion_name": "cutout"}, "cutout")])
def test_a_new_assets_output_is_named_by_its_conversion_name_else_its_filename(stack, disposition, name):
    source = stack.ready("dev", samples.product(64, 64), filename="shoe.jpg", content_type="image/png")
    job_id = _create_asset_job(stack, source, **disposition)
    process(stack, job_id, {"asset": source})
    [output] = status(stack, job_id)["output"]
    assert output["name"] == name
    assert stack.assets.find(output["asset_id"]).filename == "shoe.png"  # the asset's own name is its source's


@pytest.mark.parametrize("disposition, name", [({}, "shoe.png"), ({"conversion_name": "cutout"}, "cutout")])
def test_a_failed_new_asset_is_named_as_its_output_would_have_been(stack, disposition, name):
    source = stack.ready("dev", png((64, 48), RED), filename="shoe.jpg")
    broken = stack.blobs.put_bytes(stack.assets.find(source).s3_key, b"corrupted after ingest", "image/png")
    stack.assets.mark_ready(source, content_type="image/png", width=64, height=48, size=broken.size, etag=broken.etag)
    job_id = _create_asset_job(stack, source, **disposition)
    process(stack, job_id, {"asset": source})
    [error] = status(stack, job_id)["error"]
    assert error["name"] == name and "not a supported image" in error["error"]


@pytest.mark.parametrize("disposition, name", [({}, "shoe.png"), ({"conversion_name": "cutout"}, "cutout")])
def test_a_dead_lettered_new_asset_is_named_as_its_output_would_have_been(stack, disposition, name):
    source = stack.ready("dev", png((64, 48), RED), filename="shoe.jpg")
    job_id = _create_asset_job(stack, source, **disposition)
    stack.invoke("deadletter", stack.event("sqs_job_dlq_message", ids={"asset": source}, job_id=job_id))
    [error] = status(stack, job_id)["error"]
    assert error["name"] == name
