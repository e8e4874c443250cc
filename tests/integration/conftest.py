"""Every handler invoked in-process with the events from events/, against moto's server over HTTP.

One ThreadedMotoServer serves the session; each test gets a reset server with template.yaml's
resources and the environment the deployed functions would see.
"""
from __future__ import annotations

import socket

import pytest
import requests
from integration_support import Stack
from moto.server import ThreadedMotoServer

from imagegraphics.service import idempotency
from imagegraphics.settings import get_settings
from local.resources import create_resources


def pytest_configure(config):
    # Most invocations add no metric; the functions' metrics flush only when one did (observability),
    # so Powertools' empty-flush warning appearing here is a failure.
    config.addinivalue_line("filterwarnings", "error:No application metrics to publish:UserWarning")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def stack(moto_endpoint, monkeypatch):
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    env = {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "imagegraphics-test"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    resources = create_resources(endpoint_url=moto_endpoint)
    for name, value in resources["environment"].items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    idempotency.reset()
    yield Stack(moto_endpoint, resources)
    get_settings.cache_clear()
    idempotency.reset()
