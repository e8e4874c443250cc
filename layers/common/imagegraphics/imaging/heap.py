"""Keep freed memory for the next image instead of handing it back to the kernel.

A 12 MP render allocates and frees a dozen full-frame buffers (36-48 MB each). glibc serves
blocks that large with a fresh mmap and unmaps them on free, so every buffer is faulted in page
by page and zeroed by the kernel again: measured, ~45,000 page faults and ~0.2 s of system time
per 12 MP render, a quarter of its wall time. With the mmap threshold and the trim threshold
raised, freed blocks stay in the heap and the next buffer reuses them (a few hundred faults per
warm render). One arena for every thread: the render's worker threads would otherwise each keep
a heap of their own (+100 MB of peak at 24 MP); with one, the peak is what it was without any of
this (bench/imaging.py reports it). The render's threads allocate a few large blocks, not many
small ones, so they hardly ever wait on the arena's lock.

Only glibc has mallopt; elsewhere (musl, macOS) this does nothing. A MALLOC_*_ environment
variable set by the operator wins.
"""
from __future__ import annotations

import ctypes
import os
from functools import lru_cache

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
THRESHOLD = 1 << 30  # above any single buffer of the largest image the limits allow


@lru_cache(maxsize=None)
def reuse_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds and use one arena, once per process; True when set."""
    if any(name in os.environ for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                           "MALLOC_ARENA_MAX")):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library to load
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    settings = ((M_MMAP_THRESHOLD, THRESHOLD), (M_TRIM_THRESHOLD, THRESHOLD), (M_ARENA_MAX, 1))
    return all([bool(mallopt(option, value)) for option, value in settings])
