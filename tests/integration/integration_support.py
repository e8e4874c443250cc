"""Helpers of the integration tests: sample-event substitution, images, the moto-backed stack."""
from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import boto3
import requests
from PIL import Image

from imagegraphics.stores.assets import AssetStore, incoming_key
from imagegraphics.stores.blobs import BlobStore
from imagegraphics.stores.jobs import JobStore
from imagegraphics.stores.keys import ApiKeyStore
from local.runtime import LambdaContext, load_module

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
# The ids, tenant, job and bucket the sample events were written with.
SAMPLE_IDS = {
    "asset": "5d3f0b6a9c2e4e7f8a1b2c3d4e5f6a7b",
    "background": "8b1e2f3a4c5d6e7f8091a2b3c4d5e6f7",
    "graphic": "c0ffee00112233445566778899aabbcc",
    "border": "b0a4de0f1e2d3c4b5a69788796a5b4c3",
}
SAMPLE_TENANT = "dev"
SAMPLE_JOB_ID = 42
SAMPLE_BUCKET = "imagegraphics-assets-123456789012"
_modules = itertools.count()


def substitute(value: Any, ids: dict[str, str], tenant: str, job_id: int, bucket: str) -> Any:
    """The sample event with our ids, tenant, job and bucket; JSON held in strings is rewritten too."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = substitute(key, ids, tenant, job_id, bucket)
            if key == "tenant" and item == SAMPLE_TENANT:
                out[key] = tenant
            elif key == "job_id" and item in (SAMPLE_JOB_ID, str(SAMPLE_JOB_ID)):
                out[key] = job_id if isinstance(item, int) else str(job_id)
            else:
                out[key] = substitute(item, ids, tenant, job_id, bucket)
        return out
    if isinstance(value, list):
        return [substitute(item, ids, tenant, job_id, bucket) for item in value]
    if isinstance(value, str):
        if value[:1] in "{[":
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                return json.dumps(substitute(parsed, ids, tenant, job_id, bucket))
        for role, sample in SAMPLE_IDS.items():
            value = value.replace(sample, ids.get(role, sample))
        value = value.replace(f"/jobs/{SAMPLE_JOB_ID}", f"/jobs/{job_id}")
        return value.replace(SAMPLE_BUCKET, bucket)
    return value


def png(size=(64, 48), color=(200, 30, 30, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg(size=(64, 48), color=(20, 120, 220)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


class Stack:
    def __init__(self, endpoint: str, resources: dict):
        self.endpoint, self.resources = endpoint, resources
        self.bucket = resources["BUCKET_NAME"]
        self.sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
        self.s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        self.assets = AssetStore.from_settings()
        self.jobs = JobStore.from_settings()
        self.blobs = BlobStore.from_settings()
        self._functions: dict[str, Any] = {}

    # -- functions and events -------------------------------------------------------------
    def invoke(self, function: str, event: dict) -> Any:
        if function not in self._functions:
            path = ROOT / "functions" / function / "app.py"
            self._functions[function] = load_module(path, f"_it_{function}_{next(_modules)}")
        context = LambdaContext(function_name=f"imagegraphics-{function}", memory_limit_in_mb=512, timeout_s=120)
        return self._functions[function].lambda_handler(event, context)

    def event(self, name: str, ids: dict[str, str] | None = None, tenant: str = SAMPLE_TENANT,
              job_id: int = SAMPLE_JOB_ID) -> dict:
        raw = json.loads((EVENTS / f"{name}.json").read_text())
        return substitute(raw, ids or {}, tenant, job_id, self.bucket)

    def call(self, function: str, name: str, **kwargs) -> tuple[int, dict]:
        """Invoke an API function with an event file; (status, JSON body)."""
        return self.respond(function, self.event(name, **kwargs))

    def respond(self, function: str, event: dict) -> tuple[int, dict]:
        answer = self.invoke(function, event)
        return answer["statusCode"], json.loads(answer["body"])

    # -- fixtures in the stores -------------------------------------------------------------
    def uploaded(self, tenant: str, data: bytes, content_type: str = "image/png",
                 filename: str = "photo.png", metadata: dict | None = None) -> str:
        """A PENDING asset whose file is in incoming/ (ingest has not run)."""
        asset = self.assets.create_pending(tenant, filename=filename, content_type=content_type, metadata=metadata)
        self.blobs.put_bytes(asset.s3_key, data, content_type)
        return asset.asset_id

    def ready(self, tenant: str, data: bytes | None = None, **kwargs) -> str:
        data = data if data is not None else png()
        asset_id = self.uploaded(tenant, data, **kwargs)
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        self.assets.mark_ready(asset_id, content_type=kwargs.get("content_type", "image/png"), width=width,
                               height=height, size=len(data), etag=self.blobs.head(incoming_key(asset_id)).etag)
        return asset_id

    def key(self, tenant: str, key: str, scopes=("*",)) -> None:
        ApiKeyStore.from_settings().put(tenant=tenant, key=key, scopes=scopes)

    def job_messages(self) -> list[dict]:
        return self.queue_messages("JOBS_QUEUE_URL")

    def queue_messages(self, queue: str) -> list[dict]:
        """Receive every message waiting on the queue named by its setting (e.g. WEBHOOK_QUEUE_URL)."""
        url = self.resources[queue]
        messages = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           MessageSystemAttributeNames=["All"]).get("Messages", [])
            if not got:
                return messages
            messages.extend(got)

    def clear_idempotency(self) -> None:
        table = boto3.resource("dynamodb", endpoint_url=self.endpoint, region_name="us-east-1").Table(
            self.resources["IDEMPOTENCY_TABLE_NAME"])
        for item in table.scan()["Items"]:
            table.delete_item(Key={"id": item["id"]})

    def count_items(self, prefix: str) -> int:
        table = boto3.resource("dynamodb", endpoint_url=self.endpoint, region_name="us-east-1").Table(
            self.resources["TABLE_NAME"])
        return sum(1 for item in table.scan()["Items"] if item["pk"].startswith(prefix))

    def count_jobs(self) -> int:
        """Job records (a job also stores its request and its outcomes under the same pk)."""
        table = boto3.resource("dynamodb", endpoint_url=self.endpoint, region_name="us-east-1").Table(
            self.resources["TABLE_NAME"])
        return sum(1 for item in table.scan()["Items"] if item["pk"].startswith("JOB#") and item["sk"] == "JOB")

    def status_of(self, asset_id: str) -> str:
        return self.assets.find(asset_id).status


# -- jobs ----------------------------------------------------------------------------------
BLUE, GREEN, RED = (0, 0, 255, 255), (0, 255, 0, 255), (200, 30, 30, 255)


def frame_png(size=(40, 40), width=4) -> bytes:
    """An opaque blue frame with a transparent inside, like a real border graphic."""
    image = Image.new("RGBA", size, BLUE)
    image.paste((0, 0, 0, 0), (width, width, size[0] - width, size[1] - width))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def submit(stack, event: str, ids: dict, body: dict | None = None, tenant: str = "dev") -> int:
    request = stack.event(event, ids=ids, tenant=tenant)
    if body is not None:
        request["body"] = json.dumps(body)
    status, answer = stack.respond("submit", request)
    assert status == 200, answer
    return answer["job_id"]


def process(stack, job_id: int, ids: dict, tenant: str = "dev") -> dict:
    return stack.invoke("processor", stack.event("sqs_job_message", ids=ids, job_id=job_id, tenant=tenant))


def fetch(url: str) -> Image.Image:
    return Image.open(io.BytesIO(requests.get(url, timeout=10).content)).convert("RGBA")


def status(stack, job_id: int, tenant: str = "dev") -> dict:
    code, body = stack.call("status", "apigw_get_job", job_id=job_id, tenant=tenant)
    assert code == 200, body
    return body


def canvas_request(asset: str, border: str) -> dict:
    return {"assets": [{asset: {"options": {
                "canvas": {"size": {"width": 100, "height": 80}, "color": "#00ff00"},
                "disposition": {"add_as_conversion": True, "conversion_name": "framed"}}}}],
            "operations": [{"border_add": {"options": {"image_id": border}}}]}
