"""`make demo`: start the local stack, run the public API's example flows over HTTP, write out/.

Uploads the sample portrait and three images made here, submits the full flow (remove background,
add a background image, a graphic and a border, saved as a conversion) and the two small examples
(remove as a conversion; remove as a new asset with metadata), then downloads every output.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from local import samples
from local.client import Client
from local.harness import ROOT, LocalStack

PORTRAIT = ROOT / "events" / "samples" / "astronaut.jpg"
OUT = ROOT / "out"


def requests_for(portrait: str, bg: str, badge: str, frame: str) -> dict[str, dict]:
    return {
        "full-flow": {
            "assets": [{portrait: {"options": {
                "canvas": {"size": {"width": 1000, "height": 1000}},
                "size": {"width": 500, "height": 500},
                "position": {"x": 250, "y": 250},
                "disposition": {"add_as_conversion": True, "conversion_name": "image-graphics"}}}}],
            "operations": [
                {"bg_remove": {"options": {"mode": "portrait", "strength": "medium", "remove_artifacts": True}}},
                {"bg_add": {"options": {"image_id": bg, "mode": "as-is", "size": {"width": 1000, "height": 1000}}}},
                {"graphics_add": {"graphics": [{"type": "image", "options": {
                    "image_id": badge, "position": {"x": 20, "y": 20}, "size": {"width": 100, "height": 100}}}]}},
                {"border_add": {"options": {"image_id": frame}}},
            ],
        },
        "remove-as-conversion": {
            "assets": [{portrait: {"options": {"disposition": {
                "add_as_conversion": True, "conversion_name": "bg-removed"}}}}],
            "operations": [{"bg_remove": {"options": {"mode": "portrait"}}}],
        },
        "remove-as-new-asset": {
            "assets": [{portrait: {"options": {"disposition": {
                "create_asset": True, "mode": "APPEND",
                "metadata": {"inherit": True, "data": {"cutout": True}}}}}}],
            "operations": [{"bg_remove": {"options": {"mode": "auto", "strength": "high"}}}],
        },
    }


def upload_all(client: Client) -> dict[str, str]:
    files = {
        "portrait": ("astronaut.jpg", PORTRAIT.read_bytes(), "image/jpeg", {"title": "Astronaut portrait"}),
        "background": ("background.jpg", samples.background(), "image/jpeg", None),
        "badge": ("badge.png", samples.graphic(), "image/png", None),
        "frame": ("frame.png", samples.border(), "image/png", None),
    }
    ids = {}
    for role, (name, data, content_type, metadata) in files.items():
        ids[role] = client.upload(name, data, content_type, metadata)
    for role, asset_id in ids.items():
        record = client.wait_asset(asset_id)
        if record["status"] != "READY":
            raise SystemExit(f"{role} upload was not accepted: {json.dumps(record)}")
        print(f"  {role:<10} {asset_id}  {record['width']}x{record['height']} {record['content_type']}")
    return ids


def _progress(statuses: dict[str, dict], started: float) -> str:
    parts = []
    for name, status in statuses.items():
        progress = status.get("progress") or {}
        counts = f" {progress['done']}/{progress['total']}" if "total" in progress else ""
        parts.append(f"{name}: {status['status']}{counts}")
    return f"\r  {time.monotonic() - started:5.1f} s  " + " | ".join(parts)


def wait_all(client: Client, jobs: dict[str, int], timeout: float = 600) -> dict[str, dict]:
    started = time.monotonic()
    statuses = {name: {"status": "QUEUED"} for name in jobs}
    while time.monotonic() - started < timeout:
        for name, job_id in jobs.items():
            if statuses[name]["status"] == "QUEUED":
                statuses[name] = client.job(job_id)
        print(_progress(statuses, started), end="", flush=True)
        if all(s["status"] != "QUEUED" for s in statuses.values()):
            break
        time.sleep(0.5)
    print()
    return statuses


def main() -> int:
    if not PORTRAIT.exists():
        print(f"missing {PORTRAIT}", file=sys.stderr)
        return 1
    print("starting the local stack (moto + gateway + pumps)...", flush=True)
    with LocalStack(port=int(os.environ.get("PORT", "0"))) as stack:
        print(f"  API {stack.url}  (log: {stack.log_path.relative_to(ROOT)})")
        client = Client(stack.url, next(iter(stack.api_keys)))
        print("uploading through POST /api/v1/assets and the presigned form:")
        ids = upload_all(client)
        flows = requests_for(ids["portrait"], ids["background"], ids["badge"], ids["frame"])
        jobs = {name: client.submit(body) for name, body in flows.items()}
        print("submitted: " + ", ".join(f"{name} -> job {job_id}" for name, job_id in jobs.items()))
        statuses = wait_all(client, jobs)
        OUT.mkdir(exist_ok=True)
        written = []
        for name, status in statuses.items():
            print(f"\njob {jobs[name]} ({name}):\n{json.dumps(status, indent=2)}")
            for item in status.get("output", []):
                path = OUT / f"{name}-{Path(item['name']).stem}.png"
                path.write_bytes(client.download(item["url"]))
                written.append(path)
        print("\nresults:")
        for path in written:
            print(f"  {path.relative_to(ROOT)}")
        failed = [name for name, s in statuses.items() if s["status"] != "OK"]
        if failed:
            print(f"not OK: {', '.join(failed)}; see {stack.log_path}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
