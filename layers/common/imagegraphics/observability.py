"""Logger, Tracer and Metrics, created once and shared by every function.

Each function sets POWERTOOLS_SERVICE_NAME in the template; the namespace is common so one
dashboard shows the whole pipeline. Tracer is a no-op outside Lambda (tests, the local stack).
"""
from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "ImageGraphics"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "imagegraphics")

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# Metric names in one place, so dashboards and alarms can rely on them.
JOBS_SUBMITTED = "JobsSubmitted"
ASSETS_PROCESSED = "AssetsProcessed"
ASSETS_FAILED = "AssetsFailed"
PROCESSING_MS = "ProcessingMs"


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def milliseconds(name: str, value: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)
