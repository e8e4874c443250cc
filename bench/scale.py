"""Scale benchmark: one job of 1,000 small images (the request's maximum) on the local stack with 1,
2 and 4 processor pumps; prints a table.

For each pump count, on a fresh stack: upload the assets (not timed), warm every pump (each loads
the model on its first asset), then submit the job and measure
- submit latency: the one POST that creates the job and queues its messages;
- AWS calls per asset by service, counted at the local AWS endpoint (moto's server counts every
  request by service, operation and table/queue/bucket: local/motoserver.py), from the submit to
  the finish, without the bench's own polls; the other queues' idle polls are left out;
- time to finish (submit to the job's status leaving QUEUED) and assets per second;
- the finished job's status: latency (median of 5 GETs) and body size;
- the counts check: the job's counts say every asset once (total = succeeded + failed = assets,
  remaining 0, `counted` holds every index once), the table holds one outcome item per index, and
  the status lists each asset exactly once, in output or in error.

Each pump stands for one Lambda instance: its own process with one inference thread
(IMAGEGRAPHICS_ORT_THREADS=1 unless set). On a two-core machine more than two pumps share the cores.
Where the time of one asset goes (S3, DynamoDB, inference, encode) and the submit's own AWS calls
(here the pumps start on the job while it is being submitted): bench/scale_probe.py.

Usage: python bench/scale.py [--assets 1000] [--pumps 1,2,4] [--mode portrait|product] [--side 96]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `bench.*` importable

from bench.scale_common import (  # noqa: E402
    Call, aws_calls, calls_between, job_request, submit, upload_assets, wait_until)
from local.client import JOBS, Client  # noqa: E402
from local.harness import LocalStack  # noqa: E402
from local.runtime import REGION  # noqa: E402

MAX_ASSETS = 1000


def run(pumps: int, assets: int, mode: str, side: int, timeout: float) -> dict:
    with LocalStack(processor_pumps=pumps) as stack:
        client = Client(stack.url, next(iter(stack.api_keys)))
        started = time.perf_counter()
        ids = upload_assets(stack.url, next(iter(stack.api_keys)), assets, side, mode)
        upload_s = time.perf_counter() - started
        warm = submit(client, job_request(ids[:3 * pumps], mode, "warm"))  # a few per pump: every pump takes one
        if client.wait_job(warm, timeout=600)["status"] == "QUEUED":
            raise SystemExit("the warm-up job did not finish")
        dynamodb = boto3.client("dynamodb", endpoint_url=stack.endpoint, region_name=REGION,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        table = stack.resources["TABLE_NAME"]
        key = {"pk": {"S": ""}, "sk": {"S": "JOB"}}

        before = aws_calls(stack.endpoint)
        started = time.perf_counter()
        job_id = submit(client, job_request(ids, mode))
        submit_s = time.perf_counter() - started
        key["pk"]["S"] = f"JOB#{job_id}"
        polls = 0

        def finished() -> bool:
            nonlocal polls
            polls += 1
            item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True, ProjectionExpression="#s",
                                     ExpressionAttributeNames={"#s": "status"})["Item"]
            return item["status"]["S"] != "QUEUED"

        if not wait_until(finished, timeout, every=0.5):
            raise SystemExit(f"{assets}-asset job not finished after {timeout:.0f} s with {pumps} pumps")
        finish_s = time.perf_counter() - started
        during = calls_between(before, aws_calls(stack.endpoint))
        own_polls = ("dynamodb", "GetItem", table)
        count, seconds = during[own_polls]
        during[own_polls] = (count - polls, seconds)

        latencies, body = [], b""
        status_before = aws_calls(stack.endpoint)
        for _ in range(5):
            t0 = time.perf_counter()
            body = client.call("GET", f"{JOBS}/jobs/{job_id}", expect=200).content
            latencies.append(time.perf_counter() - t0)
        # Without SQS: the stack's idle pumps poll their queues meanwhile, which no status GET asks for.
        status_calls = {c: v for c, v in calls_between(status_before, aws_calls(stack.endpoint)).items()
                        if c[0] != "sqs"}
        status = json.loads(body)
        job_item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
        item_keys = _item_keys(dynamodb, table, job_id)
        return {
            "pumps": pumps, "assets": assets, "upload_s": upload_s, "submit_s": submit_s, "finish_s": finish_s,
            "calls": during, "status_ms": statistics.median(latencies) * 1000, "status_bytes": len(body),
            "status_calls": sum(n for n, _ in status_calls.values()) / 5,
            "status_calls_by_operation": {f"{c[0]} {c[1]}": n / 5 for c, (n, _) in status_calls.items()},
            "check": counts_check(status, job_item, item_keys, ids), "status": status["status"],
            "job_item_bytes": item_size(job_item), "resources": stack.resources,
        }


def _item_keys(dynamodb, table: str, job_id: int) -> list[str]:
    keys, start = [], None
    while True:
        page = dynamodb.query(TableName=table, ConsistentRead=True, ProjectionExpression="sk",
                              KeyConditionExpression="pk = :pk AND begins_with(sk, :item)",
                              ExpressionAttributeValues={":pk": {"S": f"JOB#{job_id}"}, ":item": {"S": "ITEM#"}},
                              **({"ExclusiveStartKey": start} if start else {}))
        keys += [i["sk"]["S"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return keys


def counts_check(status: dict, job_item: dict, item_keys: list[str], ids: list[str]) -> str:
    """'ok', or what is wrong: every asset counted once in the job, the table and the status."""
    n = len(ids)
    progress = status["progress"]
    problems = []
    if not (progress["total"] == progress["done"] == progress["succeeded"] + progress["failed"] == n):
        problems.append(f"progress {progress}")
    counts = {k: int(job_item[k]["N"]) for k in ("total", "remaining", "succeeded", "failed")}
    if counts["total"] != n or counts["remaining"] != 0 or counts["succeeded"] + counts["failed"] != n:
        problems.append(f"job counts {counts}")
    counted = sorted(int(v) for v in job_item.get("counted", {}).get("NS", []))
    if counted != list(range(n)):
        problems.append(f"counted holds {len(counted)} indexes")
    if sorted(item_keys) != [f"ITEM#{i:05d}" for i in range(n)]:
        problems.append(f"{len(item_keys)} outcome items")
    listed = Counter(e["asset_id"] for e in status["output"] + status["error"])
    if listed != Counter(ids):
        twice = sum(1 for c in listed.values() if c > 1)
        problems.append(f"status lists {len(listed)} assets, {twice} more than once, "
                        f"{len(set(ids) - set(listed))} missing")
    return "ok" if not problems else "; ".join(problems)


def item_size(item: dict) -> int:
    """DynamoDB's item size: attribute names plus values (numbers ~1 byte per 2 digits, +1)."""
    def value(v: dict) -> int:
        (kind, data), = v.items()
        if kind == "S":
            return len(data.encode())
        if kind == "N":
            return len(data.lstrip("-").replace(".", "")) // 2 + 2
        if kind == "NS":
            return sum(len(x) // 2 + 2 for x in data)
        if kind in ("SS",):
            return sum(len(x.encode()) for x in data)
        if kind == "M":
            return 3 + sum(len(k.encode()) + 1 + value(x) for k, x in data.items())
        if kind == "L":
            return 3 + sum(1 + value(x) for x in data)
        return 1
    return sum(len(k.encode()) + value(v) for k, v in item.items())


def service_rows(calls: dict[Call, tuple[int, float]], resources: dict, assets: int) -> list[tuple[str, float]]:
    """Calls per asset grouped the way an operator pays for them."""
    table, idempotency = resources["TABLE_NAME"], resources["IDEMPOTENCY_TABLE_NAME"]
    jobs_queue = resources["JOBS_QUEUE_URL"].rpartition("/")[2]
    groups: Counter = Counter()
    for (service, operation, resource), (count, _) in calls.items():
        if service == "sqs" and resource != jobs_queue:
            continue  # the other queues' pumps polling while idle
        if service == "dynamodb":
            label = "DynamoDB idempotency table" if resource == idempotency else (
                "DynamoDB table" if resource == table else f"DynamoDB {resource}")
            label += " writes" if operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                                                "TransactWriteItems") else " reads"
        elif service == "s3":
            label = f"S3 {operation}"
        elif service == "sqs":
            label = f"SQS jobs queue {operation}"
        else:
            label = f"{service} {operation}"
        groups[label] += count
    return [(label, groups[label] / assets) for label in sorted(groups)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=MAX_ASSETS, help="assets in the job (1-1000)")
    parser.add_argument("--pumps", default="1,2,4", help="processor pump counts to run, comma separated")
    parser.add_argument("--mode", default="portrait", choices=("portrait", "product"),
                        help="bg_remove mode: portrait runs the selfie model on small portraits (cheap, so the "
                             "service's own costs show), product U2-Net small (u2netp) on small objects")
    parser.add_argument("--side", type=int, default=96, help="side of the square test images, in pixels")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one job may take")
    parser.add_argument("--json", help="also write the measured rows to this file")
    args = parser.parse_args()
    if not 1 <= args.assets <= MAX_ASSETS:
        parser.error(f"--assets must be 1-{MAX_ASSETS}")
    os.environ.setdefault("IMAGEGRAPHICS_ORT_THREADS", "1")

    results = []
    for pumps in (int(p) for p in args.pumps.split(",")):
        result = run(pumps, args.assets, args.mode, args.side, args.timeout)
        results.append(result)
        print(f"... {pumps} pump(s): finished in {result['finish_s']:.1f} s, counts {result['check']}", flush=True)
    print_table(results, args)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([{k: v for k, v in r.items() if k not in ("calls", "resources")} | {
                "calls_per_asset": dict(service_rows(r["calls"], r["resources"], r["assets"]))} for r in results],
                out, indent=1)


