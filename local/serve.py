"""`make serve`: the local stack on 127.0.0.1:$PORT until Ctrl-C.

Environment: PORT (3000), LOCAL_API_KEYS ("tenant:key,..."; default dev:local-dev-key),
PROCESSOR_PUMPS (1), LOCAL_RETRY_SECONDS (5: how soon a failed message is retried), LOCAL_PARAMETERS
("Name=value,...": template parameters other than their defaults, e.g. CorsAllowedOrigin), LOG_FILE
(out/local-stack.log: the functions' JSON logs, tracebacks and warnings; "-" keeps them on the terminal).
The terminal shows the stack's summary and one access line per request.
"""
from __future__ import annotations

import argparse
import errno
import faulthandler
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from local.console import DEFAULT_LOG_FILE, KEEP_ON_TERMINAL, Console, split, terminal
from local.stack import DEFAULT_KEYS, Stack, parse_keys, parse_parameters

STOP_REPORT_SECONDS = 20


def _banner(stack: Stack, console: Console) -> str:
    lines = [f"imagegraphics local stack on {stack.url}  (AWS endpoint {stack.endpoint})", "API keys:"]
    lines += [f"  tenant {tenant:<12} key {key}" for key, tenant in stack.api_keys.items()]
    key = next(iter(stack.api_keys), "KEY")
    lines += [
        f"processor pumps: {stack.processor_pumps}",
        f"function logs: {console.log_file or 'this terminal'}"
        + (f"  (tail -f {console.log_file} to follow them)" if console.log_file else ""),
        "access log: one line per request below (time, method, path, status, duration, request id)",
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
    parser.add_argument("--log-file", default=os.environ.get("LOG_FILE") or str(DEFAULT_LOG_FILE),
                        help=f"where the functions' output goes (default $LOG_FILE or {DEFAULT_LOG_FILE}, "
                             f"emptied at start; {KEEP_ON_TERMINAL} keeps it on the terminal)")
    args = parser.parse_args(argv)
    try:
        api_keys = parse_keys(os.environ.get("LOCAL_API_KEYS") or DEFAULT_KEYS)
        processor_pumps = _int_env("PROCESSOR_PUMPS", 1)
        retry_after = _int_env("LOCAL_RETRY_SECONDS", 5)
        parameters = parse_parameters(os.environ.get("LOCAL_PARAMETERS", ""))
    except ValueError as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 2

    console = terminal() if args.log_file == KEEP_ON_TERMINAL else split(Path(args.log_file))
    if console.log_file:
        print(f"starting the local stack; the functions' logs go to {console.log_file}", file=console.out)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Ctrl-C stops the stack even when it was started where SIGINT is ignored: a shell without job
    # control starts background commands so, and Python then installs no KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.until_stdin_closes:
        threading.Thread(target=lambda: (sys.stdin.read(), stopping.set()), daemon=True).start()

    stack = Stack(port=args.port, api_keys=api_keys, processor_pumps=processor_pumps, retry_after=retry_after,
                  access_log=None if args.quiet else console.out, parameters=parameters)
    try:
        stack.start()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line on the terminal, the traceback in the log
        traceback.print_exc(file=sys.stderr)
        print(f"the local stack did not start: {_start_failure(exc, args.port)}"
              + (f" (details in {console.log_file})" if console.log_file else ""), file=console.err)
        return 1
    try:
        print(_banner(stack, console), file=console.out, flush=True)
        if args.state_file:
            _write_state(args.state_file, stack)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping...", file=console.out, flush=True)
        # A stop that takes this long is waiting on something: say where every thread is (on the
        # terminal's stderr). Left armed through the interpreter's exit, which joins threads too.
        faulthandler.dump_traceback_later(STOP_REPORT_SECONDS, file=console.err)
        stack.stop()
        print("stopped", file=console.out, flush=True)
    return 0


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _start_failure(exc: Exception, port: int) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use (PORT=<another port> make serve picks another)"
    return str(exc) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
