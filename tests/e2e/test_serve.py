"""`python -m local.serve` starts, answers, and stops cleanly on Ctrl-C, taking moto down with it."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_serve_prints_keys_and_stops_on_ctrl_c(tmp_path):
    log = tmp_path / "serve.log"
    env = dict(os.environ, LOCAL_API_KEYS="acme:acme-key,zeta:zeta-key")
    with open(log, "w") as out:
        # Started with SIGINT ignored, as a shell without job control starts a background command
        # (CI's often): Ctrl-C must stop it all the same.
        proc = subprocess.Popen([sys.executable, "-m", "local.serve", "--port", "0"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops everything" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        banner = log.read_text()
        assert re.search(r"tenant acme\s+key acme-key", banner) and re.search(r"tenant zeta\s+key zeta-key", banner)
        url = re.search(r"local stack on (http://\S+)", banner).group(1)
        moto = re.search(r"AWS endpoint (http://[^)\s]+)", banner).group(1)
        created = requests.post(url + "/api/v1/assets", headers={"Authorization": "Bearer zeta-key"},
                                json={"filename": "a.png", "content_type": "image/png"}, timeout=30)
        assert created.status_code == 201

        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("still running 60 s after Ctrl-C:\n" + log.read_text()[-6000:])
        assert code == 0, log.read_text()[-6000:]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert log.read_text().rstrip().endswith("stopped")
    with pytest.raises(requests.ConnectionError):
        requests.get(moto, timeout=5)
