"""Cold start of every function, each measured as a fresh process, next to a floor.

Run from the repository root: .venv/bin/python bench/coldstart.py [--runs N] [--only NAME...]
    [--compare CHECKOUT] [--breakdown NAME]
Target (issue): the processor's cold start <= 1.3x its floor.

Every measured command is a new `python` subprocess (interpreter start-up excluded: the clock starts
just before `import app`). Each function runs with the environment Lambda gives it: template.yaml's
Globals and function variables (the processor: its Dockerfile's ENV), plus what the runtime sets
(LAMBDA_TASK_ROOT, function name, region, X-Ray daemon address and a sampled _X_AMZN_TRACE_ID) —
so Powertools' Tracer is on, as it is in Lambda with `Tracing: Active`.

Columns, medians of --runs processes (min in brackets), function and floor runs interleaved:
  import   `import app` (the function module) alone
  cold     import + the first event: the zip functions handle their sample event from events/
           against a local moto server (so the first boto3 client and call are included); the
           processor, which needs AWS for its event, does what the issue defines instead:
           import app, load the models and render one small image (bg_remove, mode auto) in-process
           through render_asset and the segmenter
  floor    the least any implementation must pay for the same work:
           zip functions: a bare process that imports boto3 and makes one DynamoDB GetItem
           processor: a bare process that imports boto3, Pillow, numpy, onnxruntime and cv2 and runs
           the models the render uses (selfie_segmentation and u2netp) once. bg_remove auto runs
           both and the clean-up uses OpenCV, so the older floor (selfie only, no cv2) would charge
           the code for work the floor simply skips; its ratio is printed too, for comparison.
           The service loads the build's pre-optimized copies of the models (tools/build_model.py);
           a third row gives the floor loading those copies as well.
  ratio    cold / floor (medians)

--compare CHECKOUT measures another checkout's code (e.g. `git worktree add /tmp/before HEAD~1`) in
the same loop, so before and after see the same load. This machine is shared: quote ratios, and
medians of several runs, never one run's milliseconds.
--breakdown NAME prints the slowest imports of that function (`python -X importtime`, cumulative).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FUNCTIONS = ("authorizer", "assets", "submit", "status", "ingest", "processor", "deadletter")
# The sample event each zip function handles on its cold start.
EVENTS = {
    "authorizer": "authorizer_request_bearer.json",
    "assets": "apigw_get_asset.json",
    "submit": "apigw_submit_full_flow.json",
    "status": "apigw_get_job.json",
    "ingest": "sqs_s3_object_created.json",
    "deadletter": "sqs_job_dlq_message.json",
}
SAMPLE = REPO / "events" / "samples" / "astronaut.jpg"
RENDER_SIDE = 256  # the "small image" of the processor's cold start
MARK = "@@coldstart "

# The template's intrinsic functions, kept as {"Ref": ...} style dicts.
class _Loader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node)
    else:
        value = loader.construct_mapping(node)
    return {suffix: value}


_Loader.add_multi_constructor("!", _tag)


def lambda_environment(name: str, resources: dict[str, str], endpoint: str | None,
                       source: Path = REPO) -> dict[str, str]:
    """The environment Lambda would give function `name` (its code and the layer from `source`),
    with the template's refs resolved."""
    template = yaml.load((REPO / "template.yaml").read_text(), Loader=_Loader)
    params = {k: str(v["Default"]) for k, v in template["Parameters"].items() if "Default" in v}
    logical = f"{'DeadLetter' if name == 'deadletter' else name.capitalize()}Function"
    function = template["Resources"][logical]["Properties"]
    variables = {**template["Globals"]["Function"]["Environment"]["Variables"],
                 **function.get("Environment", {}).get("Variables", {})}
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    for key, value in variables.items():
        if isinstance(value, dict):  # !Ref: a parameter's default, or the local resource's name
            value = params.get(value.get("Ref"), resources.get(key, "unset"))
        env[key] = str(value)
    memory = function.get("MemorySize", template["Globals"]["Function"]["MemorySize"])
    task_root = source / "functions" / name
    env.update({
        "LAMBDA_TASK_ROOT": str(task_root), "AWS_LAMBDA_FUNCTION_NAME": f"imagegraphics-{name}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory), "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",  # UDP: nothing listens, nothing waits
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "PYTHONPATH": os.pathsep.join([str(task_root), str(source / "layers" / "common")]),
    })
    if name == "processor":  # the image's ENV (functions/processor/Dockerfile)
        env["IMAGEGRAPHICS_MODELS_DIR"] = str(REPO / "models")
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


