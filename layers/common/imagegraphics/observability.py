"""Logger, Tracer and Metrics, created once and shared by every function.

Each function sets POWERTOOLS_SERVICE_NAME in the template; the metric namespace is the template's
MetricsNamespace parameter (POWERTOOLS_METRICS_NAMESPACE), common to every function so one dashboard
shows the whole pipeline. Tracer is a no-op outside Lambda (tests, the local stack).

Every log line of one API request carries its correlation id, API Gateway's request id: the API
functions and the authorizer take it from the event (REQUEST_ID_PATH), the queue workers from the
job message that request queued (`request_id`).

`tracer` is made on first import of the name (module __getattr__): Powertools' Tracer loads the
X-Ray SDK even when disabled, so a function that never traces (the authorizer) does not import it.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

NAMESPACE_VARIABLE = "POWERTOOLS_METRICS_NAMESPACE"
# Only where the template did not set the variable (tests, tools): never published under it.
UNCONFIGURED_NAMESPACE = "imagegraphics-unconfigured"
NAMESPACE = os.environ.get(NAMESPACE_VARIABLE) or UNCONFIGURED_NAMESPACE
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "imagegraphics")

# requestContext.requestId: in the proxy events and in the REQUEST authorizer's event alike.
REQUEST_ID_PATH = correlation_paths.API_GATEWAY_REST



class _MetricsWhenAdded(AmazonCloudWatchEMFProvider):
    """Powertools' CloudWatch EMF metrics, flushed only when an invocation added some.

    Most invocations add none (a status poll, the authorizer, a recipe read): Powertools' own flush
    then warns "No application metrics to publish" on stderr, a line in the logs per invocation that
    says nothing wrong. Here an empty flush just forgets the invocation's dimensions and metadata, so
    they never reach the next one's metrics. `raise_on_empty_metrics=True` still raises.
    """

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        if self.metric_set or raise_on_empty_metrics:
            super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)
        else:
            self.clear_metrics()


logger = Logger(service=SERVICE)
metrics = Metrics(provider=_MetricsWhenAdded(namespace=NAMESPACE, service=SERVICE))

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


# Per thread (the local stack serves requests on threads that share this module), unlike log keys.
_serving: ContextVar[str | None] = ContextVar("serving_request_id", default=None)


def request_id() -> str | None:
    """The id of the API request whose work this thread does (None outside one), for what it queues."""
    return _serving.get()


@contextmanager
def serving(request: str | None) -> Iterator[None]:
    """Within: request_id() is `request` (the API functions' resolvers wrap each route in it)."""
    token = _serving.set(request)
    try:
        yield
    finally:
        _serving.reset(token)


@contextmanager
def following(request: str | None) -> Iterator[None]:
    """follow_request(request) within; after, the ids as they were (work done for another request
    amid work that is not, e.g. a recipe's job started by ingest)."""
    before = logger.get_correlation_id(), _serving.get()
    follow_request(request)
    try:
        yield
    finally:
        logger.set_correlation_id(before[0])
        _serving.set(before[1])


@contextmanager
def queued_work(request: str | None, keys: tuple[str, ...]) -> Iterator[None]:
    """One queue message's work: logged under the id of the request that queued it; after it, no id
    and none of the log `keys` it appended (the batch's next message is another request's)."""
    follow_request(request)
    try:
        yield
    finally:
        logger.remove_keys(list(keys))
        follow_request(None)


def follow_request(request: str | None) -> None:
    """Log the queued work under the id of the request that queued it (None: no id), and pass that id
    on (request_id()) to what this work queues in turn, e.g. a webhook delivery."""
    logger.set_correlation_id(request)
    _serving.set(request)
