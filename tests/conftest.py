"""Shared fixtures: in-process moto with the resources built from template.yaml."""
from __future__ import annotations

import pytest
from moto import mock_aws

from imagegraphics.settings import get_settings
from local.resources import create_resources

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture
def aws_resources(monkeypatch):
    """moto for DynamoDB, SQS and S3 with template.yaml's tables, queues and bucket; the settings
    environment points at them. Yields create_resources()'s answer."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        resources = create_resources()
        for name, value in resources["environment"].items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield resources
    get_settings.cache_clear()


def pytest_terminal_summary(terminalreporter):
    """Browser tests skipped for want of Chromium are said at the end, where no one misses it."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "browser" in report.keywords]
    if skipped:
        terminalreporter.section("BROWSER TESTS NOT RUN", sep="!", red=True, bold=True)
        reason = skipped[0].longrepr[2] if isinstance(skipped[0].longrepr, tuple) else str(skipped[0].longrepr)
        reason = reason.removeprefix("Skipped: ")
        terminalreporter.write_line(f"{len(skipped)} browser test(s) skipped: {reason}", red=True, bold=True)