def print_table(results: list[dict], args) -> None:
    columns = [f"{r['pumps']} pump{'s' if r['pumps'] > 1 else ''}, {r['assets']} assets" for r in results]
    rows: list[tuple[str, list[str]]] = [
        ("bg_remove mode / image side", [f"{args.mode} / {args.side} px"] * len(results)),
        ("upload + ingest of the assets (not part of the job)", [f"{r['upload_s']:.1f} s" for r in results]),
        ("submit latency (one POST)", [f"{r['submit_s']:.2f} s" for r in results]),
        ("time to finish (submit to finished)", [_minutes(r["finish_s"]) for r in results]),
        ("assets per second", [f"{r['assets'] / r['finish_s']:.2f}" for r in results]),
        ("finished job: status", [r["status"] for r in results]),
        ("finished job: status latency (median of 5)", [f"{r['status_ms']:.0f} ms" for r in results]),
        ("finished job: status body", [f"{r['status_bytes'] / 1e6:.2f} MB" for r in results]),
        ("finished job: AWS calls per status GET", [f"{r['status_calls']:.0f}" for r in results]),
        ("job item size when finished", [f"{r['job_item_bytes'] / 1024:.1f} KiB" for r in results]),
        ("counts check (every asset counted once)", [r["check"] for r in results]),
    ]
    per_service = [dict(service_rows(r["calls"], r["resources"], r["assets"])) for r in results]
    labels = sorted({label for rows_ in per_service for label in rows_})
    rows.append(("AWS calls per asset, submit to finish:", [""] * len(results)))
    rows += [(f"  {label}", [f"{p.get(label, 0):.2f}" for p in per_service]) for label in labels]
    rows.append(("  all of them", [f"{sum(p.values()):.2f}" for p in per_service]))
    width = max(len(name) for name, _ in rows)
    widths = [max(len(c), *(len(v[i]) for _, v in rows)) for i, c in enumerate(columns)]
    print(f"{'measure':<{width}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(columns, widths)))
    for name, values in rows:
        print(f"{name:<{width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(values, widths)))


def _minutes(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


if __name__ == "__main__":
    main()
