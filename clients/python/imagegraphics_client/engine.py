"""`run` and `upload` over any number of files.

One thread (the caller's) decides; a pool of --concurrency threads does the calls: uploads, checks of
uploaded assets, polls of jobs and downloads, never more than --concurrency of them at once, downloads
first (they finish files), then polls and checks when due, then uploads. Assets are submitted in jobs
of at most MAX_ASSETS_PER_JOB as they turn READY; outputs are downloaded as each job lists them. Every
step of a file is a line of the manifest (when there is one), so Ctrl-C, or a killed process, leaves
a run that the same command resumes.
"""
from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import os
import signal
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from imagegraphics_client.client import Client
from imagegraphics_client.errors import ApiRefused, ClientError, Interrupted, NoRoute, TransportError, UsageError
from imagegraphics_client.manifest import Manifest, resume_step
from imagegraphics_client.naming import check_existing, target
from imagegraphics_client.progress import Console, Overall
from imagegraphics_client.walk import Input

MAX_ASSETS_PER_JOB = 1000  # the request's limit on assets
# Fewer assets than this waiting in this run's jobs, and the READY ones are submitted once the first of
# them has waited BATCH_WAIT seconds, without waiting for a full job: the service is not left idle for
# want of work the client holds, and uploads still gather into jobs of some size.
LOW_WATER, BATCH_WAIT = 100, 2.0
POLL_FIRST, POLL_MAX = 0.25, 2.0  # seconds between looks at an asset or a job, growing by half each time
# An upload is checked by the service in about a second (S3 tells a queue, a function reads it): looking
# sooner mostly finds it PENDING, one more call per file.
FIRST_CHECK = 1.0
# A job's status lists every outcome so far (a thousand presigned URLs for a big job): it is asked again
# only after this many times what its last answer took, and only by a quarter of the calls in flight.
POLL_COST = 4
# A job's own status follows its last outcome by a moment: after every file has its outcome, the job is
# asked again this many times (POLL_FIRST apart) so the summary says how it ended.
SETTLE_POLLS = 8
TICK = 0.5  # the longest the deciding thread waits before it looks at Ctrl-C and the display again
# Where a file can end up; any other state is still on its way.
FINAL = frozenset({"done", "skipped", "failed", "rejected", "unfinished", "uploaded", "checked"})


@dataclass
class Plan:
    """What the command asked for."""

    out: Path | None = None  # None: upload only, no jobs, no manifest
    flow: dict | None = None  # run --request: {"operations", "options"?, "webhook"?}
    recipe: str | None = None
    metadata: dict | None = None
    extension: str | None = None  # the outputs' extension, when known before anything is uploaded
    overwrite: bool = False
    wait: bool = True  # upload --no-wait: a file is finished once uploaded

    @property
    def fingerprint(self) -> str:
        """What the outputs are made with: a file done under another request is not done under this one."""
        what = json.dumps({"flow": self.flow, "recipe": self.recipe}, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(what.encode()).hexdigest()


@dataclass(eq=False)
class Work:
    """One input file on its way through the run."""

    item: Input
    state: str = "upload"
    asset_id: str | None = None
    job_id: int | None = None
    record: dict = field(default_factory=dict)  # the asset's last record, as GET /api/v1/assets/{id} answered
    outputs: list[Path] = field(default_factory=list)
    expected: int = 0  # outputs still to download
    reason: str | None = None
    since: float = 0.0  # when its current wait began (--timeout)
    pause: float = POLL_FIRST


@dataclass(eq=False)
class Watch:
    """A job being polled, and the files of this run waiting for their outcome in it."""

    job_id: int
    since: float
    due: float
    resumed: bool = False  # found in the manifest: if it is gone, its files are submitted again
    works: dict[str, Work] = field(default_factory=dict)  # asset id -> work
    pause: float = POLL_FIRST
    busy: bool = False
    asked: float = 0.0  # when the poll in flight was sent
    settling: int = 0  # polls since every file had its outcome, while the job still said QUEUED


@dataclass(frozen=True)
class Download:
    work: Work
    job_id: int
    entry: dict
    several: bool  # the input has several outputs: the output's name joins the file name


class CtrlC:
    """While entered (in the main thread): the first Ctrl-C calls `first` instead of raising, so the run
    stops between steps and its manifest stays whole; a second one raises KeyboardInterrupt at once."""

    def __init__(self, first: Callable[[], None]):
        self.first, self.previous = first, None

    def __enter__(self) -> "CtrlC":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, *_) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.first()

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


