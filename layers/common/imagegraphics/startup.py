"""Process-wide settings of a process that renders (the CLI, the processor function), made by its
entry point: before its imports, once they are done, and before it exits.

- OpenBLAS on one thread from the moment numpy loads it. imaging.blas.one_blas_thread sets the
  same later, but by then OpenBLAS has started a worker per core and sized its buffers for them:
  ~45 ms of every cold start. An operator's OPENBLAS_NUM_THREADS wins.
- No search for pydantic plugins: the first model built would otherwise read the entry points of
  every installed distribution (~15 ms here, more in a large environment), for plugins a render
  never uses. An operator's PYDANTIC_DISABLE_PLUGINS wins.
- No collector passes while the modules load (pydantic's model building alone allocates tens of
  thousands of objects, which set off collections that find nothing to free); what is loaded is
  then frozen (gc.freeze), so later collections no longer walk the modules' objects.
- Before a short-lived process exits, what is alive is frozen too: the interpreter's shutdown runs
  full collections over every object while it clears the modules (~0.1 s after a 12 MP render),
  although all of it is about to go with the process.
"""
from __future__ import annotations

import gc
import os
import sys


def before_imports() -> None:
    if "numpy" not in sys.modules:  # read by OpenBLAS when numpy loads it, not after
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.disable()


def imports_done() -> None:
    gc.freeze()
    gc.enable()


def before_exit() -> None:
    gc.freeze()
