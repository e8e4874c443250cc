"""Progress on stderr (tqdm bars, shown only on a terminal unless forced), results on stdout."""
from __future__ import annotations

import json
import sys
from typing import IO

from tqdm import tqdm


class Console:
    def __init__(self, as_json: bool = False, bars: bool | None = None, stdout: IO[str] | None = None,
                 stderr: IO[str] | None = None):
        self.as_json = as_json
        self.bars_disabled = None if bars is None else not bars  # None: tqdm's own "only on a terminal"
        self.stdout, self.stderr = stdout or sys.stdout, stderr or sys.stderr

    def result(self, line: str) -> None:
        """A line of the command's result (plain mode)."""
        if not self.as_json:
            print(line, file=self.stdout, flush=True)

    def document(self, value: object) -> None:
        """The command's result as one JSON document (--json)."""
        if self.as_json:
            print(json.dumps(value, indent=2), file=self.stdout, flush=True)

    def say(self, message: str) -> None:
        """A note on stderr that leaves any progress bar intact."""
        tqdm.write(message, file=self.stderr)

    def bar(self, desc: str, total: int, unit: str) -> tqdm:
        return tqdm(total=total, desc=desc, unit=unit, file=self.stderr, disable=self.bars_disabled,
                    dynamic_ncols=True, leave=True)


class JobsBar:
    """One bar over one or more jobs, fed with the status answers: done of total assets, ok and failed."""

    def __init__(self, console: Console, desc: str):
        self.console, self.desc = console, desc
        self.bar: tqdm | None = None

    def __call__(self, statuses: dict[int, dict]) -> None:
        counts = [s.get("progress") or {} for s in statuses.values()]
        total = sum(int(c.get("total") or 0) for c in counts)
        if self.bar is None:
            self.bar = self.console.bar(self.desc, total, "asset")
        self.bar.total = total
        self.bar.n = sum(int(c.get("done") or 0) for c in counts)
        self.bar.set_postfix(ok=sum(int(c.get("succeeded") or 0) for c in counts),
                             failed=sum(int(c.get("failed") or 0) for c in counts), refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
