"""`LocalStack`: the local stack as a context manager, for the demo, the end-to-end tests and the bench.

By default the stack runs in a child process (`python -m local.serve`), so the caller's own AWS
mocks, environment and interpreter lock stay out of it; the child stops when the context exits,
or when its stdin closes because the caller died.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from local.stack import DEFAULT_KEYS, Stack, parse_keys

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / ".local-stack"
KEEP_LOGS = 10  # older stack logs are removed as new stacks start


class LocalStack:
    def __init__(self, port: int = 0, api_keys: str | dict[str, str] = DEFAULT_KEYS, processor_pumps: int = 1,
                 retry_after: int = 2, in_process: bool = False, log_path: Path | None = None,
                 start_timeout: float = 180, parameters: dict[str, str] | None = None):
        self.port, self.processor_pumps, self.retry_after = port, processor_pumps, retry_after
        self.parameters = dict(parameters or {})  # template parameters other than their defaults
        self.api_keys = parse_keys(api_keys) if isinstance(api_keys, str) else dict(api_keys)
        self.in_process, self.start_timeout = in_process, start_timeout
        self.log_path = log_path or LOG_DIR / f"serve-{os.getpid()}-{int(time.time())}.log"
        self.url = self.endpoint = ""
        self.resources: dict = {}
        self._stack: Stack | None = None
        self._proc: subprocess.Popen | None = None
        self._log = None

    def key_for(self, tenant: str) -> str:
        return next(key for key, owner in self.api_keys.items() if owner == tenant)

    def __enter__(self) -> "LocalStack":
        try:
            self._stack_in_process() if self.in_process else self._spawn()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _stack_in_process(self) -> None:
        self._stack = Stack(port=self.port, api_keys=self.api_keys, processor_pumps=self.processor_pumps,
                            retry_after=self.retry_after, parameters=self.parameters).start()
        self.url, self.endpoint, self.resources = self._stack.url, self._stack.endpoint, self._stack.resources

    def _spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for old in sorted(self.log_path.parent.glob("serve-*.log"), key=lambda p: p.stat().st_mtime)[:-KEEP_LOGS]:
            old.unlink(missing_ok=True)
        state = Path(tempfile.mkdtemp(prefix="imagegraphics-")) / "state.json"
        env = dict(os.environ,
                   LOCAL_API_KEYS=",".join(f"{tenant}:{key}" for key, tenant in self.api_keys.items()),
                   PROCESSOR_PUMPS=str(self.processor_pumps), LOCAL_RETRY_SECONDS=str(self.retry_after),
                   LOCAL_PARAMETERS=",".join(f"{name}={value}" for name, value in self.parameters.items()),
                   PYTHONUNBUFFERED="1")
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            # One file for all of it: the access log and the functions' logs, in order.
            [sys.executable, "-m", "local.serve", "--port", str(self.port), "--state-file", str(state),
             "--until-stdin-closes", "--log-file", "-"],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.start_timeout
        while not state.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"local stack did not start; see {self.log_path}:\n{self.log_tail()}")
            time.sleep(0.1)
        info = json.loads(state.read_text())
        state.unlink()
        state.parent.rmdir()
        self.url, self.endpoint, self.resources = info["url"], info["endpoint"], info["resources"]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.stop()
            self._stack = None
        if self._proc is not None:
            try:
                self._proc.stdin.close()  # asks the child to stop cleanly
                self._proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
