"""A run's record: `<out>/.imagegraphics-manifest.jsonl`, one JSON line each time a file moves on.

A rerun into the same --out reads it to skip what is finished (the same file, unchanged, with the same
request, its output still there) and to take up the rest where it stopped: an asset already uploaded
(and READY) is used again, a job already submitted is asked for its outcome. Each line is the file's
whole state, written in one piece and flushed at once: a killed run loses at most the line it was
writing, and a torn last line is ignored when read.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from imagegraphics_client.errors import UsageError
from imagegraphics_client.walk import Input

try:
    import fcntl
except ImportError:  # Windows: runs into one folder are not kept apart
    fcntl = None

NAME = ".imagegraphics-manifest.jsonl"
VERSION = 1


@dataclass(frozen=True)
class Resume:
    """Where a file picks up: skip (done before), upload, check (its asset), poll (its job)."""

    step: str
    asset_id: str | None = None
    job_id: int | None = None
    outputs: tuple[Path, ...] = ()


def resume_step(record: dict | None, item: Input, request: str, out: Path, recipe: bool) -> Resume:
    """The first step of a file given the manifest's last line about it (None: never seen)."""
    if (record is None or record.get("size") != item.size or record.get("mtime_ns") != item.mtime_ns
            or not record.get("asset_id")):
        return Resume("upload")  # new, or changed since: its earlier asset holds other bytes
    asset, job, outcome = record["asset_id"], record.get("job_id"), record.get("outcome")
    same = record.get("request") == request
    if outcome == "rejected":
        return Resume("upload")
    if outcome == "done" and same:
        outputs = [out / o for o in record.get("outputs") or [] if isinstance(o, str)]
        if outputs and all(o.is_file() for o in outputs):
            return Resume("skip", asset, job, tuple(outputs))
        if job is not None:
            return Resume("poll", asset, job)  # its output is fetched from the job again, not made again
    if outcome == "submitted" and same and job is not None:
        return Resume("poll", asset, job)
    if recipe and not (same and outcome == "uploaded"):
        return Resume("upload")  # a recipe runs on an upload: only a new one starts it again
    return Resume("check", asset)


class Manifest:
    def __init__(self, out: Path):
        self.out, self.path = out, out / NAME
        self.records: dict[str, dict] = {}  # input key -> its last line
        self.owners: dict[str, str] = {}  # output (relative to out) -> the input key that wrote it
        self._file: IO[str] | None = None

    @classmethod
    def open(cls, out: Path) -> "Manifest":
        manifest = cls(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            manifest._file = open(manifest.path, "a+", encoding="utf-8")  # noqa: SIM115 - closed in close()
        except OSError as exc:
            raise UsageError(f"cannot write the manifest {manifest.path}: {exc.strerror or exc}") from None
        manifest._lock()
        manifest._read()
        return manifest

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            raise UsageError(f"another run is writing into {self.out} (its manifest is locked); "
                             "wait for it to end, or choose another --out") from None

    def _read(self) -> None:
        self._file.seek(0)
        line = ""
        for line in self._file:  # line by line: a long manifest is never read whole
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the line a killed run was writing
            if isinstance(record, dict) and isinstance(record.get("input"), str):
                self.records[record["input"]] = record
                # Any output a run wrote stays that input's, whatever became of the input since.
                if record.get("outcome") == "done":
                    for output in record.get("outputs") or []:
                        self.owners[str(output)] = record["input"]
        if line and not line.endswith("\n"):
            self._write("\n")  # the next line starts on its own

    def last(self, key: str) -> dict | None:
        return self.records.get(key)

    def owner(self, path: Path) -> str | None:
        """The input a finished run wrote `path` for, if it is one of this folder's outputs."""
        try:
            rel = PurePosixPath(*path.relative_to(self.out).parts)
        except ValueError:
            return None
        return self.owners.get(str(rel))

    def relative(self, path: Path) -> str:
        return str(PurePosixPath(*path.relative_to(self.out).parts))

    def write(self, item: Input, request: str, outcome: str, asset_id: str | None = None,
              job_id: int | None = None, outputs: list[Path] = (), error: str | None = None) -> None:
        """The file's whole state: where it comes from (path, size, mtime), what was made of it with
        which request (asset, job, outputs) and how that went (uploaded, rejected, submitted, done, failed)."""
        written = [self.relative(path) for path in outputs]
        record = {"v": VERSION, "input": item.key, "size": item.size, "mtime_ns": item.mtime_ns,
                  "request": request, "asset_id": asset_id, "job_id": job_id, "outcome": outcome,
                  "outputs": written, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if error:
            record["error"] = error
        self.records[item.key] = record
        if outcome == "done":
            for output in written:
                self.owners[output] = item.key
        self._write(json.dumps(record, ensure_ascii=False) + "\n")

    def _write(self, text: str) -> None:
        try:
            self._file.write(text)
            self._file.flush()
        except OSError as exc:
            raise UsageError(f"cannot write the manifest {self.path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()  # releases the lock
            self._file = None
