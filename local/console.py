"""Where `make serve` writes: its own lines on the terminal, what the functions print in a log file.

The functions log JSON lines (Powertools) to stdout and print tracebacks and warnings to stderr; the
processor pumps and moto run in child processes that inherit both. Pointing file descriptors 1 and 2
at the log file catches all of it, as Lambda sends both streams to CloudWatch Logs. The terminal
keeps copies of the original descriptors, for the stack's summary and its access log.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

DEFAULT_LOG_FILE = Path("out/local-stack.log")
KEEP_ON_TERMINAL = "-"  # LOG_FILE=- leaves the functions' output on the terminal too


@dataclass
class Console:
    out: TextIO  # the summary and the access log
    err: TextIO  # the stack's own failures and diagnostics
    log_file: Path | None = None  # where everything else goes; None: the terminal


def terminal() -> Console:
    return Console(sys.stdout, sys.stderr)


def split(log_file: Path) -> Console:
    """Send this process's stdout and stderr (and its future children's) to `log_file`, emptied
    first; answer the terminal's streams."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8", errors="replace")
    err = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1, encoding="utf-8", errors="replace")
    # O_APPEND: this process and its children write whole lines at the end, never over each other.
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    os.dup2(fd, sys.stdout.fileno())
    os.dup2(fd, sys.stderr.fileno())
    os.close(fd)
    # Each line reaches the file as it is written, so `tail -f` follows the functions live; the
    # children (processor pumps, moto) write unbuffered too.
    sys.stdout.reconfigure(line_buffering=True)
    os.environ["PYTHONUNBUFFERED"] = "1"
    return Console(out, err, log_file)
