"""Loads a function's handler from functions/<name>/app.py and invokes it the way Lambda does."""
from __future__ import annotations

import contextlib
import importlib.util
import itertools
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from local.logkeys import per_thread_keys
from local.template import FunctionSpec

REGION = "us-east-1"
ACCOUNT = "123456789012"
_instances = itertools.count(1)
# Powertools' HTTP resolvers keep the event being served on their base class (BaseRouter.current_event,
# lambda_context): one per process, as a Lambda environment serves one event at a time. Here every
# function shares one process, so two HTTP requests at once would read each other's event (its body,
# its authorizer's tenant): functions with a resolver serve one request at a time across the stack.
_RESOLVER_TURN = threading.Lock()


def load_module(path: Path, module_name: str):
    """Import a file under its own module name, so two functions' app.py never shadow each other."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LambdaFunction:
    """One execution environment of a function: its own module instance, invoked one event at a time.

    Module-level objects (Powertools' BatchProcessor, idempotency config) are not thread-safe, just as
    one Lambda environment never runs two events at once; each pump therefore gets its own instance.
    """

    def __init__(self, spec: FunctionSpec):
        self.spec = spec
        module = load_module(spec.source, f"_fn_{spec.name}_{next(_instances)}")
        from imagegraphics.observability import logger  # loaded by the function's module

        per_thread_keys(logger)  # many functions run on threads of this one process
        self.handler: Callable[[dict, Any], Any] = getattr(module, spec.attribute)
        self.serves_http = _has_resolver(module)

    def invoke(self, event: dict) -> Any:
        context = LambdaContext(self.spec.logical_id, self.spec.memory, self.spec.timeout)
        with _RESOLVER_TURN if self.serves_http else contextlib.nullcontext():
            return self.handler(event, context)


def _has_resolver(module: Any) -> bool:
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    return any(isinstance(value, BaseRouter) for value in vars(module).values())
