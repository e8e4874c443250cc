"""Process settings of the rendering entry points (imagegraphics/startup.py), each probed in a fresh
process: OpenBLAS starts on one thread, the collector is back on once the modules are loaded."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import ctypes, gc, json, sys
from imagegraphics import startup
if sys.argv[1] == "on":
    startup.before_imports()
during = gc.isenabled()
import numpy
from imagegraphics.imaging import blas
if sys.argv[1] == "on":
    startup.imports_done()
found = {"gc_during_imports": during, "gc_after": gc.isenabled(), "frozen": gc.get_freeze_count(),
         "openblas": []}
for path in blas._loaded_openblas():
    library = ctypes.CDLL(path)
    for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                 "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(library, name):
            found["openblas"].append(getattr(library, name)())
status = open("/proc/self/status").read()
found["threads"] = int(status.split("Threads:")[1].split()[0])
print(json.dumps(found))
"""

linux_only = pytest.mark.skipif(platform.system() != "Linux", reason="threads and libraries are read from /proc")


def probe(setting: str, **env: str) -> dict:
    # OpenBLAS also reads these two when OPENBLAS_NUM_THREADS is not set
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("OPENBLAS") and k not in ("OMP_NUM_THREADS", "GOTO_NUM_THREADS")} | env
    done = subprocess.run([sys.executable, "-c", PROBE, setting], env=environment, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


@linux_only
def test_openblas_starts_no_workers_and_the_collector_is_back_on():
    plain = probe("off")
    if not plain["openblas"]:
        pytest.skip("numpy here does not use OpenBLAS")
    found = probe("on")
    assert found["openblas"] == [1] and found["threads"] == 1
    assert not found["gc_during_imports"] and found["gc_after"] and found["frozen"] > 0
    if (os.cpu_count() or 1) > 1:  # without the setting OpenBLAS starts a worker per core at load
        assert plain["threads"] > 1 and plain["frozen"] == 0


@linux_only
def test_an_operator_openblas_setting_wins():
    if not probe("off")["openblas"]:
        pytest.skip("numpy here does not use OpenBLAS")
    chosen = min(2, os.cpu_count() or 1)  # OpenBLAS never goes past the cores
    assert probe("on", OPENBLAS_NUM_THREADS=str(chosen))["openblas"] == [chosen]


def test_the_processor_module_leaves_the_collector_on():
    """A collector left off would keep every reference cycle of every warm invocation."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / "processor"),
                                                        str(ROOT / "layers" / "common")]),
           "POWERTOOLS_SERVICE_NAME": "processor", "AWS_DEFAULT_REGION": "us-east-1"}
    script = "import gc, json, app; print(json.dumps([gc.isenabled(), gc.get_freeze_count()]))"
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT / "functions" / "processor",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    enabled, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert enabled and frozen > 0


def test_the_cli_process_exits_with_its_status(tmp_path):
    request = tmp_path / "req.json"
    request.write_text(json.dumps({"assets": [], "operations": []}))
    done = subprocess.run([sys.executable, "-m", "imagegraphics", "render", "--request", str(request),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert json.loads(done.stderr)["message"]
    assert not (tmp_path / "out").exists()


PLUGINS_PROBE = """
import importlib.metadata, json, os, sys
from imagegraphics import startup
searched = []
real = importlib.metadata.entry_points
importlib.metadata.entry_points = lambda **kw: searched.append(kw.get("group")) or real(**kw)
startup.before_imports()
from imagegraphics.request import parse_request
parse_request({"assets": [{"a" * 32: {}}], "operations": [{"bg_remove": {}}]})
print(json.dumps({"searched": "pydantic" in searched, "setting": os.environ.get("PYDANTIC_DISABLE_PLUGINS")}))
"""


def plugins_probe(**env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"} | env
    done = subprocess.run([sys.executable, "-c", PLUGINS_PROBE], env=environment, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_pydantic_plugins_are_not_searched_unless_the_operator_says_so():
    assert plugins_probe() == {"searched": False, "setting": "__all__"}
    # an operator's choice wins: naming one plugin to skip still searches for the others
    assert plugins_probe(PYDANTIC_DISABLE_PLUGINS="logfire") == {"searched": True, "setting": "logfire"}