# ---------------------------------------------------------------- what each fresh process runs
CONTEXT = """
class Context:
    function_name = "imagegraphics"; memory_limit_in_mb = 512; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:imagegraphics"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = log_stream_name = "local"; identity = client_context = None
    def get_remaining_time_in_millis(self): return 10000
"""

FUNCTION = CONTEXT + """
import json, sys, time
t0 = time.perf_counter()
import app
t1 = time.perf_counter()
try:
    app.lambda_handler(json.load(open(sys.argv[1])), Context())
except Exception:  # an answer too: the authorizer's 401 for the sample's unknown key is an exception
    pass
t2 = time.perf_counter()
print(%r + json.dumps({"import": t1 - t0, "cold": t2 - t0}))
""" % MARK

PROCESSOR = """
import io, json, os, sys, time
t0 = time.perf_counter()
import app
t1 = time.perf_counter()
from imagegraphics.imaging import RenderLimits, render_asset
from imagegraphics.request import parse_request
from imagegraphics.segmentation import get_segmenter
from imagegraphics.service.submit import request_limits
from imagegraphics.settings import get_settings

class Loader:
    def load(self, asset_id): return DATA
    def load_url(self, url): return DATA

DATA = open(sys.argv[1], "rb").read()
ASSET = "5d3f0b6a9c2e4e7f8a1b2c3d4e5f6a7b"
req = parse_request({"assets": [{ASSET: {}}], "operations": [{"bg_remove": {"options": {"mode": "auto"}}}]},
                    request_limits())
segmenter = get_segmenter(get_settings().models_dir)
result = render_asset(req, 0, Loader(), segmenter, RenderLimits())
t2 = time.perf_counter()
assert result.has_alpha
print(%r + json.dumps({"import": t1 - t0, "cold": t2 - t0, "models": sorted(segmenter._sessions)}))
""" % MARK

ZIP_FLOOR = """
import json, os, time
t0 = time.perf_counter()
import boto3
boto3.client("dynamodb").get_item(TableName=os.environ["TABLE_NAME"], Key={"pk": {"S": "x"}, "sk": {"S": "x"}})
t1 = time.perf_counter()
print(%r + json.dumps({"import": t1 - t0, "cold": t1 - t0}))
""" % MARK

MODEL_FLOOR = """
import json, sys, time
t0 = time.perf_counter()
import boto3, numpy as np, onnxruntime as ort
from PIL import Image
%s
for path in sys.argv[1:]:
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    spec = session.get_inputs()[0]
    session.run(None, {spec.name: np.zeros([d if isinstance(d, int) else 1 for d in spec.shape], np.float32)})
t1 = time.perf_counter()
print(%r + json.dumps({"import": t1 - t0, "cold": t1 - t0}))
"""
PROCESSOR_FLOOR = MODEL_FLOOR % ("import cv2", MARK)
OLD_FLOOR = MODEL_FLOOR % ("", MARK)
COPIES_FLOOR = "copies floor"  # PROCESSOR_FLOOR fed the build's pre-optimized copies of the models


def optimized_copy(model: Path) -> Path:
    """The build's pre-optimized copy of a model (tools/build_model.optimize), for this runtime."""
    import onnxruntime

    from imagegraphics.segmentation.sessions import optimized_path

    return optimized_path(model, onnxruntime.__version__)


def run(script: str, args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run([PYTHON, "-c", script, *args], env=env, cwd=env.get("LAMBDA_TASK_ROOT", REPO),
                          capture_output=True, text=True, timeout=300)
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    raise RuntimeError(f"no result (exit {done.returncode}):\n{done.stderr[-3000:]}")


def small_image(directory: Path) -> Path:
    from PIL import Image

    path = directory / "small.jpg"
    with Image.open(SAMPLE) as image:
        image.convert("RGB").resize((RENDER_SIDE, RENDER_SIDE)).save(path, "JPEG", quality=90)
    return path


def stats(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.0f} ({min(values) * 1000:4.0f})"


def start_moto() -> tuple[object, str, dict[str, str]]:
    """A local moto server with template.yaml's tables, queues and bucket (the zip functions' first calls)."""
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    sys.path.insert(0, str(REPO))
    from local.resources import create_resources

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ.setdefault(key, value)
    resources = create_resources(endpoint_url=endpoint)
    return server, endpoint, resources["environment"]


def breakdown(name: str, top: int = 25) -> None:
    env = lambda_environment(name, {}, None)
    done = subprocess.run([PYTHON, "-X", "importtime", "-c", "import app"], env=env, cwd=env["LAMBDA_TASK_ROOT"],
                          capture_output=True, text=True, timeout=120)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, module = line[len("import time:"):].split("|")
            rows.append((int(cumulative), module.rstrip()))
    print(f"-X importtime of {name} (cumulative ms, slowest {top}):")
    for cumulative, module in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative / 1000:7.1f}  {module}")


