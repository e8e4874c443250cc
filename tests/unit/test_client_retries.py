"""The client's retries and its failures without a traceback, against a fake API over real HTTP."""
from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from PIL import Image

from imagegraphics_client import transport
from imagegraphics_client.cli import main

from tests.unit.client_fake import JOBS, KEY, api, pauses  # noqa: F401 - fixtures

SCRIPT = Path(sys.executable).with_name("imagegraphics-client")


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (10, 10)).save(path)
    return str(path)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(api, *args):
    return main(["--endpoint", api.url, "--api-key", KEY, *args])


def test_429_waits_as_long_as_retry_after_asks(api, photo, pauses, capsys):
    api.fail("POST", "/api/v1/assets", 429, {"Retry-After": "7"}, {"message": "Too Many Requests"}, times=2)
    assert cli(api, "upload", photo) == 0
    assert pauses.count(7.0) == 2
    assert api.count("POST", "/api/v1/assets") == 3
    assert capsys.readouterr().err.count("429, retrying in 7.0 s") == 2


def test_503_without_retry_after_backs_off_exponentially(api, photo, pauses):
    api.fail("POST", "/api/v1/assets", 503, times=3)
    assert cli(api, "upload", photo) == 0
    retry_pauses = pauses[:3]
    assert 0.25 <= retry_pauses[0] <= 0.5 and 0.5 <= retry_pauses[1] <= 1 and 1 <= retry_pauses[2] <= 2


def test_retry_after_as_an_http_date():
    response = requests.Response()
    response.headers["Retry-After"] = "Wed, 21 Oct 2026 07:28:30 GMT"
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert transport.retry_after(response, lambda: now) == 30.0
    response.headers["Retry-After"] = "soon"
    assert transport.retry_after(response) is None


def test_a_retry_after_longer_than_allowed_fails_plainly(api, photo, capsys):
    api.fail("POST", "/api/v1/assets", 503, {"Retry-After": "3600"})
    assert cli(api, "--max-retry-after", "60", "upload", photo) == 3
    assert "asks to retry after 3600 s, longer than --max-retry-after (60 s)" in capsys.readouterr().err


def test_throttled_past_every_retry_exits_3(api, photo, pauses, capsys):
    api.fail("GET", "/api/v1/assets/", 429, {"Retry-After": "1"}, times=100)
    assert cli(api, "--retries", "2", "upload", photo) == 3
    assert pauses.count(1.0) == 2
    err = capsys.readouterr().err
    assert "answered 429" in err and "try again later" in err and "Traceback" not in err


def test_connection_refused_is_retried_then_exits_3(pauses, photo, capsys):
    code = main(["--endpoint", f"http://127.0.0.1:{closed_port()}", "--api-key", KEY, "--retries", "3", "upload", photo])
    assert code == 3
    assert len(pauses) == 3
    err = capsys.readouterr().err
    assert "the connection was refused" in err and "Traceback" not in err


def test_a_submit_whose_connection_broke_is_not_sent_twice(api, tmp_path, capsys):
    request = tmp_path / "req.json"
    request.write_text('{"assets": [], "operations": [{"bg_remove": {}}]}')
    api.fail("POST", JOBS, status=0)
    assert cli(api, "submit", str(request)) == 3
    assert api.count("POST", JOBS) == 1
    assert "the connection broke" in capsys.readouterr().err


def test_a_read_whose_connection_broke_is_repeated(api, photo, capsys):
    api.fail("GET", "/api/v1/assets/", status=0)
    assert cli(api, "upload", photo) == 0
    assert api.count("GET", "/api/v1/assets/") >= 3  # the dropped look, then PENDING, then READY


def test_a_body_that_is_not_the_apis_is_a_transport_error(api, photo, capsys):
    api.fail("POST", "/api/v1/assets", 201, body={"unexpected": True})  # JSON, but not a created asset
    assert cli(api, "upload", photo) == 3
    err = capsys.readouterr().err
    assert "the answer is not the API's" in err and "Traceback" not in err


@pytest.mark.parametrize("args, status, says", [
    (["--api-key", "wrong", "upload", "PHOTO"], 3, "the API key was refused (401"),
    (["--api-key", KEY, "submit", "REQ"], 2, "at operations: at least one operation is required"),
    (["--api-key", KEY, "upload", "missing.jpg"], 2, "missing.jpg: cannot read it"),
    (["upload", "PHOTO"], 2, "no API key"),
])
def test_the_console_script_exits_with_a_status_and_no_traceback(api, photo, tmp_path, args, status, says):
    request = tmp_path / "req.json"
    request.write_text('{"assets": [], "operations": []}')
    args = [photo if a == "PHOTO" else str(request) if a == "REQ" else a for a in args]
    env = {"PATH": "/usr/bin:/bin", "IMAGEGRAPHICS_ENDPOINT": api.url}
    done = subprocess.run([str(SCRIPT), "--retries", "0", *args], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == status, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr


def test_the_console_script_on_a_closed_port(tmp_path, photo):
    env = {"PATH": "/usr/bin:/bin", "IMAGEGRAPHICS_API_KEY": KEY}
    done = subprocess.run([str(SCRIPT), "--endpoint", f"http://127.0.0.1:{closed_port()}", "--retries", "0",
                           "upload", photo], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 3
    assert "the connection was refused" in done.stderr and "Traceback" not in done.stderr
