"""Where one asset's time goes in the processor: S3, DynamoDB, the stored request, the render
stages (decode, model inference and mask, encode) and the rest; prints a table.

The local stack runs in this process with no processor pump; this script is the pump: it receives
the job's messages one at a time and invokes the processor's handler as Lambda would, timing every
AWS call it makes (botocore's `_make_api_call`, by service, operation and table) and reading the
render's own stage timings. The job has `--assets` assets, as in bench/scale.py (the stored request
every asset reads grows with it); `--probe` of its messages are measured after `--warm` unmeasured
ones (the model's load). Times are medians and means per asset on this machine, against moto.
It also prints the submit's own AWS calls (no processor runs while it is submitted).

Usage: python bench/scale_probe.py [--assets 1000] [--probe 100] [--warm 3] [--mode portrait|product]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import boto3
import botocore.client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `bench.*` importable

from bench.scale_common import aws_calls, calls_between, job_request, submit, upload_assets  # noqa: E402
from local.client import Client  # noqa: E402
from local.harness import LocalStack  # noqa: E402
from local.pumps import QueuePump  # noqa: E402
from local.runtime import REGION, LambdaFunction  # noqa: E402
from local.template import TEMPLATE, load_template, parse_api  # noqa: E402

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


class Spans:
    """Seconds per span name for the message being processed; one message at a time."""

    def __init__(self, resources: dict):
        self.resources = resources
        self.current: dict[str, float] = defaultdict(float)
        self.aws_seconds = 0.0  # all AWS calls so far, to take them out of the render's own time
        self.thread = threading.get_ident()  # the stack's other pumps poll their queues on other threads
        self.messages: list[dict[str, float]] = []

    def aws_label(self, client, operation: str, params: dict) -> str:
        service = client.meta.service_model.service_name
        if service == "dynamodb":
            table = params.get("TableName", "")
            kind = "writes" if operation in WRITES else "reads"
            which = "idempotency table" if table == self.resources["IDEMPOTENCY_TABLE_NAME"] else "table"
            return f"DynamoDB {which} {kind}"
        if service == "sqs":
            return "SQS receive + delete (Lambda's poller, not the function)"
        return f"{service.upper()} {operation}"

    @contextmanager
    def span(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.current[name] += time.perf_counter() - started

    def close_message(self, total: float) -> None:
        self.current["total"] = total
        self.messages.append(dict(self.current))
        self.current = defaultdict(float)


def instrument(spans: Spans) -> None:
    """Times every AWS call, the stored request's parse and the render (with its own stage timings)."""
    from imagegraphics.segmentation.segmenter import Segmenter
    from imagegraphics.service import processing

    make_api_call = botocore.client.BaseClient._make_api_call

    def timed_call(self, operation_name, api_params):
        if threading.get_ident() != spans.thread:
            return make_api_call(self, operation_name, api_params)
        started = time.perf_counter()
        try:
            with spans.span(spans.aws_label(self, operation_name, api_params)):
                return make_api_call(self, operation_name, api_params)
        finally:
            spans.aws_seconds += time.perf_counter() - started

    botocore.client.BaseClient._make_api_call = timed_call
    parse_request, render_asset = processing.parse_request, processing.render_asset

    def timed_parse(*args, **kwargs):
        with spans.span("parse the stored request"):
            return parse_request(*args, **kwargs)

    def timed_render(*args, **kwargs):
        started, aws_before = time.perf_counter(), spans.aws_seconds
        result = render_asset(*args, **kwargs)
        total = time.perf_counter() - started
        inner = spans.aws_seconds - aws_before  # the original's record and bytes, timed as AWS calls
        inference = spans.current["render: model inference"]  # inside the render's "mask" stage
        for stage, seconds in result.timings.items():
            if stage == "mask":
                seconds -= inference
                stage = "mask (all but the model)"
            spans.current[f"render: {stage}"] += seconds
            inner += seconds
        inner += inference
        spans.current["render: other"] += total - inner
        return result

    processing.parse_request, processing.render_asset = timed_parse, timed_render
    predict = Segmenter.predict

    def timed_predict(self, *args, **kwargs):
        with spans.span("render: model inference"):
            return predict(self, *args, **kwargs)

    Segmenter.predict = timed_predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1000, help="assets in the job (its stored request's size)")
    parser.add_argument("--probe", type=int, default=100, help="messages measured")
    parser.add_argument("--warm", type=int, default=3, help="messages processed before measuring")
    parser.add_argument("--mode", default="portrait", choices=("portrait", "product"))
    parser.add_argument("--side", type=int, default=96)
    args = parser.parse_args()
    os.environ.setdefault("IMAGEGRAPHICS_ORT_THREADS", "1")
    terminal = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the functions' JSON logs; the table goes to the saved terminal

    with LocalStack(in_process=True, processor_pumps=0) as stack:
        key = next(iter(stack.api_keys))
        ids = upload_assets(stack.url, key, args.assets, args.side, args.mode)
        before = aws_calls(stack.endpoint)
        started = time.perf_counter()
        submit(Client(stack.url, key), job_request(ids, args.mode))
        submit_s = time.perf_counter() - started
        jobs_queue = stack.resources["JOBS_QUEUE_URL"].rpartition("/")[2]
        # No processor runs yet; the other queues' pumps poll meanwhile, which the submit does not ask for.
        submit_calls = {c: v for c, v in calls_between(before, aws_calls(stack.endpoint)).items()
                        if c[0] != "sqs" or c[2] == jobs_queue}
        spec = next(s for s in parse_api(load_template(TEMPLATE)).functions.values() if s.name == "processor")
        sqs = boto3.client("sqs", endpoint_url=stack.endpoint, region_name=REGION)
        pump = QueuePump(sqs, stack.resources["JOBS_QUEUE_URL"], spec.queues[0], LambdaFunction(spec),
                         threading.Event())
        done = 0
        while done < args.warm:
            done += pump.poll_once()
        spans = Spans(stack.resources)
        instrument(spans)
        while len(spans.messages) < min(args.probe, args.assets - args.warm):
            started = time.perf_counter()
            if pump.poll_once():
                spans.close_message(time.perf_counter() - started)
            else:
                spans.current.clear()
    print_table(spans.messages, args, terminal)
    print_submit(submit_s, submit_calls, args, terminal)


