"""Log keys per thread for the local stack.

Lambda runs one event at a time per process, so Powertools keeps a request's log keys (function
name, correlation id, job id...) on its one formatter. The local stack runs every function on
threads of one process, sharing that formatter: a key set by one request would appear on another's
log lines (a webhook delivery logged under the status request polling beside it). Here each thread
keeps its own keys, starting from the logger's initial ones.
"""
from __future__ import annotations

import threading
from typing import Any


def per_thread_keys(logger: Any) -> None:
    """Give the Powertools logger's formatter one set of appended keys per thread (idempotent)."""
    formatter = logger.registered_formatter
    if getattr(type(formatter), "per_thread_keys", False):
        return
    initial = dict(formatter.log_format)
    local = threading.local()

    class PerThreadFormatter(type(formatter)):  # type: ignore[misc, valid-type]
        per_thread_keys = True

        @property
        def log_format(self) -> dict:
            if not hasattr(local, "keys"):
                local.keys = dict(initial)
            return local.keys

        @log_format.setter
        def log_format(self, value: dict) -> None:
            local.keys = value

    formatter.__class__ = PerThreadFormatter
