"""Service benchmark on the local stack; prints a table.

- submit latency (p50/p99) of POST /api/v1/assets/addons/image_graphics at a fixed, open-loop rate:
  each request is timed from when it was due, so a slow server cannot hide its backlog;
- wall time of one 20-asset background-removal job with 1 and 2 processor pumps, and their ratio.

Targets: submit p99 <= 50 ms at 50 req/s; 2 pumps about half the wall time of 1.
Usage: python bench/service.py [--rate 50] [--requests 300] [--assets 20]
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local import samples  # noqa: E402
from local.client import Client  # noqa: E402
from local.harness import LocalStack  # noqa: E402

PORTRAIT = ROOT / "events" / "samples" / "astronaut.jpg"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def submit_latency(stack: LocalStack, rate: float, count: int) -> dict:
    key = next(iter(stack.api_keys))
    setup = Client(stack.url, key)
    tiny = setup.upload("tiny.png", samples.solid(16, 16, (9, 9, 9)), "image/png")
    assert setup.wait_asset(tiny)["status"] == "READY"
    # Cheap to process, so the pumps barely compete with the submits being measured.
    body = {"assets": [{tiny: {"options": {"disposition": {"add_as_conversion": True, "conversion_name": "b"}}}}],
            "operations": [{"bg_add": {"options": {"color": "#336699"}}}]}
    local = threading.local()

    def one(due: float) -> tuple[float, int]:
        if not hasattr(local, "client"):
            local.client = Client(stack.url, key)
        response = local.client.call("POST", "/api/v1/assets/addons/image_graphics", json=body)
        return (time.perf_counter() - due) * 1000, response.status_code

    for _ in range(10):  # warm connections and code paths
        one(time.perf_counter())
    serial = [one(time.perf_counter())[0] for _ in range(40)]  # one at a time: the unloaded cost
    start = time.perf_counter() + 0.2
    futures = []
    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(count):
            due = start + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            futures.append(pool.submit(one, due))
        results = [f.result() for f in futures]
    achieved = count / (time.perf_counter() - start)
    latencies = [ms for ms, _ in results]
    return {"p50": _percentile(latencies, 0.50), "p99": _percentile(latencies, 0.99),
            "mean": statistics.fmean(latencies), "errors": sum(1 for _, s in results if s != 200),
            "serial_p50": _percentile(serial, 0.50), "achieved": achieved}


def job_wall_time(pumps: int, assets: int) -> float:
    with LocalStack(processor_pumps=pumps) as stack:
        client = Client(stack.url, next(iter(stack.api_keys)))
        photo = Image.open(PORTRAIT).convert("RGB")
        ids = []
        for i in range(assets):
            out = io.BytesIO()
            # Distinct images, so nothing can be served from a cache.
            photo.rotate(i * 3, fillcolor=(200, 200, 200)).save(out, "JPEG", quality=90)
            ids.append(client.upload(f"p{i}.jpg", out.getvalue(), "image/jpeg"))
        for asset_id in ids:
            assert client.wait_asset(asset_id)["status"] == "READY"
        warm = client.submit({"assets": [{ids[0]: {"options": {}}}], "operations": [{"bg_remove": {"options": {}}}]})
        client.wait_job(warm)  # the first job loads the model: keep that out of the timing
        request = {"assets": [{i: {"options": {"disposition": {"add_as_conversion": True, "conversion_name": "bench"}}}}
                              for i in ids],
                   "operations": [{"bg_remove": {"options": {"mode": "portrait"}}}]}
        started = time.perf_counter()
        status = client.wait_job(client.submit(request), timeout=900)
        elapsed = time.perf_counter() - started
        if status["status"] != "OK" or len(status["output"]) != assets:
            raise SystemExit(f"{assets}-asset job did not finish cleanly: {status}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--assets", type=int, default=20)
    args = parser.parse_args()

    with LocalStack(processor_pumps=1) as stack:
        lat = submit_latency(stack, args.rate, args.requests)
    one = job_wall_time(1, args.assets)
    two = job_wall_time(2, args.assets)

    rows = [
        (f"submit p50 @ {args.rate:g} req/s ({args.requests} req)", f"{lat['p50']:.1f} ms", ""),
        (f"submit p99 @ {args.rate:g} req/s", f"{lat['p99']:.1f} ms", "<= 50 ms"),
        ("submit mean / non-200", f"{lat['mean']:.1f} ms / {lat['errors']}", "0 errors"),
        ("submit p50, one request at a time", f"{lat['serial_p50']:.1f} ms", ""),
        ("submit throughput achieved", f"{lat['achieved']:.1f} req/s", f"{args.rate:g} req/s"),
        (f"{args.assets}-asset job, 1 processor pump", f"{one:.2f} s", ""),
        (f"{args.assets}-asset job, 2 processor pumps", f"{two:.2f} s", ""),
        ("wall time ratio 2 pumps / 1 pump", f"{two / one:.2f}", "~0.5"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>18}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>18}  {target}")


if __name__ == "__main__":
    main()
