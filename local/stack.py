"""The whole service on one machine: moto, resources from template.yaml, the gateway and the pumps."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TextIO

import boto3

from local import bootstrap
from local.gateway import UPLOAD_PREFIX, Gateway, GatewayServer
from local.motoserver import MotoProcess
from local.pool import FunctionPool
from local.pumps import ProcessPump, QueuePump
from local.runtime import REGION, LambdaFunction
from local.template import TEMPLATE, ApiSpec, load_template, parse_api
from local.uploads import UploadEndpoint

DEFAULT_KEYS = "dev:local-dev-key"
PROCESSOR = "processor"
# Webhook deliveries run side by side, as Lambda runs them (up to 10 in the template): a receiver
# that takes its whole deadline holds up no other tenant's delivery.
WEBHOOK, WEBHOOK_PUMPS = "webhook", 4
PUMP_STOP_SECONDS = 15  # a pump polls for 1 s at a time; one invocation may still be finishing


def parse_keys(text: str) -> dict[str, str]:
    """'tenant:key,tenant2:key2' -> {key: tenant}."""
    keys = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        tenant, sep, key = pair.partition(":")
        if not sep or not tenant or not key:
            raise ValueError(f"LOCAL_API_KEYS entry {pair!r} is not tenant:key")
        keys[key] = tenant
    return keys


class Stack:
    """Runs everything in this process; `local.serve` and `LocalStack(in_process=True)` use it.

    `access_log`: where the gateway writes one line per request (none when None). What the functions
    themselves print goes to this process's stdout and stderr, as on Lambda.
    """

    def __init__(self, port: int = 3000, api_keys: str | dict[str, str] = DEFAULT_KEYS,
                 processor_pumps: int = 1, retry_after: int = 5, access_log: TextIO | None = None,
                 template: Path = TEMPLATE, sources: dict[str, Path] | None = None):
        self.api_keys = parse_keys(api_keys) if isinstance(api_keys, str) else dict(api_keys)
        self.port, self.processor_pumps, self.retry_after = port, processor_pumps, retry_after
        self.access_log, self.template_path = access_log, template
        self.sources = sources or {}  # function folder name -> app.py, to swap in other handlers
        self.moto = MotoProcess()
        self.resources: dict = {}
        self.pumps: list[QueuePump] = []
        self._stop = threading.Event()
        self._gateway: GatewayServer | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def url(self) -> str:
        return self._gateway.url if self._gateway else ""

    @property
    def endpoint(self) -> str:
        return self.moto.endpoint

    def _setenv(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def start(self) -> "Stack":
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.moto.start()
        self._setenv(bootstrap.aws_environment(self.moto.endpoint))
        template = load_template(self.template_path)
        self.resources = bootstrap.create(self.moto.endpoint, self.template_path)
        api = parse_api(template)
        self._setenv(bootstrap.function_environment(api, self.resources))
        # Webhooks may reach a receiver on this machine (http://127.0.0.1:<port>/, localhost) here only.
        self._setenv({"LOCAL_WEBHOOK_LOOPBACK": "1"})
        # So may an asset's url (POST /api/v1/assets with a url): a server on this machine.
        self._setenv({"LOCAL_URL_LOOPBACK": "1"})
        bootstrap.reset_caches()
        bootstrap.seed_keys(self.api_keys)
        for spec in api.functions.values():
            spec.path = self.sources.get(spec.name)
        self._start_gateway(api)
        self._start_pumps(api)

    def _start_gateway(self, api: ApiSpec) -> None:
        # Bound first: the presigned POSTs the handlers make point at its upload endpoint (port 0 is
        # a free port, known only now), and the handlers must read that setting afresh.
        self._gateway = GatewayServer(None, port=self.port, access_log=self.access_log)
        self._setenv({"LOCAL_UPLOAD_ENDPOINT_URL": self._gateway.url + UPLOAD_PREFIX.rstrip("/")})
        bootstrap.reset_caches()
        pools = {}
        for spec in api.functions.values():
            if spec.routes or spec.logical_id == api.authorizer_function:
                pools[spec.logical_id] = FunctionPool(spec)
                pools[spec.logical_id].warm()
        self._gateway.gateway = Gateway(api, pools, uploads=self._upload_endpoint())
        self._gateway.start()

    def _upload_endpoint(self) -> UploadEndpoint:
        """Checks upload forms against the stack's own credentials, as S3 checks them against IAM's."""
        s3 = boto3.client("s3", endpoint_url=self.moto.endpoint, region_name=REGION)
        secrets = {os.environ["AWS_ACCESS_KEY_ID"]: os.environ["AWS_SECRET_ACCESS_KEY"]}
        return UploadEndpoint(s3, secrets, REGION, public_url=self.moto.endpoint)

    def _start_pumps(self, api: ApiSpec) -> None:
        sqs = boto3.client("sqs", endpoint_url=self.moto.endpoint, region_name=REGION)
        for spec in api.functions.values():
            for source in spec.queues:
                count = {PROCESSOR: self.processor_pumps, WEBHOOK: WEBHOOK_PUMPS}.get(spec.name, 1)
                queue_url = self.resources["queues"][source.queue]
                for _ in range(count):
                    if spec.name == PROCESSOR:
                        pump = ProcessPump(self.moto.endpoint, queue_url, source, spec, self.retry_after)
                    else:
                        pump = QueuePump(sqs, queue_url, source, LambdaFunction(spec), self._stop,
                                         retry_after=self.retry_after)
                    self.pumps.append(pump)
        for pump in self.pumps:
            pump.start()

    def idle(self) -> bool:
        return not any(p.busy for p in self.pumps)

    def stop(self) -> None:
        self._stop.set()
        for pump in self.pumps:
            pump.stop()
        for pump in self.pumps:
            if pump.is_alive():
                pump.join(PUMP_STOP_SECONDS)  # a pump stuck in a call is a daemon: it ends with us
        self.pumps.clear()
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None
        self.moto.stop()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        bootstrap.reset_caches()  # nothing cached in this process may point at the stopped endpoint

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

