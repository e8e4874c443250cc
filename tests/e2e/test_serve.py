"""`python -m local.serve`: its terminal shows the summary and one access line per request, the
functions' logs go to LOG_FILE, and it stops cleanly on Ctrl-C, taking moto down with it."""
from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from PIL import Image

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ACCESS_LINE = re.compile(r"\d\d:\d\d:\d\d (?P<method>[A-Z]+) (?P<path>\S+) -> (?P<status>\d{3}) \(\d+ ms\) "
                         r"(?P<request_id>[0-9a-f-]{36})")
EMPTY_METRICS = "No application metrics to publish"


def _serve(terminal: Path, log_file: Path, env: dict[str, str] | None = None, port: int = 0) -> subprocess.Popen:
    env = dict(os.environ, LOG_FILE=str(log_file), **(env or {}))
    with open(terminal, "w") as out:
        # Started with SIGINT ignored, as a shell without job control starts a background command
        # (CI's often): Ctrl-C must stop it all the same.
        return subprocess.Popen([sys.executable, "-m", "local.serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "orange").save(out, "PNG")
    return out.getvalue()


def _use_the_api(url: str, key: str) -> list[tuple[str, str, int, str]]:
    """Create an asset, upload it, poll it until ingest decides, and be refused twice; answers
    (method, path, status, request id) of every request made, in order."""
    made: list[tuple[str, str, int, str]] = []
    http = requests.Session()
    http.hooks["response"].append(lambda r, *a, **k: made.append(
        (r.request.method, r.request.path_url, r.status_code, r.headers.get("X-Request-Id", ""))))
    auth = {"Authorization": f"Bearer {key}"}
    created = http.post(url + "/api/v1/assets", headers=auth, timeout=30,
                        json={"filename": "a.png", "content_type": "image/png"})
    assert created.status_code == 201, created.text
    form = created.json()["upload"]
    uploaded = http.post(form["url"], data=form["fields"], files={"file": ("a.png", _png(), "image/png")}, timeout=30)
    assert uploaded.status_code == 204, uploaded.text
    deadline = time.monotonic() + 60
    while http.get(url + f"/api/v1/assets/{created.json()['asset_id']}", headers=auth,
                   timeout=30).json()["status"] == "PENDING":  # ingest runs on a queue pump
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert http.get(url + "/api/v1/assets/" + "0" * 32, timeout=30).status_code == 401
    assert http.get(url + "/nowhere", headers=auth, timeout=30).status_code == 404
    return made


def _stop(proc: subprocess.Popen, terminal: Path) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("still running 60 s after Ctrl-C:\n" + terminal.read_text()[-6000:])
    assert code == 0, terminal.read_text()[-6000:]


def test_serve_shows_a_summary_and_access_lines_logs_functions_to_a_file_and_stops_on_ctrl_c(tmp_path):
    terminal, log_file = tmp_path / "terminal.txt", tmp_path / "logs" / "stack.log"
    proc = _serve(terminal, log_file, {"LOCAL_API_KEYS": "acme:acme-key,zeta:zeta-key"})
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops everything" not in terminal.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, terminal.read_text()
            time.sleep(0.2)
        banner = terminal.read_text()
        assert re.search(r"tenant acme\s+key acme-key", banner) and re.search(r"tenant zeta\s+key zeta-key", banner)
        assert f"function logs: {log_file}" in banner
        assert banner.startswith(f"starting the local stack; the functions' logs go to {log_file}\n")
        url = re.search(r"local stack on (http://\S+)", banner).group(1)
        moto = re.search(r"AWS endpoint (http://[^)\s]+)", banner).group(1)
        made = _use_the_api(url, "zeta-key")
        _stop(proc, terminal)
    finally:
        if proc.poll() is None:
            proc.kill()
    shown = terminal.read_text()
    assert shown.rstrip().endswith("stopped")
    with pytest.raises(requests.ConnectionError):
        requests.get(moto, timeout=5)

    # The terminal: the summary, then exactly one access line per request, in order; nothing else.
    after_banner = shown.split("Ctrl-C stops everything.\n", 1)[1].splitlines()
    assert after_banner[-2:] == ["stopping...", "stopped"]
    access = [ACCESS_LINE.fullmatch(line) for line in after_banner[:-2]]
    assert all(access), after_banner
    assert [(m["method"], m["path"], int(m["status"]), m["request_id"]) for m in access] == made
    assert not any(line.lstrip().startswith("{") for line in shown.splitlines()), shown
    assert EMPTY_METRICS not in shown and "Traceback" not in shown

    # The log file: the functions' JSON logs, under the request ids the access lines show.
    logged = log_file.read_text()
    assert EMPTY_METRICS not in logged
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    created_id = made[0][3]
    assert {"AuthorizerFunction", "AssetsFunction"} <= {
        line.get("function_name") for line in lines if line.get("correlation_id") == created_id}
    assert any(line.get("function_name") == "IngestFunction" for line in lines)


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path):
    terminal, log_file = tmp_path / "terminal.txt", tmp_path / "stack.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(terminal, log_file, port=port)
        try:
            assert proc.wait(timeout=120) == 1
        finally:
            if proc.poll() is None:
                proc.kill()
    shown = terminal.read_text().splitlines()
    assert shown == [f"starting the local stack; the functions' logs go to {log_file}",
                     f"the local stack did not start: port {port} is in use (PORT=<another port> make serve "
                     f"picks another) (details in {log_file})"]
    assert "Address already in use" in log_file.read_text()  # the traceback, for whoever wants it


def test_a_malformed_setting_is_one_line_and_exit_2(tmp_path):
    terminal, log_file = tmp_path / "terminal.txt", tmp_path / "stack.log"
    proc = _serve(terminal, log_file, {"LOCAL_API_KEYS": "acme"})
    assert proc.wait(timeout=60) == 2
    assert terminal.read_text() == "local stack: LOCAL_API_KEYS entry 'acme' is not tenant:key\n"
    assert not log_file.exists()