def measure(name: str, sources: dict[str, Path], runs: int, resources: dict[str, str], endpoint: str,
            image: Path, models: list[str]) -> None:
    """Rows of one function: each source's code, then the floor; every run goes through all of them in turn,
    so a change of load on the machine hits each alike."""
    envs = {label: lambda_environment(name, resources, endpoint, source) for label, source in sources.items()}
    floor_env = envs[next(iter(envs))]
    if name == "processor":
        fn = (PROCESSOR, [str(image)])
        floors = {"floor": (PROCESSOR_FLOOR, models), "old floor": (OLD_FLOOR, models[:1])}
        copies = [str(optimized_copy(Path(m))) for m in models]
        if all(Path(c).is_file() for c in copies):
            floors[COPIES_FLOOR] = (PROCESSOR_FLOOR, copies)
    else:
        fn = (FUNCTION, [str(REPO / "events" / EVENTS[name])])
        floors = {"floor": (ZIP_FLOOR, [])}
    found: dict[str, list[dict]] = {key: [] for key in [*envs, *floors]}
    for _ in range(runs):
        for label, env in envs.items():
            found[label].append(run(*fn, env))
        for label, command in floors.items():
            found[label].append(run(*command, floor_env))
    floor = statistics.median(r["cold"] for r in found["floor"])
    for label in envs:
        cold = [r["cold"] for r in found[label]]
        title = name + (f" ({label})" if label else "")
        print(f"{title:<22} {stats([r['import'] for r in found[label]])} {stats(cold)}"
              f" {stats([r['cold'] for r in found['floor']])} {statistics.median(cold) / floor:5.2f}x")
        if name == "processor":
            old = statistics.median(r["cold"] for r in found["old floor"])
            print(f"{'':<22} {'':>12} {'':>12} {stats([r['cold'] for r in found['old floor']])}"
                  f" {statistics.median(cold) / old:5.2f}x  <- old floor: selfie only, no cv2")
            if COPIES_FLOOR in found:
                fast = statistics.median(r["cold"] for r in found[COPIES_FLOOR])
                print(f"{'':<22} {'':>12} {'':>12} {stats([r['cold'] for r in found[COPIES_FLOOR]])}"
                      f" {statistics.median(cold) / fast:5.2f}x  <- floor loading the build's pre-optimized"
                      f" copies too")
    if name == "processor":
        print(f"{'':<22} models the render opened: {', '.join(found[next(iter(envs))][0]['models'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--breakdown", choices=FUNCTIONS)
    parser.add_argument("--only", nargs="*", choices=FUNCTIONS, default=list(FUNCTIONS))
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also measure another checkout's functions/ and layers/common (e.g. a git worktree of"
                             " the previous commit), interleaved with this one's; models and events are this one's")
    args = parser.parse_args()
    if args.breakdown:
        breakdown(args.breakdown)
        return
    registry = {e["name"]: e["file"] for e in json.loads((REPO / "models" / "registry.json").read_text())}
    models = [str(REPO / "models" / registry[n]) for n in ("selfie_segmentation", "u2netp")]
    sources = {"": REPO} if args.compare is None else {"now": REPO, "compared": args.compare.resolve()}
    server, endpoint, resources = start_moto()
    print(f"cold start, ms: median (min) of {args.runs} fresh processes; Lambda environment, tracing on")
    print(f"{'function':<22} {'import':>12} {'cold':>12} {'floor':>12} {'ratio':>6}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            image = small_image(Path(tmp))
            for name in args.only:
                measure(name, sources, args.runs, resources, endpoint, image, models)
    finally:
        server.stop()
    print("floor: zip functions = import boto3 + one DynamoDB GetItem; processor = import boto3, Pillow, numpy,"
          " onnxruntime, cv2 + one run of selfie_segmentation and u2netp")


if __name__ == "__main__":
    main()
