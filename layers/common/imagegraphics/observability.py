"""Logger, Tracer and Metrics, created once and shared by every function.

Each function sets POWERTOOLS_SERVICE_NAME in the template; the namespace is common so one
dashboard shows the whole pipeline. Tracer is a no-op outside Lambda (tests, the local stack).

`tracer` is made on first import of the name (module __getattr__): Powertools' Tracer loads the
X-Ray SDK even when disabled, so a function that never traces (the authorizer) does not import it.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

NAMESPACE = "ImageGraphics"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "imagegraphics")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# What the functions call through boto3 and http.client (urlfetch); patch_all would also import and
# patch every other supported library that happens to be installed (requests, sqlite3, httpx...).
TRACED_MODULES = ("botocore", "httplib")


def __getattr__(name: str):
    if name == "tracer":
        from aws_lambda_powertools import Tracer

        globals()["tracer"] = made = Tracer(service=SERVICE, patch_modules=TRACED_MODULES)
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


tracer: Tracer  # made by __getattr__ on first use

# Metric names in one place, so dashboards and alarms can rely on them.
JOBS_SUBMITTED = "JobsSubmitted"
ASSETS_PROCESSED = "AssetsProcessed"
ASSETS_FAILED = "AssetsFailed"
PROCESSING_MS = "ProcessingMs"


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def milliseconds(name: str, value: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)
