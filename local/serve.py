"""`make serve`: the local stack on 127.0.0.1:$PORT until Ctrl-C.

Environment: PORT (3000), LOCAL_API_KEYS ("tenant:key,..."; default dev:local-dev-key),
PROCESSOR_PUMPS (1), LOCAL_RETRY_SECONDS (5: how soon a failed message is retried), LOCAL_PARAMETERS
("Name=value,...": template parameters other than their defaults, e.g. CorsAllowedOrigin).
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import threading
from pathlib import Path

from local.stack import DEFAULT_KEYS, Stack, parse_parameters

STOP_REPORT_SECONDS = 20


def _banner(stack: Stack) -> str:
    lines = [f"imagegraphics local stack on {stack.url}  (AWS endpoint {stack.endpoint})", "API keys:"]
    lines += [f"  tenant {tenant:<12} key {key}" for key, tenant in stack.api_keys.items()]
    key = next(iter(stack.api_keys), "KEY")
    lines += [
        f"processor pumps: {stack.processor_pumps}",
        f"try it in a browser: {stack.url}/app  (the API reference: {stack.url}/api/v1/docs)",
        "or with curl:",
        f"  curl -s -X POST {stack.url}/api/v1/assets -H 'Authorization: Bearer {key}' \\",
        "       -H 'Content-Type: application/json' -d '{\"filename\": \"a.jpg\", \"content_type\": \"image/jpeg\"}'",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def _write_state(path: Path, stack: Stack) -> None:
    state = {"url": stack.url, "endpoint": stack.endpoint, "api_keys": stack.api_keys,
             "resources": stack.resources, "parameters": stack.parameters}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, default=str))
    tmp.replace(path)  # readers never see a half-written file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--state-file", type=Path, help="write url, endpoint, keys and resources here")
    parser.add_argument("--until-stdin-closes", action="store_true",
                        help="stop when stdin reaches EOF (used when another program owns the stack)")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Ctrl-C stops the stack even when it was started where SIGINT is ignored: a shell without job
    # control starts background commands so, and Python then installs no KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.until_stdin_closes:
        threading.Thread(target=lambda: (sys.stdin.read(), stopping.set()), daemon=True).start()

    stack = Stack(
        port=args.port,
        api_keys=os.environ.get("LOCAL_API_KEYS") or DEFAULT_KEYS,
        processor_pumps=int(os.environ.get("PROCESSOR_PUMPS", "1")),
        retry_after=int(os.environ.get("LOCAL_RETRY_SECONDS", "5")),
        access_log=not args.quiet,
        parameters=parse_parameters(os.environ.get("LOCAL_PARAMETERS", "")),
    )
    try:
        stack.start()
        print(_banner(stack), flush=True)
        if args.state_file:
            _write_state(args.state_file, stack)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping...", flush=True)
        # A stop that takes this long is waiting on something: say where every thread is (stderr).
        # Left armed through the interpreter's exit, which joins threads too.
        faulthandler.dump_traceback_later(STOP_REPORT_SECONDS)
        stack.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
