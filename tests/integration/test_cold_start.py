"""What each function imports on a cold start (a fresh process), and that tracing still works in Lambda.

bench/coldstart.py measures the times; these tests keep the import graph from growing back: the X-Ray
SDK only where a function traces, the model runtime only in the processor, the request models only
where a request is parsed, numpy only where pixels are touched.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("aws_xray_sdk", "onnxruntime", "cv2", "numpy", "PIL.Image", "pydantic", "imagegraphics.request.model",
         "imagegraphics.imaging.pipeline", "imagegraphics.segmentation", "requests", "sqlite3")
# What importing each function's module may load of HEAVY.
ALLOWED = {
    "authorizer": set(),
    "assets": {"aws_xray_sdk", "pydantic"},
    "status": {"aws_xray_sdk", "pydantic"},
    "openapi": {"aws_xray_sdk", "pydantic"},  # reads a JSON file; the error handlers build ErrorBody
    "ingest": {"aws_xray_sdk", "PIL.Image"},  # reads image headers
    "submit": {"aws_xray_sdk", "pydantic", "imagegraphics.request.model"},
    "deadletter": {"aws_xray_sdk", "pydantic", "imagegraphics.request.model"},  # names the failed output
    "processor": {"aws_xray_sdk", "pydantic", "imagegraphics.request.model", "imagegraphics.imaging.pipeline",
                  "numpy", "PIL.Image"},
    "tenant": {"aws_xray_sdk", "pydantic", "imagegraphics.request.model"},  # checks recipes as requests
    "webhook": {"aws_xray_sdk", "pydantic"},  # the job's status body; no request is parsed
}


def _env(name: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "_X_AMZN_TRACE_ID")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "functions" / name), str(ROOT / "layers" / "common")])
    env.update({"POWERTOOLS_SERVICE_NAME": name, "AWS_DEFAULT_REGION": "us-east-1", **extra})
    return env


def _run(name: str, script: str, **extra: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script], env=_env(name, **extra), cwd=ROOT / "functions" / name,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_function_module_imports_only_what_its_requests_use(name):
    loaded = _run(name, f"import json, sys, app; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert set(loaded) <= ALLOWED[name]


def test_the_authorizer_in_lambda_loads_neither_the_xray_sdk_nor_the_model_runtime():
    loaded = _run("authorizer", f"import json, sys, app; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
                  LAMBDA_TASK_ROOT=str(ROOT / "functions" / "authorizer"))
    assert loaded == []


def test_the_processor_traces_its_handler_and_its_aws_calls_in_lambda():
    """In Lambda (LAMBDA_TASK_ROOT, a sampled trace id) the handler's subsegments reach the X-Ray daemon,
    and botocore and http.client are patched (the calls the function makes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(30)
        port = daemon.getsockname()[1]
        event = {"Records": [{"messageId": "m1", "receiptHandle": "r", "body": "not json", "attributes": {},
                              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                              "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:jobs", "awsRegion": "us-east-1"}]}
        script = f"""
import json, app
from aws_xray_sdk.core import patcher
class Context:
    function_name = "processor"; memory_limit_in_mb = 3008; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:processor"
    aws_request_id = "req-1"
try:
    app.lambda_handler({event!r}, Context())
    answer = None
except Exception as exc:  # every record failed: Powertools raises, so SQS delivers the batch again
    answer = type(exc).__name__
print(json.dumps({{"disabled": app.tracer.disabled, "patched": sorted(patcher._PATCHED_MODULES), "answer": answer}}))
"""
        found = _run("processor", script, LAMBDA_TASK_ROOT=str(ROOT / "functions" / "processor"),
                     AWS_XRAY_DAEMON_ADDRESS=f"127.0.0.1:{port}", AWS_XRAY_CONTEXT_MISSING="LOG_ERROR",
                     _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
        names = set()
        while not {"## lambda_handler", "## app.record_handler"} <= names:
            packet = daemon.recv(65536).decode()
            names.add(json.loads(packet.split("\n", 1)[1])["name"])
    assert found["disabled"] is False
    assert {"botocore", "httplib"} <= set(found["patched"])
    assert found["answer"] == "BatchProcessingError"
