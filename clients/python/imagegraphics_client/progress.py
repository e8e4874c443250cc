"""Progress on stderr (tqdm bars, shown only on a terminal unless forced), results on stdout."""
from __future__ import annotations

import json
import sys
import time
from typing import IO, Callable

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

    def bar(self, desc: str, total: int, unit: str, bar_format: str | None = None, initial: int = 0) -> tqdm:
        return tqdm(total=total, desc=desc, unit=unit, file=self.stderr, disable=self.bars_disabled,
                    dynamic_ncols=True, leave=True, bar_format=bar_format, initial=initial)


# tqdm's own rate is over its last refresh interval: a count set from a status answer that jumps
# from 0 to 500 in a few milliseconds reads as 49636 asset/s. These bars show Rate's figures instead.
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]"
MIN_ELAPSED = 1.0  # seconds: a rate over less says nothing


class Rate:
    """Events per second over the real time elapsed since watching began, counting only what happened
    meanwhile (work finished before, e.g. a job already done when first polled, is not a rate). Once
    the count is final, the time runs to its last change, not on. None while that means nothing:
    under a second, or nothing happened."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started: float | None = None
        self.base = 0
        self.last: tuple[int, float] | None = None  # the count, and when it became that

    def start(self, count: int = 0) -> None:
        self.started, self.base = self.clock(), count
        self.last = (count, self.started)

    def per_second(self, count: int, final: bool = False) -> float | None:
        now = self.clock()
        if self.started is None:
            self.start(count)
            return None
        if count != self.last[0]:
            self.last = (count, now)
        elapsed, done = (self.last[1] if final else now) - self.started, count - self.base
        if elapsed < MIN_ELAPSED or done <= 0:
            return None
        return done / elapsed


def rate_text(rate: float | None, unit: str = "/s") -> str:
    if rate is None:
        return ""
    return f" ({rate:.1f}{unit})" if rate >= 0.95 else f" ({rate:.2f}{unit})"


class Overall:
    """One line for a whole run: files finished of all, and how many were uploaded, processed and failed,
    each with its rate. Files finished by an earlier run count as finished, not in any rate."""

    REFRESH = 0.5  # seconds between redraws when only the rates move

    def __init__(self, console: Console, total: int, finished_before: int = 0,
                 clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.bar = console.bar("files", total, "file", BAR_FORMAT, initial=finished_before)
        self.counts = {"uploaded": 0, "processed": 0, "failed": 0}
        self.rates = {"uploaded": Rate(clock), "processed": Rate(clock)}
        self.final: set[str] = set()  # counts that will not move again (every upload done)
        for rate in self.rates.values():
            rate.start()
        self.drawn = clock()

    def text(self) -> str:
        parts = []
        for name, count in self.counts.items():
            rate = self.rates[name].per_second(count, name in self.final) if name in self.rates else None
            parts.append(f"{name} {count}{rate_text(rate)}")
        return ", ".join(parts)

    def add(self, uploaded: int = 0, processed: int = 0, failed: int = 0) -> None:
        self.counts["uploaded"] += uploaded
        self.counts["processed"] += processed
        self.counts["failed"] += failed
        self.bar.set_postfix_str(self.text(), refresh=False)
        if processed or failed:
            self.bar.update(processed + failed)
        self.tick()

    def tick(self) -> None:
        """Redraw now and then, so the elapsed time and the rates move while the counts do not."""
        if self.clock() - self.drawn >= self.REFRESH:
            self.drawn = self.clock()
            self.bar.set_postfix_str(self.text(), refresh=False)
            self.bar.refresh()

    def close(self) -> None:
        self.final.update(self.rates)
        self.bar.set_postfix_str(self.text(), refresh=False)
        self.bar.close()


class JobsBar:
    """One bar over one or more jobs, fed with the status answers: done of total assets, ok and failed,
    and the rate at which assets finish while it watches."""

    def __init__(self, console: Console, desc: str, clock: Callable[[], float] = time.monotonic):
        self.console, self.desc = console, desc
        self.bar: tqdm | None = None
        self.rate = Rate(clock)

    def __call__(self, statuses: dict[int, dict]) -> None:
        counts = [s.get("progress") or {} for s in statuses.values()]
        total = sum(int(c.get("total") or 0) for c in counts)
        done = sum(int(c.get("done") or 0) for c in counts)
        finished = all(s.get("status") in ("OK", "ERROR") for s in statuses.values())
        per_second = self.rate.per_second(done, finished)  # the first answer is the baseline
        if self.bar is None:
            self.bar = self.console.bar(self.desc, total, "asset", BAR_FORMAT)
        self.bar.total = total
        self.bar.n = done
        postfix = (f"ok={sum(int(c.get('succeeded') or 0) for c in counts)}, "
                   f"failed={sum(int(c.get('failed') or 0) for c in counts)}")
        self.bar.set_postfix_str(postfix + rate_text(per_second, " assets/s"), refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
