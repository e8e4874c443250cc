"""The render keeps freed image memory for the next image (imaging/heap.py) and runs numpy's
OpenBLAS on one thread (imaging/blas.py)."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

# A fresh process: allocate a 12 MP Pillow image, free it, allocate another, and count the page
# faults of the second one. Pillow's image memory is not huge-page backed: 48 MB freshly mapped
# is ~12,000 faults; reused from the heap, almost none.
PROBE = """
import json, resource, sys
from PIL import Image
if sys.argv[1] == "on":
    from imagegraphics.imaging.heap import reuse_freed_memory
    assert reuse_freed_memory()
Image.new("RGB", (4000, 3000), (1, 2, 3))  # made and freed
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
image = Image.new("RGB", (4000, 3000), (4, 5, 6))
print(json.dumps({"faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before}))
"""

glibc_only = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="mallopt is glibc's")


def faults(setting: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    done = subprocess.run([sys.executable, "-c", PROBE, setting], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)["faults"]


@glibc_only
def test_a_freed_image_is_reused_not_faulted_in_again():
    assert faults("off") > 5000  # the kernel maps and zeroes 48 MB again
    assert faults("on") < 500


@glibc_only
def test_an_operator_malloc_setting_wins(monkeypatch):
    from imagegraphics.imaging import heap

    heap.reuse_freed_memory.cache_clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    try:
        assert heap.reuse_freed_memory() is False
    finally:
        heap.reuse_freed_memory.cache_clear()


# numpy's OpenBLAS on one thread (imaging/blas.py), asked of OpenBLAS itself in a fresh process.
BLAS_PROBE = """
import ctypes, json, sys
import numpy
from imagegraphics.imaging import blas
set_here = blas.one_blas_thread() if sys.argv[1] == "on" else None
threads = {"set": set_here}
for path in blas._loaded_openblas():
    library = ctypes.CDLL(path)
    for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                 "openblas_get_num_threads64_", "openblas_get_num_threads"):
        if hasattr(library, name):
            threads[path] = getattr(library, name)()
print(json.dumps(threads))
"""


def counts(found: dict) -> set:
    return {v for k, v in found.items() if k != "set"}


def blas_threads(setting: str, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS")} | env
    done = subprocess.run([sys.executable, "-c", BLAS_PROBE, setting], env=environment,
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(platform.system() != "Linux", reason="libraries are found through /proc")
def test_openblas_runs_on_one_thread_once_set():
    if not counts(blas_threads("off")):
        pytest.skip("numpy here does not use OpenBLAS")
    found = blas_threads("on")
    assert found["set"] is True and counts(found) == {1}


@pytest.mark.skipif(platform.system() != "Linux", reason="libraries are found through /proc")
def test_an_operator_openblas_setting_wins():
    if not counts(blas_threads("off")):
        pytest.skip("numpy here does not use OpenBLAS")
    chosen = str(min(2, os.cpu_count() or 1))  # OpenBLAS never goes past the cores
    found = blas_threads("on", OPENBLAS_NUM_THREADS=chosen)
    assert found["set"] is False and counts(found) == {int(chosen)}
