"""What bench/scale.py and bench/scale_probe.py share: the small images, uploading them, the job
request, and reading the local AWS endpoint's call counts."""
from __future__ import annotations

import io
import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local.client import JOBS, Client  # noqa: E402
from local.motoserver import CALLS_PATH  # noqa: E402

UPLOAD_THREADS = 8


PORTRAIT = ROOT / "events" / "samples" / "astronaut.jpg"
SUBMIT_TIMEOUT = 600  # a loaded machine can take longer than the client's usual 30 s to queue 1,000 messages


def small_image(index: int, side: int, mode: str) -> bytes:
    """A small distinct image with a subject for `mode`: the sample portrait turned by a different
    angle for each index (the people model finds the person), or for the general model a ball."""
    if mode == "portrait":
        photo = Image.open(PORTRAIT).convert("RGB")
        out = io.BytesIO()
        photo.rotate((index % 360) * 0.5 - 90, fillcolor=(200, 200, 200)).resize((side, side)).save(out, "PNG")
        return out.getvalue()
    return ball(index, side)


def ball(index: int, side: int) -> bytes:
    """A shaded ball on a light backdrop, different in place and colour for every index, so each
    asset is its own image (nothing could be served from a cache) and has a subject to cut out."""
    rng = np.random.default_rng(index)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    cx, cy = side * rng.uniform(0.4, 0.6), side * rng.uniform(0.4, 0.6)
    r = side * rng.uniform(0.25, 0.35)
    inside = np.clip((1 - np.hypot(xx - cx, yy - cy) / r) * r, 0, 1)[..., None]
    light = np.clip(1.1 - 0.6 * np.hypot(xx - cx + 0.3 * r, yy - cy + 0.3 * r) / r, 0.3, 1)[..., None]
    ball = rng.uniform(30, 220, 3).astype(np.float32) * light
    rgb = inside * ball + (1 - inside) * 245
    out = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(out, "PNG")
    return out.getvalue()


def upload_assets(url: str, key: str, count: int, side: int, mode: str) -> list[str]:
    """`count` distinct small PNGs, uploaded as a browser would and ingested (READY)."""
    def one(index: int) -> str:
        client = Client(url, key)
        asset_id = client.upload(f"ball-{index:04d}.png", small_image(index, side, mode), "image/png")
        state = client.wait_asset(asset_id, timeout=300)["status"]
        if state != "READY":
            raise SystemExit(f"asset {asset_id} is {state} after upload")
        return asset_id

    with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        return list(pool.map(one, range(count)))


def submit(client: Client, request: dict) -> int:
    answer = client.http.post(f"{client.url}{JOBS}", json=request, timeout=SUBMIT_TIMEOUT)
    if answer.status_code != 200:
        raise SystemExit(f"submit answered {answer.status_code}: {answer.text[:500]}")
    return answer.json()["job_id"]


def job_request(asset_ids: list[str], mode: str, conversion: str = "scale") -> dict:
    return {"assets": [{a: {"options": {"disposition": {"add_as_conversion": True, "conversion_name": conversion}}}}
                       for a in asset_ids],
            "operations": [{"bg_remove": {"options": {"mode": mode}}}]}


Call = tuple[str, str, str]  # (service, operation, table / queue / bucket)


def aws_calls(endpoint: str) -> dict[Call, tuple[int, float]]:
    """Call -> (requests, seconds moto spent answering them), counted since moto started."""
    with urllib.request.urlopen(endpoint + CALLS_PATH, timeout=30) as answer:  # noqa: S310 - local endpoint
        rows = json.load(answer)
    return {(r["service"], r["operation"], r["resource"]): (r["count"], r["seconds"]) for r in rows}


def calls_between(before: dict[Call, tuple[int, float]], after: dict[Call, tuple[int, float]]
                  ) -> dict[Call, tuple[int, float]]:
    delta = {}
    for call, (count, seconds) in after.items():
        was_count, was_seconds = before.get(call, (0, 0.0))
        if count - was_count:
            delta[call] = (count - was_count, seconds - was_seconds)
    return delta


def wait_until(predicate, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