class OutputTaken(UsageError):
    """An output would replace a file this run may not replace (see naming.check_existing)."""


class Run:
    def __init__(self, client: Client, console: Console, plan: Plan, inputs: list[Input], *, timeout: float,
                 concurrency: int, manifest: Manifest | None = None, clock: Callable[[], float] = time.monotonic):
        self.client, self.console, self.plan, self.manifest = client, console, plan, manifest
        self.timeout, self.concurrency, self.clock = timeout, concurrency, clock
        self.works = [Work(item) for item in inputs]
        self.inputs = {item.key for item in inputs}  # never an output's place, even with --overwrite
        self.states: Counter[str] = Counter()
        self.uploads: deque[Work] = deque()
        self.checks: list[tuple[float, int, Work]] = []  # a heap by due time
        self.ready: list[Work] = []
        self.ready_since = 0.0  # when the oldest of `ready` became READY
        self.downloads: deque[Download] = deque()
        self.watches: dict[int, Watch] = {}
        self.jobs: dict[int, str] = {}  # every job this run waited on -> its last status
        self.stop = threading.Event()
        self.interrupted = False
        self._order = itertools.count()
        self.display: Overall | None = None

    # -- the loop

    def execute(self) -> None:
        """Take every file as far as it goes; raises the error that stopped the run, if one did."""
        self._begin()
        skipped = self.states["skipped"]
        self.display = Overall(self.console, len(self.works), skipped, self.clock)
        in_flight: dict[Future, Callable] = {}
        fatal: ClientError | None = None
        with CtrlC(self._ctrl_c), ThreadPoolExecutor(self.concurrency, thread_name_prefix="imagegraphics") as pool:
            try:
                while not self.stop.is_set():
                    self._submit_ready()
                    while len(in_flight) < self.concurrency and (task := self._next_task()) is not None:
                        call, settle = task
                        in_flight[pool.submit(call)] = settle
                    if not in_flight and self._finished() and not self.watches:
                        break
                    pause = TICK if len(in_flight) == self.concurrency else self._until_due()
                    if in_flight:
                        done, _ = wait(in_flight, timeout=pause, return_when=FIRST_COMPLETED)
                        for future in done:
                            self._settle(in_flight.pop(future), future)
                    else:
                        self.stop.wait(pause)
                    if not self.states["upload"]:
                        self.display.final.add("uploaded")
                    self.display.tick()
            except ClientError as exc:
                fatal = exc
            # Stopping (Ctrl-C or an error): what is under way ends, and is recorded, before the manifest closes.
            self.stop.set()
            self.client.http.stopped.set()
            for future in list(in_flight):
                try:
                    self._settle(in_flight.pop(future), future)
                except ClientError:
                    pass
        self.display.close()
        if fatal is not None and not isinstance(fatal, Interrupted):
            raise fatal

    def _ctrl_c(self) -> None:
        self.interrupted = True
        self.stop.set()
        self.client.http.stopped.set()
        self.console.say("stopping: waiting for the transfers under way (Ctrl-C again to quit at once)")

    def _settle(self, settle: Callable, future: Future) -> None:
        try:
            result = future.result()
        except Interrupted:
            return  # stopped while it waited to retry: the file stays where the manifest has it
        except ClientError as exc:
            settle(None, exc)
        else:
            settle(result, None)

    def _finished(self) -> bool:
        return all(count == 0 for state, count in self.states.items() if state not in FINAL)

    def _until_due(self) -> float:
        dues = [w.due for w in self.watches.values() if not w.busy]
        if self.checks:
            dues.append(self.checks[0][0])
        if not dues:
            return TICK
        return min(TICK, max(0.0, min(dues) - self.clock()))

    def _move(self, work: Work, state: str) -> None:
        self.states[work.state] -= 1
        self.states[state] += 1
        work.state = state

    def _next_task(self) -> tuple[Callable, Callable] | None:
        now = self.clock()
        if self.downloads:
            download = self.downloads.popleft()
            return (lambda: self._fetch(download)), (lambda result, exc: self._downloaded(download, result, exc))
        polling = sum(1 for w in self.watches.values() if w.busy)
        due = [w for w in self.watches.values() if not w.busy and w.due <= now]
        if due and polling < max(1, self.concurrency // 4):
            watch = min(due, key=lambda w: w.due)
            watch.busy, watch.asked = True, now
            return (lambda: self.client.job(watch.job_id)), (lambda result, exc: self._polled(watch, result, exc))
        while self.checks and self.checks[0][0] <= now:
            _, _, work = heapq.heappop(self.checks)
            if work.state == "check":
                return (lambda: self.client.asset(work.asset_id)), (lambda result, exc: self._checked(work, result, exc))
        if self.uploads:
            work = self.uploads.popleft()
            item, plan = work.item, self.plan
            if item.url is not None:  # the service fetches it: nothing is read here
                return ((lambda: self.client.create_from_url(item.url, plan.metadata, plan.recipe)),
                        (lambda result, exc: self._uploaded(work, result, exc)))
            return ((lambda: self.client.upload(item.path, plan.metadata, plan.recipe, item.content_type, item.size)),
                    (lambda result, exc: self._uploaded(work, result, exc)))
        return None

    # -- where each file starts

    def _begin(self) -> None:
        self.states["upload"] = len(self.works)
        now = self.clock()
        fingerprint = self.plan.fingerprint
        for work in self.works:
            if self.manifest is None:
                self.uploads.append(work)
                continue
            step = resume_step(self.manifest.last(work.item.key), work.item, fingerprint, self.plan.out,
                               recipe=self.plan.recipe is not None)
            if step.step == "skip":
                work.asset_id, work.job_id, work.outputs = step.asset_id, step.job_id, list(step.outputs)
                self._move(work, "skipped")
            elif step.step == "poll":
                work.asset_id = step.asset_id
                self._watch(step.job_id, [work], due=now, resumed=True)
            elif step.step == "check":
                work.asset_id = step.asset_id
                self._to_check(work, due=now)
            else:
                self.uploads.append(work)
        if self.plan.out is not None and self.plan.extension:
            check_existing(((w.item, target(self.plan.out, w.item.rel, self.plan.extension))
                            for w in self.works if w.state != "skipped"), self.manifest.owner, self.inputs,
                           self.plan.overwrite)
        skipped = self.states["skipped"]
        if skipped:
            self.console.say(f"{skipped} of {len(self.works)} files were done by an earlier run into "
                             f"{self.plan.out} (same file, same request): skipped")
        reused = len(self.works) - skipped - len(self.uploads)
        if reused:
            self.console.say(f"{reused} files take up where an earlier run left them (uploaded already)")

    def _note(self, work: Work, outcome: str, error: str | None = None) -> None:
        if self.manifest is not None:
            self.manifest.write(work.item, self.plan.fingerprint, outcome, work.asset_id, work.job_id,
                                work.outputs, error)

    def _fail(self, work: Work, state: str, reason: str, note: str | None = "failed") -> None:
        work.reason = reason
        self._move(work, state)
        self.display.add(failed=1)
        self.console.say(f"{'rejected' if state == 'rejected' else state}: {work.item.name}: {reason}")
        if note is not None:
            self._note(work, note, reason)

    # -- uploads and checks

    def _uploaded(self, work: Work, asset_id: str | None, exc: ClientError | None) -> None:
        if isinstance(exc, UsageError):  # the file could not be read, or changed while it was sent
            self._fail(work, "failed", str(exc), note=None)
            return
        if _refused_url(work, exc):  # a URL the service will not fetch: that input alone fails
            reasons = "; ".join(str(e.get("msg") or exc.message) for e in exc.errors)
            self._fail(work, "failed", f"the service refused the url ({exc.status}): {reasons}", note=None)
            return
        if exc is not None:
            raise exc  # a refusal of the API applies to every file, a lost service to every call
        work.asset_id, work.job_id = asset_id, None
        self.display.add(uploaded=1)
        self._note(work, "uploaded")
        if not self.plan.wait:
            self._move(work, "uploaded")
            return
        self._to_check(work, due=self.clock() + FIRST_CHECK)

    def _to_check(self, work: Work, due: float) -> None:
        self._move(work, "check")
        work.since, work.pause = self.clock(), POLL_FIRST
        heapq.heappush(self.checks, (due, next(self._order), work))

    def _check_again(self, work: Work, waiting_for: str) -> None:
        if self.clock() - work.since > self.timeout:
            self._fail(work, "unfinished", f"{waiting_for} after {self.timeout:.0f} s ({work.asset_id}); "
                                           "run the command again to go on waiting", note=None)
            return
        work.pause = min(POLL_MAX, work.pause * 1.5)
        heapq.heappush(self.checks, (self.clock() + work.pause, next(self._order), work))

    def _checked(self, work: Work, record: dict | None, exc: ClientError | None) -> None:
        if isinstance(exc, ApiRefused) and exc.status == 404:  # an asset of an earlier run, deleted since
            work.asset_id = None
            self._move(work, "upload")
            self.uploads.append(work)
            return
        if exc is not None:
            raise exc
        work.record = record
        status = record["status"]
        if status == "REJECTED":
            self._fail(work, "rejected", record.get("reason") or "no reason given", note="rejected")
        elif status != "READY":
            self._check_again(work, "still PENDING")
        elif self.plan.recipe is not None:
            self._recipe_started(work, record)
        elif self.plan.out is None:
            self._move(work, "checked")
            self.display.add(processed=1)
        else:
            self._move(work, "ready")
            if not self.ready:
                self.ready_since = self.clock()
            self.ready.append(work)

    def _recipe_started(self, work: Work, record: dict) -> None:
        """READY is not the end with a recipe: ingest then starts the job, or says why it could not."""
        if record.get("recipe_error"):
            self._fail(work, "failed", f"recipe not run: {record['recipe_error']}")
        elif record.get("recipe_job_id") is None:
            self._check_again(work, "no recipe job started")
        elif self.plan.out is None:
            self._move(work, "checked")
            self.display.add(processed=1)
        else:
            self._watch(record["recipe_job_id"], [work], due=self.clock() + POLL_FIRST)
            self._note(work, "submitted")

    # -- jobs

    def _submit_ready(self) -> None:
        """A job of MAX_ASSETS_PER_JOB as soon as that many are READY; fewer when the jobs submitted are
        running low (LOW_WATER, BATCH_WAIT) or when no more can come."""
        while self.ready and not self.stop.is_set():
            more = self.states["upload"] + self.states["check"] > 0
            starved = self.states["job"] < LOW_WATER and self.clock() - self.ready_since >= BATCH_WAIT
            if len(self.ready) < MAX_ASSETS_PER_JOB and more and not starved:
                return
            chunk = self.ready[:MAX_ASSETS_PER_JOB]
            del self.ready[:MAX_ASSETS_PER_JOB]
            self.ready_since = self.clock()
            flow = self.plan.flow
            request = {"assets": [{w.asset_id: {"options": flow.get("options") or {}}} for w in chunk],
                       "operations": flow["operations"]}
            if flow.get("webhook") is not None:
                request["webhook"] = flow["webhook"]
            try:
                job_id = self.client.submit(request)
            except ApiRefused as exc:
                # The API locates errors at assets.<i>.<id>; say which file that is.
                exc.notes += [f"  (assets.{e['loc'][1]} is {chunk[e['loc'][1]].item.name})" for e in exc.errors
                              if _asset_loc(e.get("loc"), len(chunk))]
                raise
            except NoRoute:
                raise
            except TransportError as exc:
                # No answer: the job may or may not exist, and a second submit could start it twice. Its
                # files fail (a rerun submits them again); the run goes on with the other jobs.
                for work in chunk:
                    self._fail(work, "failed", f"the submit of its job ({len(chunk)} files) got no answer, so the "
                                               f"job may have started or not: {exc}; run the command again")
                continue
            self._watch(job_id, chunk, due=self.clock() + POLL_FIRST)
            for work in chunk:
                self._note(work, "submitted")
            self.console.say(f"submitted job {job_id} for {len(chunk)} files")

    def _watch(self, job_id: int, works: list[Work], due: float, resumed: bool = False) -> None:
        now = self.clock()
        watch = self.watches.get(job_id)
        if watch is None:
            watch = self.watches[job_id] = Watch(job_id, since=now, due=due, resumed=resumed)
        watch.due = min(watch.due, due)
        for work in works:
            work.job_id = job_id
            watch.works[work.asset_id] = work
            self._move(work, "job")

    def _polled(self, watch: Watch, status: dict | None, exc: ClientError | None) -> None:
        watch.busy = False
        if isinstance(exc, ApiRefused) and exc.status == 404 and watch.resumed:
            # A job of an earlier run that this key cannot see: its READY assets go into a new one.
            del self.watches[watch.job_id]
            for work in watch.works.values():
                work.job_id = None
                self._to_check(work, due=self.clock())
            return
        if exc is not None:
            raise exc
        self.jobs[watch.job_id] = status.get("status")
        outputs: dict[str, list[dict]] = {}
        for entry in status.get("output") or []:
            # A new asset (create_asset) is matched by the asset it was made from.
            source = entry.get("source_asset_id") or entry.get("asset_id")
            if source in watch.works and isinstance(entry.get("url"), str):
                outputs.setdefault(source, []).append(entry)
        for asset_id, entries in outputs.items():
            work = watch.works.pop(asset_id)
            work.expected = len(entries)
            self._move(work, "download")
            for entry in entries:
                self.downloads.append(Download(work, watch.job_id, entry, several=len(entries) > 1))
        for entry in status.get("error") or []:
            work = watch.works.pop(entry.get("asset_id"), None)
            if work is not None:
                self._fail(work, "failed", _failure(entry))
        if status.get("status") in ("OK", "ERROR"):
            for work in list(watch.works.values()):
                self._fail(work, "failed", f"job {watch.job_id} finished without an outcome for it")
            watch.works.clear()
        elif self.clock() - watch.since > self.timeout:
            for work in list(watch.works.values()):
                self._fail(work, "unfinished", f"job {watch.job_id} still {status.get('status')} after "
                                               f"{self.timeout:.0f} s; run the command again to go on waiting",
                           note=None)
            watch.works.clear()
        elif not watch.works and watch.settling < SETTLE_POLLS:
            watch.settling += 1
            watch.due = self.clock() + POLL_FIRST
            return
        if not watch.works:
            del self.watches[watch.job_id]
            return
        watch.pause = min(POLL_MAX, watch.pause * 1.5)
        now = self.clock()
        watch.due = now + max(watch.pause, POLL_COST * (now - watch.asked))

    # -- downloads

    def _fetch(self, download: Download) -> Path:
        """In a pool thread. An expired URL (403) is fetched anew from the job once."""
        work, entry = download.work, download.entry
        what = f"download of {work.item.name}'s output"

        def place(ext: str) -> Path:
            path = target(self.plan.out, work.item.rel, ext, entry.get("name") if download.several else None)
            if os.path.abspath(path) in self.inputs:
                raise OutputTaken(f"{path} is one of the inputs; not replaced")
            if path.exists() and not self.plan.overwrite and self.manifest.owner(path) != work.item.key:
                raise OutputTaken(f"{path} exists and was not written by a run of this file into "
                                  f"{self.plan.out}; not replaced (give --overwrite to replace it)")
            return path
        try:
            return self.client.fetch(entry["url"], place, what)
        except ApiRefused as exc:
            if exc.status != 403:
                raise
        fresh = self.client.job(download.job_id).get("output") or []
        same = [e for e in fresh if e.get("asset_id") == entry.get("asset_id") and e.get("name") == entry.get("name")]
        if not same:
            raise TransportError(f"{what}: job {download.job_id} no longer lists it")
        return self.client.fetch(same[0]["url"], place, what)

    def _downloaded(self, download: Download, path: Path | None, exc: ClientError | None) -> None:
        work = download.work
        if work.state != "download":
            return  # one of its outputs failed already
        if isinstance(exc, (OutputTaken, ApiRefused, TransportError)):
            self._fail(work, "failed", f"could not download its output: {exc}")
            return
        if exc is not None:
            raise exc  # cannot write into --out, or the key was refused: no other file will fare better
        work.outputs.append(path)
        self.console.result(str(path))
        work.expected -= 1
        if work.expected == 0:
            self._move(work, "done")
            self.display.add(processed=1)
            self._note(work, "done")


def _refused_url(work: Work, exc: ClientError | None) -> bool:
    """A 4xx that blames only the `url` field (a private address, a scheme the service refuses): the
    other inputs, and the request, are not at fault."""
    return (work.item.url is not None and isinstance(exc, ApiRefused) and bool(exc.errors)
            and all(e.get("loc") == ["url"] for e in exc.errors))


def _asset_loc(loc: object, count: int) -> bool:
    return isinstance(loc, list) and len(loc) > 1 and loc[0] == "assets" and isinstance(loc[1], int) and 0 <= loc[1] < count


def _failure(entry: dict) -> str:
    detail = ", ".join(f"{k} {entry[k]}" for k in ("status", "code") if entry.get(k) is not None)
    return f"{entry.get('error')}" + (f" [{detail}]" if detail else "")
