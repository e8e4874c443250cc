"""disposition.format through the service: stored objects, their keys and content types, the URLs."""
from __future__ import annotations

import io
import json

import pytest
import requests
from integration_support import RED, png, process, status, submit
from PIL import Image

from imagegraphics.service.ingest import GONE


def framed_request(asset: str, **disposition) -> dict:
    """The asset (64x48) centred on a transparent 100x80 canvas: corners transparent."""
    return {"assets": [{asset: {"options": {"canvas": {"size": {"width": 100, "height": 80}},
                                            "disposition": disposition}}}],
            "operations": [{"graphics_add": {"graphics": [{"options": {"image_id": asset,
                                                                       "size": {"width": 8, "height": 6}}}]}}]}


def download(url: str) -> tuple[str, bytes]:
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200
    return answer.headers["Content-Type"], answer.content


def test_a_webp_conversion_is_stored_served_and_recorded_as_webp(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED))}
    job_id = submit(stack, "apigw_submit_full_flow", ids,
                    framed_request(ids["asset"], conversion_name="web", format="webp", quality=80))
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    [output] = status(stack, job_id)["output"]
    content_type, data = download(output["url"])
    assert content_type == "image/webp" and data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    image = Image.open(io.BytesIO(data))
    assert image.size == (100, 80) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((50, 40))[3] == 255
    [conversion] = stack.assets.conversions.list_for(ids["asset"])
    assert conversion.s3_key == f"conversions/{ids['asset']}/web/{job_id}-0.webp"
    assert conversion.content_type == "image/webp"
    code, described = stack.call("assets", "apigw_get_asset", ids={"asset": ids["asset"]})
    assert code == 200 and [(c["name"], c["content_type"]) for c in described["conversions"]] == [
        ("web", "image/webp")]
    assert download(described["conversions"][0]["url"]) == (content_type, data)


@pytest.mark.parametrize("fmt", ["jpeg", "jpg"])  # jpg is read as jpeg
def test_a_jpeg_new_asset_is_flattened_on_white_and_named_jpg(stack, fmt):
    ids = {"asset": stack.ready("dev", png((64, 48), RED), filename="shoe.png")}
    job_id = submit(stack, "apigw_submit_full_flow", ids, framed_request(ids["asset"], create_asset=True,
                                                                           format=fmt))
    assert process(stack, job_id, ids) == {"batchItemFailures": []}
    [output] = status(stack, job_id)["output"]
    assert output["name"] == "shoe.jpg"
    created = stack.assets.find(output["asset_id"])
    assert (created.s3_key, created.content_type, created.filename) == (
        f"generated/{created.asset_id}.jpg", "image/jpeg", "shoe.jpg")
    assert created.size == stack.blobs.head(created.s3_key).size
    content_type, data = download(output["url"])
    assert content_type == "image/jpeg" and data[:3] == b"\xff\xd8\xff"
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGB" and min(image.getpixel((0, 0))) >= 250  # transparent canvas: white
    code, described = stack.call("assets", "apigw_get_asset", ids={"asset": created.asset_id})
    assert code == 200 and (described["content_type"], described["filename"]) == ("image/jpeg", "shoe.jpg")


def test_deleting_a_job_made_jpeg_makes_its_asset_rejected(stack):
    ids = {"asset": stack.ready("dev", png((64, 48), RED))}
    job_id = submit(stack, "apigw_submit_full_flow", ids, framed_request(ids["asset"], create_asset=True,
                                                                           format="jpeg"))
    process(stack, job_id, ids)
    created = stack.assets.find(status(stack, job_id)["output"][0]["asset_id"])
    stack.blobs.delete(created.s3_key)
    event = stack.event("sqs_s3_object_removed", ids={"background": created.asset_id})
    record = event["Records"][1]
    record["body"] = record["body"].replace(f"generated/{created.asset_id}.png", created.s3_key)
    assert created.s3_key in record["body"]
    event["Records"] = [record]
    assert stack.invoke("ingest", event) == {"batchItemFailures": []}
    gone = stack.assets.find(created.asset_id)
    assert (gone.status, gone.reason) == ("REJECTED", GONE)
    assert json.loads(record["body"])["Records"][0]["eventName"] == "ObjectRemoved:Delete"
