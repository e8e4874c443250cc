"""The functions' metrics: published when an invocation added some, silent when it added none."""
from __future__ import annotations

import json
import warnings

import pytest
from aws_lambda_powertools.metrics.exceptions import SchemaValidationError

from imagegraphics.observability import count, metrics


@pytest.fixture(autouse=True)
def fresh_metrics():
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


@metrics.log_metrics
def quiet_handler(event, context):
    if event.get("dimension"):
        metrics.add_dimension(name="tenant_kind", value=event["dimension"])
    return "ok"


@metrics.log_metrics
def counting_handler(event, context):
    count("JobsSubmitted", 2)
    return "ok"


def _emf_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_an_invocation_without_metrics_prints_and_warns_nothing(capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert quiet_handler({}, None) == "ok"
        assert quiet_handler({}, None) == "ok"
    assert [str(w.message) for w in caught] == []
    assert capsys.readouterr() == ("", "")


def test_an_invocation_with_a_metric_publishes_it_once_in_emf(capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counting_handler({}, None)
        quiet_handler({}, None)  # the next invocation publishes nothing again
    assert caught == []
    (blob,) = _emf_lines(capsys.readouterr().out)
    assert blob["JobsSubmitted"] == [2.0]
    assert blob["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "JobsSubmitted", "Unit": "Count"}]


def test_dimensions_of_an_invocation_without_metrics_do_not_reach_the_next_ones(capsys):
    quiet_handler({"dimension": "trial"}, None)
    counting_handler({}, None)
    (blob,) = _emf_lines(capsys.readouterr().out)
    assert "tenant_kind" not in blob
    assert blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]


def test_raise_on_empty_metrics_still_raises():
    strict = metrics.log_metrics(lambda event, context: "ok", raise_on_empty_metrics=True)
    with pytest.raises(SchemaValidationError):
        strict({}, None)