def print_table(messages: list[dict[str, float]], args, out) -> None:
    names = sorted({n for m in messages for n in m if n != "total"},
                   key=lambda n: -statistics.fmean(m.get(n, 0.0) for m in messages))
    total = statistics.fmean(m["total"] for m in messages)
    accounted = [sum(v for k, v in m.items() if k != "total") for m in messages]
    rows = [(n, [m.get(n, 0.0) for m in messages]) for n in names]
    rows.append(("rest (Powertools, handler, messages)", [m["total"] - a for m, a in zip(messages, accounted)]))
    print(f"{args.probe} assets of a {args.assets}-asset job, bg_remove mode {args.mode}, {args.side} px images, "
          f"one processor, measured after {args.warm} warm-up assets", file=out)
    width = max(len(n) for n, _ in rows) + 2
    print(f"{'span (per asset)':<{width}}  {'median':>9}  {'mean':>9}  {'share':>6}", file=out)
    for name, values in rows:
        mean = statistics.fmean(values)
        print(f"{name:<{width}}  {statistics.median(values) * 1000:>6.1f} ms  {mean * 1000:>6.1f} ms  "
              f"{mean / total:>6.1%}", file=out)
    median_total = statistics.median(m["total"] for m in messages)
    print(f"{'total (receive to delete)':<{width}}  {median_total * 1000:>6.1f} ms  {total * 1000:>6.1f} ms  "
          f"{1:>6.0%}", file=out)
    out.flush()


def print_submit(seconds: float, calls: dict, args, out) -> None:
    print(f"\nthe submit of the {args.assets}-asset job: {seconds:.2f} s; its AWS calls at the local endpoint:",
          file=out)
    for (service, operation, _), (count, moto_seconds) in sorted(calls.items()):
        print(f"  {service} {operation:<22} {count:>5}  moto {moto_seconds:.2f} s", file=out)
    total = sum(n for n, _ in calls.values())
    print(f"  {'all':<29} {total:>5}  moto {sum(t for _, t in calls.values()):.2f} s", file=out)
    out.flush()


if __name__ == "__main__":
    main()
