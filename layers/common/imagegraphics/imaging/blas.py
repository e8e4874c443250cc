"""numpy's OpenBLAS on one thread.

The engine's BLAS calls are tiny (3x3 solves, a colour projection of the working image), but
OpenBLAS runs them on a worker per core, and those workers spin for a while after every call: in
a 12 MP CLI render they took ~6% of all CPU samples, on the cores the render's own threads need
(the process's CPU time fell by ~11% with one BLAS thread). Each of these products splits its
rows between threads, so one thread gives the same numbers.

OpenBLAS is found among the libraries already loaded (numpy's wheel bundles it as
libscipy_openblas64_ or libopenblas); nothing happens when numpy uses another BLAS, on systems
without /proc, or when the operator set OPENBLAS_NUM_THREADS (read by OpenBLAS at load).
"""
from __future__ import annotations

import ctypes
import os
from functools import lru_cache
from pathlib import Path

SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
           "openblas_set_num_threads64_", "openblas_set_num_threads")


def _loaded_openblas() -> list[str]:
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return []
    found = {line.split()[-1] for line in maps.read_text().splitlines() if "openblas" in line.lower()}
    return sorted(path for path in found if ".so" in path and Path(path).is_file())


@lru_cache(maxsize=None)
def one_blas_thread() -> bool:
    """Set OpenBLAS to one thread, once per process; True when it was set."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        return False
    import numpy  # noqa: F401 - loads numpy's OpenBLAS, which is what is looked for

    done = False
    for path in _loaded_openblas():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(library, name) for name in SETTERS if hasattr(library, name)), None)
        if setter is not None:
            setter.argtypes, setter.restype = (ctypes.c_int,), None
            setter(1)
            done = True
    return done
