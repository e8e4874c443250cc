"""A small pool of execution environments per function, like Lambda's concurrency.

A Powertools resolver keeps the current event on the module-level `app`, so one instance must never
serve two requests at once; concurrent requests get their own instance instead.
"""
from __future__ import annotations

import queue
import threading
from typing import Any

from local.runtime import LambdaFunction
from local.template import FunctionSpec


class FunctionPool:
    def __init__(self, spec: FunctionSpec, max_instances: int = 16):
        self.spec = spec
        self._idle: queue.SimpleQueue[LambdaFunction] = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(max_instances)
        self._create = threading.Lock()  # imports are not worth doing twice at the same time

    def warm(self) -> None:
        """Create the first instance now, so an import error shows at start rather than on a request."""
        with self._create:
            self._idle.put(LambdaFunction(self.spec))

    def invoke(self, event: dict) -> Any:
        with self._slots:
            try:
                instance = self._idle.get_nowait()
            except queue.Empty:
                with self._create:
                    instance = LambdaFunction(self.spec)
            try:
                return instance.invoke(event)
            finally:
                self._idle.put(instance)
